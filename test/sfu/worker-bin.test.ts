import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cachedWorkerPath, ensureWorkerBinEnv } from '../../server/sfu/worker-bin';

const dir = mkdtempSync(path.join(os.tmpdir(), 'convene-worker-bin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fakeBinary(file: string): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, '#!/bin/sh\nexit 41\n');
  chmodSync(file, 0o755);
  return file;
}

describe('worker binary resolution at startup', () => {
  it('points MEDIASOUP_WORKER_BIN at the cached binary when it is unset', () => {
    const env: Record<string, string | undefined> = { CONVENE_CACHE_DIR: path.join(dir, 'cache') };
    const cached = fakeBinary(cachedWorkerPath(env));
    expect(cached).toBe(path.join(dir, 'cache', 'mediasoup', '3.27.1', 'mediasoup-worker'));
    expect(ensureWorkerBinEnv(env)).toBe(cached);
    expect(env.MEDIASOUP_WORKER_BIN).toBe(cached);
  });

  it('keeps an executable MEDIASOUP_WORKER_BIN the user set', () => {
    const own = fakeBinary(path.join(dir, 'own', 'mediasoup-worker'));
    const env: Record<string, string | undefined> = {
      MEDIASOUP_WORKER_BIN: own,
      CONVENE_CACHE_DIR: path.join(dir, 'cache'),
    };
    expect(ensureWorkerBinEnv(env)).toBe(own);
  });

  it('uses XDG_CACHE_HOME/convene when CONVENE_CACHE_DIR is unset', () => {
    expect(cachedWorkerPath({ XDG_CACHE_HOME: '/x' }, '9.9.9')).toBe('/x/convene/mediasoup/9.9.9/mediasoup-worker');
    expect(cachedWorkerPath({ HOME: '/h' }, '9.9.9')).toBe('/h/.cache/convene/mediasoup/9.9.9/mediasoup-worker');
  });
});
