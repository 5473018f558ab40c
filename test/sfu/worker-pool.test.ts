import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sfu } from '../../server/sfu/sfu';
import { startSfu } from './helpers';

// The one file with two workers: placement and per-worker recovery need a choice.
let sfu: Sfu;
beforeAll(async () => {
  ({ sfu } = await startSfu({ MEDIASOUP_NUM_WORKERS: '2' }));
});
afterAll(() => sfu.close());

describe('WorkerPool with two workers', () => {
  it('spreads rooms created at the same moment over both workers', async () => {
    const rooms = await Promise.all(['p1', 'p2', 'p3', 'p4'].map((code) => sfu.room(code)));
    expect(sfu.workerStats().map((w) => w.routers)).toEqual([2, 2]);
    expect(new Set(rooms.map((r) => r.workerPid)).size).toBe(2);
    await Promise.all(['p1', 'p2', 'p3', 'p4'].map((code) => sfu.closeRoom(code)));
  });

  it('resets only the rooms of the worker that died', async () => {
    const [x, y] = await Promise.all([sfu.room('x'), sfu.room('y')]);
    expect(x.workerPid).not.toBe(y.workerPid);
    const reset: string[] = [];
    sfu.onRoomMediaReset((code) => reset.push(code));
    const yPid = y.workerPid;
    const dead = x.workerPid;
    process.kill(dead, 'SIGKILL');
    await expect.poll(() => reset, { timeout: 5000 }).toEqual(['x']);
    expect(x.workerPid).not.toBe(dead);
    expect(y.workerPid).toBe(yPid);
    expect(sfu.workerStats()).toHaveLength(2);
    expect(sfu.workerStats().every((w) => w.pid !== dead)).toBe(true);
    await sfu.closeRoom('x');
    await sfu.closeRoom('y');
  });
});
