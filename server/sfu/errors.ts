/**
 * The one path from an SFU failure to a protocol error: the SFU throws
 * ConveneError for what it refuses, and mediasoup's own errors are translated
 * here. Anything else thrown by the SFU is a bug and reaches clients as INTERNAL.
 */
// Only the error classes: this module has no imports of its own, so it does not
// load mediasoup's Worker before worker-bin.ts has set MEDIASOUP_WORKER_BIN.
import { NotFoundError, UnsupportedError, WorkerClosedError } from 'mediasoup/errors';
import { ConveneError } from '../../lib/protocol/errors';

/**
 * Translate an error thrown by mediasoup (3.21+) into a ConveneError where its
 * meaning is known:
 * - TypeError / UnsupportedError: bad parameters (rtpParameters,
 *   dtlsParameters, capabilities) → INVALID_PAYLOAD.
 * - NotFoundError: the worker no longer has the router, transport, producer
 *   or consumer the call named, because it closed while the request was on
 *   its way (a producer closing under its consumers, a participant leaving).
 *   Retrying cannot help and the entity's own close event follows →
 *   NOT_FOUND, which clients already read as "that went away".
 * - WorkerClosedError: the worker died or is closing; the Sfu rebuilds the
 *   room on a new worker → MEDIA_UNAVAILABLE, retry.
 */
export function fromMediasoupError(err: unknown, what: string): unknown {
  if (err instanceof ConveneError || !(err instanceof Error)) return err;
  if (err instanceof TypeError || err instanceof UnsupportedError) {
    return new ConveneError('INVALID_PAYLOAD', `${what}: ${err.message}`, { cause: err });
  }
  if (err instanceof NotFoundError) {
    return new ConveneError('NOT_FOUND', `${what}: it closed meanwhile`, { cause: err });
  }
  if (err instanceof WorkerClosedError) {
    return new ConveneError('MEDIA_UNAVAILABLE', `${what}: media server state changed, retry`, { cause: err });
  }
  return err;
}

/** Run a mediasoup call, translating its errors with fromMediasoupError. */
export async function mediaCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw fromMediasoupError(err, what);
  }
}
