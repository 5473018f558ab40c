/**
 * The one validate → act → ack wrapper every client event goes through.
 * Nothing throws across the socket boundary: domain errors reach the client
 * with their code, anything else becomes INTERNAL without its message.
 */
import type { z } from 'zod';
import { ConveneError, clientEventSchemas, type ClientEventName, type ClientEventResults, type ErrorBody, type ParsedPayload } from '../../lib/protocol';
import { describeIssue } from '../../lib/protocol/describe';
import { SfuError } from '../sfu/errors';
import type { IoSocket, SignalingDeps } from './context';
import type { Bucket } from './rate-limits';

type AnyAck = (res: unknown) => void;

export interface HandlerOptions {
  bucket: Bucket;
  /** Called with every failure, after the ack (join-room also emits `join-error`). */
  onError?: (socket: IoSocket, error: ErrorBody) => void;
}

export function toErrorBody(err: unknown, deps: Pick<SignalingDeps, 'log'>, event: string): ErrorBody {
  if (err instanceof ConveneError || err instanceof SfuError) return { code: err.code, message: err.message };
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

export function handle<E extends ClientEventName>(
  socket: IoSocket,
  deps: SignalingDeps,
  event: E,
  options: HandlerOptions,
  act: (payload: ParsedPayload<E>) => Promise<ClientEventResults[E]>,
): void {
  const schema = clientEventSchemas[event] as unknown as z.ZodType<ParsedPayload<E>>;
  socket.on(event as never, ((...args: unknown[]) => {
    const { payload, ack } = splitArgs(args);
    deps.metrics.events.inc({ event });
    const work = (async () => {
      await deps.limits.consume(options.bucket, socket.id);
      const parsed = schema.safeParse(payload);
      if (!parsed.success) throw new ConveneError('INVALID_PAYLOAD', describeIssue(parsed.error));
      return act(parsed.data);
    })();
    void deps.lifecycle.track(
      work.then(
        (result) => ack?.({ ...result, ok: true }),
        (err: unknown) => {
          const error = toErrorBody(err, deps, event);
          deps.metrics.errors.inc({ code: error.code });
          deps.log.debug({ event, code: error.code, socket: socket.id }, 'event refused');
          reply(socket, ack, error);
          options.onError?.(socket, error);
        },
      ),
    );
  }) as never);
}
