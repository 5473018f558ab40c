/** `npm start` / `npm run dev`: load .env, parse config, serve, and shut down cleanly on signals. */
import nextEnv from '@next/env';
import { createConveneServer } from './app';
import { loadConfig } from './config';
import { loadSfuConfig } from './sfu';

const dev = process.env.NODE_ENV !== 'production';
if (dev) process.env.CONVENE_NEXT_DIST_DIR ??= '.next-dev';
nextEnv.loadEnvConfig(process.cwd(), dev);

let config;
let media;
try {
  config = loadConfig();
  media = loadSfuConfig();
} catch (err) {
  console.error(`convene: ${(err as Error).message}`);
  process.exit(1);
}

const server = await createConveneServer(config, { next: { dev }, media });
console.log(`Convene is running at http://localhost:${server.port} (${server.store.kind} store)`);

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    server.log.info({ signal }, 'shutting down');
    setTimeout(() => {
      server.log.error('shutdown took too long; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        server.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
