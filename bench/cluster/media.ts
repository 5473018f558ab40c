/**
 * The failover and Redis-outage measures, in their own process pinned to the
 * generator core (the emulated participants run here; the cluster they
 * measure is pinned to the server core). Driven by the suite over bench/lib/rpc.ts.
 */
import { emitEvent, serve } from '../lib/rpc';
import { runFailover, type FailoverOptions } from './failover';
import { runOutage, type OutageOptions } from './outage';

// Progress goes to stderr, which the suite's process shares.
const log = (line: string) => void process.stderr.write(`${line}\n`);

const api = {
  failover: (o: Omit<FailoverOptions, 'log'>) => runFailover({ ...o, log }),
  outage: (o: Omit<OutageOptions, 'log'>) => runOutage({ ...o, log }),
};
export type MediaApi = typeof api;
serve(api);
emitEvent('ready');
