/**
 * A cluster node for tests that need no pages: what `npm start`
 * (server/index.ts) runs, configured from the same environment variables, but
 * without Next (whose production server costs each node seconds and memory).
 * CLUSTER_NODE_MEDIA=0 leaves the SFU out too.
 */
import { createConveneServer } from '../../server/app';
import { loadConfig } from '../../server/config';
import { loadSfuConfig } from '../../server/sfu';
import { closeOnSignals } from '../../server/signals';

const config = loadConfig();
const media = process.env.CLUSTER_NODE_MEDIA === '0' ? false : loadSfuConfig();
const server = await createConveneServer(config, { next: false, media });
console.log(`Convene is running at http://${config.host}:${server.port} (${server.store.kind} store)`);
closeOnSignals(server, config.shutdownTimeoutMs);
