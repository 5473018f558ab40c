/** `npm start` / `npm run dev`: load .env, parse config, serve, and shut down cleanly on signals. */
import nextEnv from '@next/env';
import { createConveneServer } from './app';
import { loadConfig } from './config';
import { loadSfuConfig } from './sfu';
import { closeOnSignals } from './signals';

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
// A node bound to one address (HOST=127.0.0.2 in a cluster) is not reachable as localhost.
const shownHost = ['0.0.0.0', '::'].includes(config.host)
  ? 'localhost'
  : config.host.includes(':')
    ? `[${config.host}]`
    : config.host;
console.log(`Convene is running at http://${shownHost}:${server.port} (${server.store.kind} store)`);

closeOnSignals(server, config.shutdownTimeoutMs);
