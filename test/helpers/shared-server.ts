/**
 * One server per test file and the sockets each test opens, closed after every
 * test so no test inherits another's connections.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { ConveneServer } from '../../server/app';
import { joined, startServer, type Client } from './server';

export function sharedServer(...args: Parameters<typeof startServer>) {
  let server: ConveneServer | undefined;
  const sockets: Client[] = [];
  beforeAll(async () => {
    server = await startServer(...args);
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.disconnect();
  });
  afterAll(() => server?.close());
  const get = () => {
    if (!server) throw new Error('server not started yet (use it inside a test)');
    return server;
  };
  return {
    get server() {
      return get();
    },
    /** Closes `socket` after the current test. */
    track<T extends Client>(socket: T): T {
      sockets.push(socket);
      return socket;
    },
    /** Connects, joins `code` as `name` (closed after the test). */
    async join(code: string, name: string, opts?: Parameters<typeof joined>[3]) {
      const j = await joined(get(), code, name, opts);
      sockets.push(j.socket);
      return j;
    },
  };
}
