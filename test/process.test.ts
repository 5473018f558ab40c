/**
 * The real entry point, as `npm start` runs it: one process serving the app,
 * the API, Socket.IO and media on one port, and shutting down cleanly on a signal.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureNextBuild } from './helpers/next-build';
import { freePort } from './helpers/redis';
import { expectErr, expectOk } from './helpers/ack';
import { match } from './helpers/match';
import { client, connected, emit, next, TEST_SECRET } from './helpers/server';

const root = path.resolve(import.meta.dirname, '..');

function start(port: number): Promise<{ proc: ChildProcess; output: () => string; exited: Promise<number | null> }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      NEXTAUTH_SECRET: TEST_SECRET,
      MEDIASOUP_NUM_WORKERS: '1',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 60_000);
    proc.stdout.on('data', () => {
      if (out.includes('Convene is running')) {
        clearTimeout(timer);
        resolve({ proc, output: () => out, exited });
      }
    });
    void exited.then((code) => reject(new Error(`server exited with ${code}:\n${out}`)));
  });
}

describe('the server process', () => {
  let port: number;
  beforeAll(async () => {
    ensureNextBuild();
    port = await freePort();
  }, 300_000);

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`serves page, API and sockets on one port, and on ${signal} tells clients, refuses joins and exits 0 within 10 s`, async () => {
      const server = await start(port);
      try {
        const url = `http://127.0.0.1:${port}`;
        expect((await fetch(`${url}/`)).status).toBe(200);
        const created = (await (
          await fetch(`${url}/api/rooms`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{"title":"Signals"}',
          })
        ).json()) as { code: string };
        const socket = await connected(client(url));
        expectOk(await emit(socket, 'join-room', { roomCode: created.code, displayName: 'Stayer' }));
        expectOk(await emit(socket, 'get-router-capabilities')); // the SFU is up in the same process
        const late = await connected(client(url));

        const goingAway = next(socket, 'server-going-away');
        const closed = new Promise<string>((resolve) => socket.once('disconnect', resolve));
        const began = Date.now();
        server.proc.kill(signal);
        expect(await goingAway).toEqual({ reconnectAfterMs: match.any(Number) });
        const refused = await emit(late, 'join-room', { roomCode: created.code, displayName: 'Latecomer' }).catch(
          () => null,
        );
        if (refused) expectErr(refused, 'SHUTTING_DOWN'); // or the socket was already closed
        expect(await closed).toBe('io server disconnect');
        expect(await server.exited).toBe(0);
        expect(Date.now() - began).toBeLessThan(10_000);
        expect(server.output()).toContain('server closed');
        late.disconnect();
      } finally {
        if (server.proc.exitCode === null) server.proc.kill('SIGKILL');
      }
    }, 90_000);
  }
});
