/**
 * The one validate → act → ack path every client event goes through.
 * Each feature exports its share of one table of handlers, and every socket
 * gets a single listener that looks the event up in it: no closures or
 * EventEmitter entries per event and connection, which at thousands of
 * sockets was a measurable share of join CPU and heap.
 * Nothing throws across the socket boundary: domain errors reach the client
 * with their code, anything else becomes INTERNAL without its message.
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
    const { payload, ack } = splitArgs(args);
    // Own keys only: an event named "constructor" or "__proto__" is unknown, not a prototype lookup.
    if (typeof event !== 'string' || !Object.hasOwn(table, event)) {
      deps.metrics.events.inc({ event: 'unknown' });
      deps.metrics.errors.inc({ code: 'INVALID_PAYLOAD' });
      const name = typeof event === 'string' ? event.slice(0, 64) : typeof event;
      reply(this, ack, { code: 'INVALID_PAYLOAD', message: `Unknown event: ${name}` });
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
    const result = await handler.act(c, parsed.data);
    ack?.({ ...result, ok: true });
  } catch (err) {
    const error = toErrorBody(err, deps, event);
    deps.metrics.errors.inc({ code: error.code });
    deps.log.debug({ event, code: error.code, socket: socket.id }, 'event refused');
    reply(socket, ack, error);
    handler.onError?.(socket, error);
  }
}
