/**
 * An idle process whose only job is to notice when it is not scheduled: its
 * event-loop delay is the machine's own noise floor on that core (neighbours,
 * the hypervisor), reported next to every latency so a miss can be told apart.
 */
import { serve, emitEvent } from './rpc';
import { SelfMeter } from './stats';

const meter = new SelfMeter();
const api = { mark: () => meter.start(), read: () => meter.read() };
export type JitterApi = typeof api;
serve(api);
emitEvent('ready', { pid: process.pid });
