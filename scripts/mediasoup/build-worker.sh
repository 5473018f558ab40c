#!/usr/bin/env bash
# Build mediasoup-worker for mediasoup@3.19.3 on Debian 12 (bookworm), using
# only the npm registry and the Debian mirror this machine's apt already uses
# (no GitHub, no PyPI, no wrapdb). Takes ~8 minutes on 2 cores.
#
# Normally run through scripts/mediasoup/ensure-worker.sh, which tries the
# cache and the official prebuilt binary first and installs the result into
# the per-version cache. Direct use (as root):
#   WORK="$HOME/.cache/mediasoup-build" scripts/mediasoup/build-worker.sh
#   -> $WORK/bin/mediasoup-worker
#
# Env knobs: MS_VERSION (3.19.3), WORK ($HOME/.cache/mediasoup-build), JOBS (nproc),
#            WITH_LIBURING (1 = build liburing 2.9 from Debian source, 0 = disable).
#
# The subproject shims below and the DtlsTransport.cpp fix are written
# against mediasoup 3.19.3's worker sources; another version fails loudly at
# the grep of the fix rather than building something untested.
set -euo pipefail

MS_VERSION=${MS_VERSION:-3.19.3}
WORK=${WORK:-$HOME/.cache/mediasoup-build}
JOBS=${JOBS:-$(nproc)}
WITH_LIBURING=${WITH_LIBURING:-1}
export DEBIAN_FRONTEND=noninteractive

# Preflight: say exactly what is missing instead of failing halfway through apt.
missing=()
[ "$(id -u)" = 0 ] || missing+=("root (apt-get installs build packages; re-run with sudo)")
command -v apt-get >/dev/null 2>&1 || missing+=("apt-get (this build needs a Debian-based system)")
if [ -r /etc/os-release ]; then
  # Read in a subshell so os-release's VERSION, ID, ... don't leak into this script.
  os_id=$(. /etc/os-release && echo "${ID:-}/${VERSION_CODENAME:-}")
  os_name=$(. /etc/os-release && echo "${PRETTY_NAME:-unknown}")
  [ "$os_id" = debian/bookworm ] \
    || missing+=("Debian 12 bookworm (found $os_name; the shims are written for bookworm's packages)")
else
  missing+=("/etc/os-release (cannot tell which distribution this is)")
