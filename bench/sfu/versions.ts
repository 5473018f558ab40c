/**
 * The older mediasoup the SFU suite measures the installed one against: the
 * same bare forwarder (bench/sfu/topology.ts) once with each, in the same run.
 * Its Node package is a devDependency under an npm alias; its worker must be
 * the same version, from the per-version cache ensure-worker.sh fills. The
 * build script only builds the installed version, so on a machine without
 * that cached worker the comparison is skipped, with the reason.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { cachedWorkerPath } from '../../server/sfu/worker-bin';

export const OLD_MEDIASOUP = { version: '3.19.3', pkg: 'mediasoup-3.19' } as const;

export type OldMediasoup =
  { ok: true; version: string; pkg: string; workerBin: string } | { ok: false; version: string; reason: string };

type Env = Record<string, string | undefined>;
const require = createRequire(import.meta.url);

/** The aliased package's version, or undefined if it is not installed (e.g. `npm install --omit=dev`). */
function packageVersion(pkg: string): string | undefined {
  try {
    // Resolves to <pkg>/node/lib/index.js (mediasoup does not export its package.json).
    const dir = path.resolve(path.dirname(require.resolve(pkg)), '..', '..');
    return (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/** As ensure-worker.sh checks: a worker started without MEDIASOUP_VERSION exits with 41 on purpose. */
function workerRuns(bin: string): boolean {
  try {
    accessSync(bin, constants.X_OK);
  } catch {
    return false;
  }
  return spawnSync('env', ['-i', bin], { stdio: 'ignore', timeout: 5_000 }).status === 41;
}

/** Whether the old version can run here: its package installed and its worker cached. */
export function findOldMediasoup(
  env: Env = process.env,
  old: { version: string; pkg: string } = OLD_MEDIASOUP,
): OldMediasoup {
  const installed = packageVersion(old.pkg);
  if (installed !== old.version) {
    return {
      ok: false,
      version: old.version,
      reason:
        `the ${old.pkg} devDependency (npm:mediasoup@${old.version}) is ` +
        `${installed ? `${installed}, not ${old.version}` : 'not installed'}; run npm install`,
    };
  }
  const workerBin = cachedWorkerPath(env, old.version);
  if (!workerRuns(workerBin)) {
    return {
      ok: false,
      version: old.version,
      reason:
        `no runnable mediasoup-worker ${old.version} at ${workerBin}. scripts/mediasoup/build-worker.sh only builds ` +
        `the installed version; put the official prebuilt there (mediasoup-worker-${old.version}-linux-<arch>-kernel<major>.tgz ` +
        `from https://github.com/versatica/mediasoup/releases/tag/${old.version}) or a worker built from that version's sources (BENCHMARKS.md says how)`,
    };
  }
  return { ok: true, version: old.version, pkg: old.pkg, workerBin };
}
