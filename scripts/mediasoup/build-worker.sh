#!/usr/bin/env bash
# Build mediasoup-worker for mediasoup@3.27.1 on Debian 12 (bookworm), using
# only the npm registry and the Debian mirror this machine's apt already uses
# (no GitHub, no PyPI, no wrapdb). Takes ~6-8 minutes on 2 cores.
#
# Normally run through scripts/mediasoup/ensure-worker.sh, which tries the
# cache and the official prebuilt binary first and installs the result into
# the per-version cache. Direct use (as root):
#   WORK="$HOME/.cache/mediasoup-build" scripts/mediasoup/build-worker.sh
#   -> $WORK/bin/mediasoup-worker
#
# Env knobs: MS_VERSION (3.27.1), WORK ($HOME/.cache/mediasoup-build), JOBS (nproc).
#
# The subproject shims below and the DtlsTransport.cpp fix are written
# against mediasoup 3.27.1's worker sources, and only that version has been
# built and checked against real WebRTC clients with them. Any other version
# is refused up front rather than building something untested.
set -euo pipefail

TESTED_VERSION=3.27.1
MS_VERSION=${MS_VERSION:-$TESTED_VERSION}
WORK=${WORK:-$HOME/.cache/mediasoup-build}
JOBS=${JOBS:-$(nproc)}
export DEBIAN_FRONTEND=noninteractive

# Preflight: say exactly what is missing instead of failing halfway through apt.
missing=()
[ "$MS_VERSION" = "$TESTED_VERSION" ] \
  || missing+=("MS_VERSION=$TESTED_VERSION (asked for $MS_VERSION; the shims and the source fix here are verified for $TESTED_VERSION only)")
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
  g++ make pkg-config ninja-build python3 python3-setuptools ca-certificates \
  libssl-dev libuv1-dev libsrtp2-dev libabsl-dev \
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
grep -q 'const long resultOfcallback = (operationType == BIO_CB_RETURN)' "$F"
sed -i 's/const long resultOfcallback = (operationType == BIO_CB_RETURN)/const long resultOfcallback = (operationType \& BIO_CB_RETURN)/' "$F"
grep -q 'const long resultOfcallback = (operationType & BIO_CB_RETURN)' "$F"

# ---------------------------------------------------------------------------
log "4/7 replace downloaded subprojects with local shims backed by Debian packages"
S="$W/subprojects"
rm -f "$S"/*.wrap
mkdir -p "$S"/{openssl,libuv,libsrtp3/include,abseil-cpp,flatbuffers}
for d in openssl libuv libsrtp3 abseil-cpp flatbuffers; do
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
 * (libsrtp2-dev). mediasoup 3.27 is written against versatica's libsrtp 3
 * fork, which differs from libsrtp 2.x where mediasoup touches it:
 *  - srtp_policy_t is an opaque handle filled through srtp_policy_create(),
 *    srtp_policy_set_*() and srtp_policy_add_key() (separate key and salt),
 *    and srtp_create() takes that handle; in 2.x srtp_policy_t is the struct
 *    itself, with the key and salt concatenated in one buffer.
 *  - srtp_protect()/srtp_unprotect() (and _rtcp variants) take separate
 *    in/out buffers with size_t lengths and an MKI index; 2.x works in place
 *    with int lengths.
 *  - srtp_remove_stream() is renamed srtp_stream_remove().
 * Everything else mediasoup uses (srtp_profile_t and its key/salt length
 * getters, srtp_ssrc_t, srtp_init/shutdown/dealloc, event handler) is
 * identical.
 *
 * The adapters are C++ overloads (different parameter types or arity), so
 * they coexist with the extern "C" 2.x functions of the same name.
 */
#ifndef MS_SHIM_LIBSRTP3_COMPAT_SRTP_H
#define MS_SHIM_LIBSRTP3_COMPAT_SRTP_H

/* Free the name srtp_policy_t for libsrtp 3's handle type. The 2.x struct
 * only appears in extern "C" prototypes, whose symbols don't depend on it. */
#define srtp_policy_t ms_srtp2_policy_t
#include <srtp2/srtp.h>
#undef srtp_policy_t

#ifdef __cplusplus

