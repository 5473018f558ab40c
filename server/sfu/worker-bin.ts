import { accessSync, constants, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { ConveneError } from '../../lib/protocol/errors';

/**
 * mediasoup resolves its worker binary once, when the module is first
 * evaluated (Worker.js reads MEDIASOUP_WORKER_BIN at load time). npm 11 does
 * not run mediasoup's postinstall, so the binary usually lives in our cache
 * (scripts/mediasoup/ensure-worker.sh). Hence: never import mediasoup's
 * runtime statically in server code; call loadMediasoup(), which points
 * MEDIASOUP_WORKER_BIN at the binary first. `import type` is fine.
 */

const DEFAULT_VERSION = '3.27.1';
const require = createRequire(import.meta.url);

type Env = Record<string, string | undefined>;

function mediasoupPackageDir(): string | undefined {
  try {
    // Resolves to <pkg>/node/lib/index.js.
    return path.resolve(path.dirname(require.resolve('mediasoup')), '..', '..');
  } catch {
    return undefined;
  }
}

function installedVersion(pkgDir: string | undefined): string {
  if (!pkgDir) return DEFAULT_VERSION;
  try {
    const pkg = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? DEFAULT_VERSION;
  } catch {
    return DEFAULT_VERSION;
  }
}

/** The cache location ensure-worker.sh installs into (same rules as the script). */
export function cachedWorkerPath(env: Env = process.env, version = installedVersion(mediasoupPackageDir())): string {
  const cacheRoot =
    env.CONVENE_CACHE_DIR || path.join(env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache'), 'convene');
  return path.join(cacheRoot, 'mediasoup', version, 'mediasoup-worker');
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Candidate worker binaries, best first: explicit env, cache, node_modules. */
export function workerBinCandidates(env: Env = process.env): string[] {
  const pkgDir = mediasoupPackageDir();
  const list: string[] = [];
  if (env.MEDIASOUP_WORKER_BIN) list.push(env.MEDIASOUP_WORKER_BIN);
  list.push(cachedWorkerPath(env, installedVersion(pkgDir)));
  if (pkgDir) list.push(path.join(pkgDir, 'worker', 'out', 'Release', 'mediasoup-worker'));
  return list;
}

/**
 * Make sure env.MEDIASOUP_WORKER_BIN names an executable worker, and return it.
 * Throws MEDIA_UNAVAILABLE (with the fix in the message) if there is none.
 */
export function ensureWorkerBinEnv(env: Env = process.env): string {
  const found = workerBinCandidates(env).find(isExecutable);
  if (!found) {
    throw new ConveneError(
      'MEDIA_UNAVAILABLE',
      `No mediasoup-worker binary found (looked at: ${workerBinCandidates(env).join(', ')}). ` +
        'Run `npm run setup` or `bash scripts/mediasoup/ensure-worker.sh`.',
    );
  }
  env.MEDIASOUP_WORKER_BIN = found;
  return found;
}

type Mediasoup = typeof import('mediasoup');
let loading: Promise<Mediasoup> | undefined;

/** The mediasoup module, imported after MEDIASOUP_WORKER_BIN is set. */
export function loadMediasoup(): Promise<Mediasoup> {
  if (!loading) {
    ensureWorkerBinEnv(process.env);
    loading = import('mediasoup');
  }
  return loading;
}