fi
command -v npm >/dev/null 2>&1 || missing+=("npm (to fetch the mediasoup@$MS_VERSION sources)")
if [ ${#missing[@]} -gt 0 ]; then
  echo "build-worker.sh: cannot build mediasoup-worker here; missing:" >&2
  printf '  - %s\n' "${missing[@]}" >&2
  exit 2
fi

log() { printf '\n=== [%s] %s\n' "$(date +%T)" "$*"; }

# The Debian mirror apt is already configured with (deb822 or one-line format).
MIRROR=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
[ -n "$MIRROR" ] || MIRROR=$(awk '$1=="deb"{print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$MIRROR" ] || { echo "no Debian mirror found in apt's configuration" >&2; exit 1; }

mkdir -p "$WORK"
cd "$WORK"

# ---------------------------------------------------------------------------
log "1/7 apt: toolchain + bookworm dev packages"
apt-get update -q
apt-get install -y -q --no-install-recommends \
  g++ make pkg-config ninja-build python3 python3-setuptools curl ca-certificates \
  libssl-dev libuv1-dev libsrtp2-dev libusrsctp-dev libabsl-dev \
  libflatbuffers-dev flatbuffers-compiler

# ---------------------------------------------------------------------------
log "2/7 meson >= 1.1 (bookworm has 1.0.1; take 1.7.0 from bookworm-backports)"
if ! python3 - <<'EOF'
import shutil, subprocess, sys
m = shutil.which('meson')
v = subprocess.run([m, '--version'], capture_output=True, text=True).stdout.strip() if m else '0'
sys.exit(0 if tuple(int(x) for x in v.split('.')[:2]) >= (1, 1) else 1)
EOF
then
  APTX="$WORK/aptx"; mkdir -p "$APTX/lists/partial" "$APTX/debs"
  cat > "$APTX/bpo.sources" <<EOF
Types: deb
URIs: $MIRROR
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  BPO=(-oDir::Etc::SourceList="$APTX/bpo.sources" -oDir::Etc::SourceParts=/dev/null -oDir::State::Lists="$APTX/lists")
  apt-get "${BPO[@]}" update -q
  chmod 777 "$APTX/debs"
  (cd "$APTX/debs" && apt-get "${BPO[@]}" download meson)
  apt-get install -y -q --no-install-recommends "$APTX"/debs/meson_*.deb
fi
meson --version

# ---------------------------------------------------------------------------
log "3/7 mediasoup@$MS_VERSION sources from npm"
rm -rf "$WORK/src" && mkdir -p "$WORK/src"
(cd "$WORK/src" && npm pack "mediasoup@$MS_VERSION" --silent >/dev/null && tar xzf "mediasoup-$MS_VERSION.tgz")
W="$WORK/src/package/worker"
test -f "$W/meson.build"

# Source fix (1 line): mediasoup's BIO callback on the outgoing DTLS mem BIO
# returns 1 for every "after" callback except plain BIO_CB_RETURN, so
# BIO_ctrl(BIO_CTRL_GET_KTLS_SEND) on it reports 1. Upstream links its own
# OpenSSL 3.0.8 built without KTLS (BIO_get_ktls_send() is constant 0 there);
# Debian's OpenSSL has KTLS compiled in, so OpenSSL skips allocating the DTLS
# write buffer and SIGSEGVs in do_dtls1_write() on the first ServerHello.
F="$W/src/RTC/DtlsTransport.cpp"
grep -q 'long resultOfcallback = (operationType == BIO_CB_RETURN)' "$F"
sed -i 's/long resultOfcallback = (operationType == BIO_CB_RETURN)/long resultOfcallback = (operationType \& BIO_CB_RETURN)/' "$F"
grep -q 'long resultOfcallback = (operationType & BIO_CB_RETURN)' "$F"

# ---------------------------------------------------------------------------
log "4/7 replace downloaded subprojects with local shims backed by Debian packages"
S="$W/subprojects"
rm -f "$S"/*.wrap
mkdir -p "$S"/{openssl,libuv,libsrtp3/include,usrsctp,abseil-cpp,catch2,flatbuffers,liburing}
for d in openssl libuv libsrtp3 usrsctp abseil-cpp catch2 flatbuffers liburing; do
  # link_whole of the (never built) libmediasoup-worker target needs static_library objects.
  echo '/* placeholder for link_whole variables of the unused libmediasoup-worker target */' > "$S/$d/msshim_dummy.c"
done

cat > "$S/openssl/meson.build" <<'EOF'
project('openssl', 'c')
libcrypto_dep = dependency('libcrypto', version: '>=3.0')
libssl_dep = dependency('libssl', version: '>=3.0')
openssl_dep = declare_dependency(dependencies: [libssl_dep, libcrypto_dep])
libcrypto_lib = static_library('msshim_libcrypto', 'msshim_dummy.c', build_by_default: false)
libssl_lib = static_library('msshim_libssl', 'msshim_dummy.c', build_by_default: false)
EOF

cat > "$S/libuv/meson.build" <<'EOF'
project('libuv', 'c')
libuv_dep = dependency('libuv', version: '>=1.44')
libuv = static_library('msshim_libuv', 'msshim_dummy.c', build_by_default: false)
EOF
cat > "$S/libuv/meson_options.txt" <<'EOF'
option('build_tests', type: 'boolean', value: false)
option('build_benchmarks', type: 'boolean', value: false)
EOF

cat > "$S/libsrtp3/meson.build" <<'EOF'
project('libsrtp3', 'c')
# Debian ships libsrtp 2.x; include/srtp.h adapts the libsrtp 3 API mediasoup uses.
libsrtp3_dep = declare_dependency(
  include_directories: include_directories('include'),
  dependencies: dependency('libsrtp2', version: '>=2.4'),
)
libsrtp3 = static_library('msshim_libsrtp3', 'msshim_dummy.c', build_by_default: false)
EOF
cat > "$S/libsrtp3/meson_options.txt" <<'EOF'
option('crypto-library', type: 'string', value: 'openssl')
option('crypto-library-kdf', type: 'feature', value: 'disabled')
option('tests', type: 'feature', value: 'disabled')
EOF
cat > "$S/libsrtp3/include/srtp.h" <<'EOF'
/*
 * libsrtp 3.x API compatibility layer on top of Debian's libsrtp 2.x
 * (libsrtp2-dev). mediasoup >= 3.15 is written against versatica's libsrtp 3
 * fork, whose srtp_protect()/srtp_unprotect() (and _rtcp variants) take
 * separate in/out buffers with size_t lengths and an MKI index, and which
 * renamed srtp_remove_stream() to srtp_stream_remove(). libsrtp 2.x works in
 * place with int lengths. Everything else mediasoup uses (srtp_policy_t
 * fields, srtp_create, crypto policy setters, srtp_init/shutdown, event
 * handler) is identical.
 *
 * The adapters are C++ overloads (different arity), so they coexist with the
 * extern "C" 2.x functions of the same name.
 */
#ifndef MS_SHIM_LIBSRTP3_COMPAT_SRTP_H
#define MS_SHIM_LIBSRTP3_COMPAT_SRTP_H

#include <srtp2/srtp.h>

#ifdef __cplusplus

#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>

/* Error codes that only exist in libsrtp 3 (values as in libsrtp 3's enum). */
#ifndef srtp_err_status_buffer_small
#define srtp_err_status_buffer_small (static_cast<srtp_err_status_t>(28))
#endif
#ifndef srtp_err_status_cryptex_err
#define srtp_err_status_cryptex_err (static_cast<srtp_err_status_t>(29))
#endif

namespace ms_srtp3_compat
{
	/* Scratch buffer used when the caller's output buffer is smaller than the
	 * worst case libsrtp 2 may write (packet + SRTP_MAX_TRAILER_LEN + 4). */
	static constexpr size_t ScratchSize{ 65536 + SRTP_MAX_TRAILER_LEN + 4 };

	inline uint8_t* Scratch()
	{
		thread_local uint8_t scratch[ScratchSize];

		return scratch;
	}

	template<typename Fn>
	inline srtp_err_status_t Protect(
	  Fn fn, srtp_t ctx, const uint8_t* in, size_t inLen, uint8_t* out, size_t* outLen, size_t mkiIndex)
	{
		if (mkiIndex != 0)
			return srtp_err_status_bad_mki; /* MKI is not used by mediasoup. */

		if (inLen > static_cast<size_t>(INT_MAX) - SRTP_MAX_TRAILER_LEN - 4)
			return srtp_err_status_bad_param;

		const size_t worstCase = inLen + SRTP_MAX_TRAILER_LEN + 4;
		uint8_t* work          = (*outLen >= worstCase) ? out : nullptr;

		if (!work)
		{
			if (worstCase > ScratchSize)
				return srtp_err_status_buffer_small;

			work = Scratch();
		}

		if (work != in)
			std::memmove(work, in, inLen);

		int len                     = static_cast<int>(inLen);
		const srtp_err_status_t err = fn(ctx, work, &len);

		if (err != srtp_err_status_ok)
			return err;

		if (static_cast<size_t>(len) > *outLen)
			return srtp_err_status_buffer_small;

		if (work != out)
			std::memcpy(out, work, static_cast<size_t>(len));

		*outLen = static_cast<size_t>(len);

		return srtp_err_status_ok;
	}

	template<typename Fn>
	inline srtp_err_status_t Unprotect(
	  Fn fn, srtp_t ctx, const uint8_t* in, size_t inLen, uint8_t* out, size_t* outLen)
	{
		if (inLen > static_cast<size_t>(INT_MAX))
			return srtp_err_status_bad_param;

		/* Decrypted output is never longer than the input. */
		if (*outLen < inLen)
			return srtp_err_status_buffer_small;

		if (out != in)
			std::memmove(out, in, inLen);

		int len                     = static_cast<int>(inLen);
		const srtp_err_status_t err = fn(ctx, out, &len);

		if (err != srtp_err_status_ok)
			return err;

		*outLen = static_cast<size_t>(len);

		return srtp_err_status_ok;
	}
} // namespace ms_srtp3_compat

inline srtp_err_status_t srtp_protect(
  srtp_t ctx, const uint8_t* rtp, size_t rtp_len, uint8_t* srtp, size_t* srtp_len, size_t mki_index)
{
	return ms_srtp3_compat::Protect(
	  [](srtp_t c, uint8_t* b, int* l) { return ::srtp_protect(c, b, l); }, ctx, rtp, rtp_len, srtp, srtp_len, mki_index);
}

inline srtp_err_status_t srtp_unprotect(
  srtp_t ctx, const uint8_t* srtp, size_t srtp_len, uint8_t* rtp, size_t* rtp_len)
{
	return ms_srtp3_compat::Unprotect(
	  [](srtp_t c, uint8_t* b, int* l) { return ::srtp_unprotect(c, b, l); }, ctx, srtp, srtp_len, rtp, rtp_len);
}

inline srtp_err_status_t srtp_protect_rtcp(
  srtp_t ctx, const uint8_t* rtcp, size_t rtcp_len, uint8_t* srtcp, size_t* srtcp_len, size_t mki_index)
{
	return ms_srtp3_compat::Protect(
	  [](srtp_t c, uint8_t* b, int* l) { return ::srtp_protect_rtcp(c, b, l); },
	  ctx, rtcp, rtcp_len, srtcp, srtcp_len, mki_index);
}

inline srtp_err_status_t srtp_unprotect_rtcp(
  srtp_t ctx, const uint8_t* srtcp, size_t srtcp_len, uint8_t* rtcp, size_t* rtcp_len)
{
	return ms_srtp3_compat::Unprotect(
	  [](srtp_t c, uint8_t* b, int* l) { return ::srtp_unprotect_rtcp(c, b, l); },
	  ctx, srtcp, srtcp_len, rtcp, rtcp_len);
}

/* libsrtp 3 renamed srtp_remove_stream() (SSRC in network byte order in both). */
inline srtp_err_status_t srtp_stream_remove(srtp_t session, uint32_t ssrc)
{
	return srtp_remove_stream(session, ssrc);
}

#endif /* __cplusplus */

#endif /* MS_SHIM_LIBSRTP3_COMPAT_SRTP_H */
EOF

cat > "$S/usrsctp/meson.build" <<'EOF'
project('usrsctp', 'c')
usrsctp_dep = dependency('usrsctp')
usrsctp = static_library('msshim_usrsctp', 'msshim_dummy.c', build_by_default: false)
EOF
cat > "$S/usrsctp/meson_options.txt" <<'EOF'
option('sctp_build_programs', type: 'boolean', value: false)
EOF

cat > "$S/abseil-cpp/meson.build" <<'EOF'
project('abseil-cpp', 'c', 'cpp')
absl_container_dep = declare_dependency(dependencies: [
  dependency('absl_flat_hash_map'),
  dependency('absl_flat_hash_set'),
  dependency('absl_btree'),
  dependency('absl_inlined_vector'),
])
absl_strings_dep = dependency('absl_strings')
absl_types_dep = declare_dependency(dependencies: [
  dependency('absl_optional'),
  dependency('absl_memory'),
])
absl_container_lib = static_library('msshim_absl_container', 'msshim_dummy.c', build_by_default: false)
EOF

cat > "$S/catch2/meson.build" <<'EOF'
project('catch2', 'c')
# Only used by the mediasoup-worker-test targets (not built).
catch2_dep = declare_dependency()
EOF

cat > "$S/flatbuffers/meson.build" <<'EOF'
project('flatbuffers', 'c', 'cpp')
# flatc (flatbuffers-compiler) and headers must be the same version: generated
# headers static_assert on FLATBUFFERS_VERSION_*.
flatbuffers_dep = dependency('flatbuffers')
flatbuffers_lib = static_library('msshim_flatbuffers', 'msshim_dummy.c', build_by_default: false)
EOF

MESON_EXTRA=()
if [ "$WITH_LIBURING" = 1 ]; then
  # bookworm's liburing-dev is 2.3; mediasoup needs >= 2.5 APIs. Build 2.9
  # (Debian trixie's source package) as a static, libc-free archive.
  URING_TGZ=liburing_2.9.orig.tar.gz
  URING_SHA256=57e9b36e4ac1e46b8e0351dfb1694dc59638fc25e384b4ba36d87b800b16db1a
  curl -fsSL -o "$WORK/$URING_TGZ" "$MIRROR/pool/main/libu/liburing/$URING_TGZ"
  echo "$URING_SHA256  $WORK/$URING_TGZ" | sha256sum -c -
  tar xzf "$WORK/$URING_TGZ" -C "$S/liburing"
  (cd "$S/liburing/liburing-2.9" && ./configure >/dev/null && make -C src -j"$JOBS" liburing.a >/dev/null)
  cat > "$S/liburing/meson.build" <<'EOF'
project('liburing', 'c')
cc = meson.get_compiler('c')
uring = declare_dependency(
  include_directories: include_directories('liburing-2.9/src/include'),
  dependencies: cc.find_library('uring', static: true,
    dirs: [meson.current_source_dir() / 'liburing-2.9' / 'src']),
)
liburing = static_library('msshim_liburing', 'msshim_dummy.c', build_by_default: false)
EOF
else
  MESON_EXTRA+=(-Dms_disable_liburing=true)
  cat > "$S/liburing/meson.build" <<'EOF'
project('liburing', 'c')
uring = dependency('liburing', version: '>=2.5')
liburing = static_library('msshim_liburing', 'msshim_dummy.c', build_by_default: false)
EOF
fi

# ---------------------------------------------------------------------------
log "5/7 meson setup"
cd "$W"
meson setup --buildtype release -Db_ndebug=true --wrap-mode=nodownload \
  "${MESON_EXTRA[@]}" out/build

# ---------------------------------------------------------------------------
log "6/7 build (flatc headers first, then the worker; -j$JOBS)"
meson compile -C out/build flatbuffers-generator
ninja -C out/build -j"$JOBS" mediasoup-worker

# ---------------------------------------------------------------------------
log "7/7 install binary"
mkdir -p "$WORK/bin"
install -m 0755 out/build/mediasoup-worker "$WORK/bin/mediasoup-worker"
strip "$WORK/bin/mediasoup-worker"
ls -la "$WORK/bin/mediasoup-worker"
ldd "$WORK/bin/mediasoup-worker" | awk '{print "  " $1}'
echo "MEDIASOUP_WORKER_BIN=$WORK/bin/mediasoup-worker"