#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <string.h> /* explicit_bzero() */

/* Error codes that only exist in libsrtp 3 (values as in libsrtp 3's enum). */
#ifndef srtp_err_status_buffer_small
#define srtp_err_status_buffer_small (static_cast<srtp_err_status_t>(28))
#endif
#ifndef srtp_err_status_cryptex_err
#define srtp_err_status_cryptex_err (static_cast<srtp_err_status_t>(29))
#endif

/* libsrtp 3's policy handle: the 2.x policy plus storage for its key. */
struct ms_srtp3_policy
{
	ms_srtp2_policy_t policy;
	uint8_t key[SRTP_MAX_KEY_LEN];
};
typedef ms_srtp3_policy* srtp_policy_t;

inline srtp_err_status_t srtp_policy_create(srtp_policy_t* policy)
{
	if (!policy)
		return srtp_err_status_bad_param;

	*policy = new (std::nothrow) ms_srtp3_policy{}; /* zeroed: no key, window 0 = default */

	return *policy ? srtp_err_status_ok : srtp_err_status_alloc_fail;
}

inline void srtp_policy_destroy(srtp_policy_t policy)
{
	if (!policy)
		return;

	/* The key must not outlive the policy in freed heap memory. */
	explicit_bzero(policy->key, sizeof(policy->key));
	delete policy;
}

inline srtp_err_status_t srtp_policy_set_ssrc(srtp_policy_t policy, srtp_ssrc_t ssrc)
{
	if (!policy)
		return srtp_err_status_bad_param;

	policy->policy.ssrc = ssrc;

	return srtp_err_status_ok;
}

inline srtp_err_status_t srtp_policy_set_profile(srtp_policy_t policy, srtp_profile_t profile)
{
	if (!policy)
		return srtp_err_status_bad_param;

	/* For aes128_cm_sha1_32 RTCP keeps the 80-bit tag, as RFC 5764 requires. */
	const srtp_err_status_t err =
	  srtp_crypto_policy_set_from_profile_for_rtp(&policy->policy.rtp, profile);

	if (err != srtp_err_status_ok)
		return err;

	return srtp_crypto_policy_set_from_profile_for_rtcp(&policy->policy.rtcp, profile);
}

inline srtp_err_status_t srtp_policy_add_key(
  srtp_policy_t policy,
  const uint8_t* key,
  size_t key_len,
  const uint8_t* salt,
  size_t salt_len,
  const uint8_t* mki,
  size_t mki_len)
{
	if (!policy || !key || !salt)
		return srtp_err_status_bad_param;

	if (mki || mki_len != 0)
		return srtp_err_status_bad_mki; /* MKI is not used by mediasoup. */

	/* 2.x takes one master key per policy, as key || salt, sized by the profile
	 * (set first, as mediasoup does). */
	if (policy->policy.key)
		return srtp_err_status_bad_param;

	if (key_len + salt_len != static_cast<size_t>(policy->policy.rtp.cipher_key_len) ||
	    key_len + salt_len > sizeof(policy->key))
		return srtp_err_status_bad_param;

	std::memcpy(policy->key, key, key_len);
	std::memcpy(policy->key + key_len, salt, salt_len);
	policy->policy.key = policy->key;

	return srtp_err_status_ok;
}

inline srtp_err_status_t srtp_policy_set_allow_repeat_tx(srtp_policy_t policy, bool allow)
{
	if (!policy)
		return srtp_err_status_bad_param;

	policy->policy.allow_repeat_tx = allow ? 1 : 0;

	return srtp_err_status_ok;
}

inline srtp_err_status_t srtp_policy_set_window_size(srtp_policy_t policy, size_t window_size)
{
	if (!policy)
		return srtp_err_status_bad_param;

	/* srtp_create() validates the range (64 .. 0x7fff). */
	policy->policy.window_size = static_cast<unsigned long>(window_size);

	return srtp_err_status_ok;
}

inline srtp_err_status_t srtp_create(srtp_t* session, srtp_policy_t policy)
{
	if (!policy)
		return srtp_err_status_bad_param;

	return srtp_create(session, static_cast<const ms_srtp2_policy_t*>(&policy->policy));
}

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

