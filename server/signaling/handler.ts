/**
 * The one validate → act → ack path every client event goes through.
 * Each feature exports its share of one table of handlers, and every socket
 * gets a single listener that looks the event up in it: no closures or
 * EventEmitter entries per event and connection, which at thousands of
 * sockets was a measurable share of join CPU and heap.
 * Nothing throws across the socket boundary: domain errors reach the client
 * with their code, anything else becomes INTERNAL without its message.
 * A socket that keeps being refused is a flood, not a client: it is dropped
 * and its IP cools down, instead of being answered event by event.
 */
import type { z } from 'zod';
import {
  ConveneError,
  clientEventSchemas,
  type ClientEventName,
  type ClientEventResults,
  type ErrorBody,
  type ParsedPayload,
} from '../../lib/protocol';
import { describeIssue } from '../../lib/protocol/describe';
import { isRedisDown, redisUnavailable } from '../cluster/redis-errors';
import { cutConnection } from './connection-guard';
import type { IoSocket, SignalingDeps } from './context';
import type { GraceTimers } from './presence';
import type { Bucket } from './rate-limits';

type AnyAck = (res: unknown) => void;

/** What a handler acts with: the socket that sent the event and the server around it. */
export interface EventContext {
  socket: IoSocket;
  deps: SignalingDeps;
  grace: GraceTimers;
}

export interface EventHandler<E extends ClientEventName> {
  bucket: Bucket;
  /** Called with every failure, after the ack (join-room also emits `join-error`). */
  onError?: (socket: IoSocket, error: ErrorBody) => void;
  act: (c: EventContext, payload: ParsedPayload<E>) => Promise<ClientEventResults[E]>;
}

/** One feature's share of the table. */
export type EventHandlers = { [E in ClientEventName]?: EventHandler<E> };
/** The whole table: the compiler checks that every client event has its handler. */
export type EventTable = { [E in ClientEventName]: EventHandler<E> };

export function toErrorBody(err: unknown, deps: Pick<SignalingDeps, 'log'>, event: string): ErrorBody {
  if (err instanceof ConveneError) return { code: err.code, message: err.message };
  if (isRedisDown(err)) {
    deps.log.warn({ err: (err as Error).message, event }, 'redis unavailable');
    const { code, message } = redisUnavailable();
    return { code, message };
  }
  deps.log.error({ err, event }, 'unexpected error in handler');
  return { code: 'INTERNAL', message: 'Something went wrong on the server' };
}

/** Splits Socket.IO's variadic arguments into payload and ack. */
export function splitArgs(args: unknown[]): { payload: unknown; ack: AnyAck | undefined } {
  const last = args[args.length - 1];
  const ack = typeof last === 'function' ? (last as AnyAck) : undefined;
  return { payload: ack && args.length === 1 ? undefined : args[0], ack };
}

export function reply(socket: IoSocket, ack: AnyAck | undefined, error: ErrorBody): void {
  if (ack) ack({ ok: false, error });
  else socket.emit('error', error);
}

/**
 * Events that reach the whole room (or its host): each also spends a point of
 * the room's shared budget, so many sockets each within their own allowance
 * cannot together bury everyone else. `typing` spends it in its handler, and
 * only when it is relayed.
 */
const ROOM_BROADCASTS: ReadonlySet<ClientEventName> = new Set([
  'send-message',
  'react',
  'raise-hand',
  'lower-hand',
] satisfies ClientEventName[]);

/**
 * The only events a connection in no meeting may send: joining, leaving
 * (which withdraws a knock), and asking for the router's capabilities. Every
 * other one is refused at once.
 */
const WITHOUT_MEETING: ReadonlySet<ClientEventName> = new Set([
  'join-room',
  'leave-room',
  // The pre-join loads its media device before the click (issue 15).
  'get-router-capabilities',
] satisfies ClientEventName[]);

/** Refusals that only a broken or hostile client collects by the hundred. */
const FLOOD_CODES: ReadonlySet<ErrorBody['code']> = new Set(['RATE_LIMITED', 'INVALID_PAYLOAD', 'NOT_IN_ROOM']);

/**
 * What one refusal counts for. Browsers send `typing` on every keystroke, and
 * a held key repeats 30 to 60 times a second (socket.io-client also replays
 * what was typed while disconnected, before the rejoin): its refusals count a
 * quarter, so a person never adds up to a flood, and a flooder still does.
 */
const weight = (event: string, code: ErrorBody['code']) =>
  event === 'typing' && (code === 'RATE_LIMITED' || code === 'NOT_IN_ROOM') ? 0.25 : 1;

