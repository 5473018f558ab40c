import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findOldMediasoup, OLD_MEDIASOUP } from '../../bench/sfu/versions';

const dir = mkdtempSync(path.join(os.tmpdir(), 'convene-bench-versions-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the SFU suite against an older mediasoup', () => {
  it('is skipped, naming the missing worker and how to get one, when the old version is not cached', () => {
    const found = findOldMediasoup({ CONVENE_CACHE_DIR: path.join(dir, 'empty') });
    expect(found.ok).toBe(false);
    const reason = found.ok ? '' : found.reason;
    expect(reason).toContain(path.join(dir, 'empty', 'mediasoup', OLD_MEDIASOUP.version, 'mediasoup-worker'));
    expect(reason).toContain(`releases/tag/${OLD_MEDIASOUP.version}`);
  });

  it("is skipped when the cached file is not a runnable worker (it must exit 41 without mediasoup's env)", () => {
    const cache = path.join(dir, 'broken');
    const bin = path.join(cache, 'mediasoup', OLD_MEDIASOUP.version, 'mediasoup-worker');
    mkdirSync(path.dirname(bin), { recursive: true });
    writeFileSync(bin, '#!/bin/sh\nexit 1\n');
    chmodSync(bin, 0o755);
    expect(findOldMediasoup({ CONVENE_CACHE_DIR: cache }).ok).toBe(false);
  });

  it('runs with the aliased package and the cached worker of the same version', () => {
    const cache = path.join(dir, 'cache');
    const bin = path.join(cache, 'mediasoup', OLD_MEDIASOUP.version, 'mediasoup-worker');
    mkdirSync(path.dirname(bin), { recursive: true });
    writeFileSync(bin, '#!/bin/sh\nexit 41\n');
    chmodSync(bin, 0o755);
    expect(findOldMediasoup({ CONVENE_CACHE_DIR: cache })).toEqual({
      ok: true,
      version: OLD_MEDIASOUP.version,
      pkg: OLD_MEDIASOUP.pkg,
      workerBin: bin,
    });
  });

  it('is skipped when the aliased package is not installed (npm install --omit=dev)', () => {
    const old = { version: OLD_MEDIASOUP.version, pkg: 'mediasoup-not-installed' };
    const found = findOldMediasoup({ CONVENE_CACHE_DIR: path.join(dir, 'cache') }, old);
    expect(found.ok).toBe(false);
    expect(found.ok ? '' : found.reason).toContain('not installed');
  });
});
