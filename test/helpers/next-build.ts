/**
 * Builds the Next.js app for the suites that serve it, unless an up-to-date build exists.
 * (`npm run setup` builds too; this keeps `npm test` self-sufficient on a fresh clone.)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

function stale(): boolean {
  const buildId = path.join(root, '.next', 'BUILD_ID');
  const sources = ['app', 'components', 'lib', 'public'].map((d) => path.join(root, d)).filter(existsSync);
  // The lockfile too: the bundle holds dependencies (an upgraded mediasoup-client must not be tested as the old one).
  const lock = path.join(root, 'package-lock.json');
  const newest = Math.max(...sources.map(newestMtime), existsSync(lock) ? statSync(lock).mtimeMs : 0);
  return !existsSync(buildId) || newest > statSync(buildId).mtimeMs;
}

const LOCK = path.join(root, '.next-build.lock');

export function ensureNextBuild(): void {
  if (!stale()) return;
  // Two test runs in one tree must not build into the same .next at once:
  // mkdir is atomic, so whoever creates the lock builds and the other waits.
  const deadline = Date.now() + 600_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`gave up waiting for ${LOCK}; remove it if no build is running`);
      execFileSync('sleep', ['1']);
    }
  }
  try {
    if (stale())
      execFileSync('npx', ['next', 'build'], {
        cwd: root,
        stdio: 'inherit',
        env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
      });
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}