/**
 * Counts a refusal against the socket (a fixed window kept on the socket
 * itself: no map, no timer, gone with the socket). Past the cap the socket is
 * dropped at once, without an answer, and its IP cools down. Returns whether
 * it was dropped.
 */
function refused(socket: IoSocket, deps: SignalingDeps, strike = 1): boolean {
  const { refusals, windowMs } = deps.config.caps.flood;
  const r = socket.data.refusals;
  const now = Date.now();
  if (now - r.since > windowMs) {
    r.since = now;
    r.count = 0;
  }
  r.count += strike;
  if (r.count < refusals) return false;
  socket.data.dropped = true;
  deps.metrics.dropped.inc({ reason: 'flood' });
  deps.log.warn({ ip: socket.data.ip, socket: socket.id, refusals: r.count }, 'socket dropped for flooding');
  void deps.limits.coolDown(socket.data.ip).catch((err: unknown) => deps.log.error({ err }, 'cool-down not recorded'));
  cutConnection(socket.conn);
  return true;
}

/**
 * The listener every socket registers with `socket.onAny`; Socket.IO calls it
 * with the socket as `this`, so one function serves every connection.
 * onAny listeners run before per-socket `socket.use` middlewares: a check
 * that must come first belongs here, not in such a middleware (there are none).
 */
export function dispatcher(
  table: EventTable,
  deps: SignalingDeps,
  grace: GraceTimers,
): (this: IoSocket, event: unknown, ...args: unknown[]) => void {
  return function dispatch(this: IoSocket, event: unknown, ...args: unknown[]): void {
    // Packets already received from a socket being dropped get no work and no answer.
    if (this.data.dropped) return;
    const { payload, ack } = splitArgs(args);
    // Own keys only: an event named "constructor" or "__proto__" is unknown, not a prototype lookup.
    if (typeof event !== 'string' || !Object.hasOwn(table, event)) {
      deps.metrics.events.inc({ event: 'unknown' });
      deps.metrics.errors.inc({ code: 'INVALID_PAYLOAD' });
      if (refused(this, deps)) return;
      const name = typeof event === 'string' ? event.slice(0, 64) : typeof event;
      reply(this, ack, { code: 'INVALID_PAYLOAD', message: `Unknown event: ${name}` });
      return;
    }
    if (!this.data.membership && !WITHOUT_MEETING.has(event as ClientEventName)) {
      // Nothing to act on: refused here, without a rate limiter, a parse or a promise, and
      // counted at once. A flood from outside any meeting is then cut within the packets
      // of its first read, instead of after hundreds of them went through the full path.
      deps.metrics.events.inc({ event });
      deps.metrics.errors.inc({ code: 'NOT_IN_ROOM' });
      if (refused(this, deps, weight(event, 'NOT_IN_ROOM'))) return;
      reply(this, ack, { code: 'NOT_IN_ROOM', message: 'Join a meeting first' });
      return;
    }
    void deps.lifecycle.track(
      run(
        table[event as ClientEventName] as EventHandler<ClientEventName>,
        event as ClientEventName,
        { socket: this, deps, grace },
        payload,
        ack,
      ),
    );
  };
}

async function run<E extends ClientEventName>(
  handler: EventHandler<E>,
  event: E,
  c: EventContext,
  payload: unknown,
  ack: AnyAck | undefined,
): Promise<void> {
  const { socket, deps } = c;
  deps.metrics.events.inc({ event });
  try {
    await deps.limits.consume(handler.bucket, socket.id);
    const schema = clientEventSchemas[event] as unknown as z.ZodType<ParsedPayload<E>>;
    const parsed = schema.safeParse(payload);
    if (!parsed.success) throw new ConveneError('INVALID_PAYLOAD', describeIssue(parsed.error));
    const m = socket.data.membership;
    if (m && ROOM_BROADCASTS.has(event))
      await deps.limits.consumeRoomBroadcast(m.roomCode, socket.data.ip, m.participantId);
    const result = await handler.act(c, parsed.data);
    ack?.({ ...result, ok: true });
  } catch (err) {
    const error = toErrorBody(err, deps, event);
    deps.metrics.errors.inc({ code: error.code });
    if (socket.data.dropped || (FLOOD_CODES.has(error.code) && refused(socket, deps, weight(event, error.code))))
      return;
    deps.log.debug({ event, code: error.code, socket: socket.id }, 'event refused');
    reply(socket, ack, error);
    handler.onError?.(socket, error);
  }
}
