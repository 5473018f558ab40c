/**
 * A Convene server in its own process, for multi-process tests:
 * `node --import tsx test/helpers/spawn-server.ts` with REDIS_URL set.
 * Prints `LISTENING <port>` once it accepts connections; closes gracefully on SIGTERM.
 */
import { createConveneServer } from '../../server/app';
import { testConfig } from './server';

const server = await createConveneServer(testConfig({ redisUrl: process.env.REDIS_URL || null }), { next: false });
process.stdout.write(`LISTENING ${server.port}\n`);

process.once('SIGTERM', () => {
  server.close().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
});
