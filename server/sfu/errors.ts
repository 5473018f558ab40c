/**
 * The one path from an SFU failure to a protocol error: the SFU throws
 * ConveneError for what it refuses, and mediasoup's own errors are translated
 * here. Anything else thrown by the SFU is a bug and reaches clients as INTERNAL.
 */
import { ConveneError } from '../../lib/protocol/errors';

/**
 * Translate an error thrown by mediasoup into a ConveneError where its meaning
 * is known: mediasoup throws TypeError / UnsupportedError for bad parameters
 * (rtpParameters, dtlsParameters, capabilities) and InvalidStateError once a
 * router, transport or worker is closed (e.g. the worker died mid-request).
 * mediasoup exports these classes as types only, so match on `name`.
 */
export function fromMediasoupError(err: unknown, what: string): unknown {
  if (err instanceof ConveneError || !(err instanceof Error)) return err;
  if (err instanceof TypeError || err.name === 'UnsupportedError') {
    return new ConveneError('INVALID_PAYLOAD', `${what}: ${err.message}`, { cause: err });
  }
  if (err.name === 'InvalidStateError') {
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
