/**
 * One attacker, in its own process (so its CPU is not the victims'):
 *   node --import tsx bench/abuse/attacker.ts
 * `start` begins the attack named in its arguments and returns at once;
 * `peek` tells what the attacker got so far; `stop` ends it and tells all of it.
 */
import { emitEvent, serve } from '../lib/rpc';
import { SelfMeter } from '../lib/stats';
import { attacks, type Attack, type AttackKind, type AttackTarget } from './attacks';

const meter = new SelfMeter();
let attack: Attack | null = null;

const api = {
  start: ({ kind, target }: { kind: AttackKind; target: AttackTarget }) => {
    if (attack) throw new Error('already attacking');
    meter.start();
    attack = attacks[kind](target);
    return { started: performance.now() };
  },
  peek: () => {
    if (!attack) throw new Error('not attacking');
    return attack.peek();
  },
  stop: () => {
    if (!attack) throw new Error('not attacking');
    const stats = attack.stop();
    attack = null;
    return { ...stats, self: meter.read() };
  },
};
export type AttackerApi = typeof api;
serve(api);
emitEvent('ready', { pid: process.pid });