# ankerl::unordered_dense (header-only, not packaged in Debian) is found with
# dependency('unordered_dense'); a local .pc file answers that lookup.
mkdir -p "$S/unordered-dense/include/ankerl" "$S/unordered-dense/pkgconfig"
cat > "$S/unordered-dense/pkgconfig/unordered_dense.pc" <<'EOF'
Name: unordered_dense
Description: ankerl::unordered_dense API on top of the C++ standard library (mediasoup build shim)
Version: 4.8.1
Cflags: -I${pcfiledir}/../include
EOF
cat > "$S/unordered-dense/include/ankerl/unordered_dense.h" <<'EOF'
/*
 * The part of ankerl::unordered_dense's API that mediasoup uses (map, set,
 * hash), provided by std::unordered_map/std::unordered_set. The library isn't
 * packaged in Debian, and its API mirrors the standard containers' on purpose.
 * The standard containers keep iterators and references valid in more cases
 * than unordered_dense does, so code written against unordered_dense is
 * correct on them; only iteration order (unspecified in both) and speed
 * differ. mediasoup 3.19 used absl/std hash maps in the same places.
 */
#ifndef MS_SHIM_ANKERL_UNORDERED_DENSE_H
#define MS_SHIM_ANKERL_UNORDERED_DENSE_H

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace ankerl::unordered_dense
{
	namespace detail
	{
		/* 64-bit finalizer (MurmurHash3 fmix64). libstdc++'s std::hash is the
		 * identity for integers; mediasoup combines per-field hashes of small
		 * integers (ports, address words), which wants well-mixed inputs. */
		inline std::size_t Mix(std::uint64_t x) noexcept
		{
			x ^= x >> 33;
			x *= 0xff51afd7ed558ccdULL;
			x ^= x >> 33;
			x *= 0xc4ceb9fe1a85ec53ULL;
			x ^= x >> 33;

			return static_cast<std::size_t>(x);
		}
	} // namespace detail

	template<typename T, typename Enable = void>
	struct hash
	{
		std::size_t operator()(const T& value) const
		  noexcept(noexcept(std::hash<T>{}(std::declval<const T&>())))
		{
			return std::hash<T>{}(value);
		}
	};

	template<typename T>
	struct hash<T, std::enable_if_t<std::is_integral_v<T> || std::is_enum_v<T> || std::is_pointer_v<T>>>
	{
		std::size_t operator()(const T& value) const noexcept
		{
			if constexpr (std::is_pointer_v<T>)
				return detail::Mix(static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(value)));
			else
				return detail::Mix(static_cast<std::uint64_t>(value));
		}
	};

	template<
	  class Key,
	  class T,
	  class Hash      = hash<Key>,
	  class KeyEqual  = std::equal_to<Key>,
	  class Allocator = std::allocator<std::pair<const Key, T>>>
	using map = std::unordered_map<Key, T, Hash, KeyEqual, Allocator>;

	template<class Key, class Hash = hash<Key>, class KeyEqual = std::equal_to<Key>, class Allocator = std::allocator<Key>>
	using set = std::unordered_set<Key, Hash, KeyEqual, Allocator>;
} // namespace ankerl::unordered_dense

#endif /* MS_SHIM_ANKERL_UNORDERED_DENSE_H */
EOF

cat > "$S/abseil-cpp/meson.build" <<'EOF'
project('abseil-cpp', 'c', 'cpp')
# Only deps/libwebrtc (the default bandwidth estimator) uses abseil.
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

cat > "$S/flatbuffers/meson.build" <<'EOF'
project('flatbuffers', 'c', 'cpp')
# flatc (flatbuffers-compiler) and headers must be the same version: generated
# headers static_assert on FLATBUFFERS_VERSION_*.
flatbuffers_dep = dependency('flatbuffers')
flatbuffers_lib = static_library('msshim_flatbuffers', 'msshim_dummy.c', build_by_default: false)
EOF

# ---------------------------------------------------------------------------
log "5/7 meson setup"
cd "$W"
meson setup --buildtype release -Db_ndebug=true --wrap-mode=nodownload \
  -Dpkg_config_path="$S/unordered-dense/pkgconfig" out/build

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
