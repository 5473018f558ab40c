/** The only error codes the SFU lets reach the signaling layer. */
export type SfuErrorCode = 'NOT_FOUND' | 'FORBIDDEN' | 'INVALID_PAYLOAD' | 'SHARE_LIMIT_REACHED' | 'MEDIA_UNAVAILABLE';

/** A domain error with a closed `code`; anything else thrown by the SFU is a bug (INTERNAL). */
export class SfuError extends Error {
  override readonly name = 'SfuError';

  constructor(
    readonly code: SfuErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isSfuError(err: unknown): err is SfuError {
  return err instanceof SfuError;
}

/**
 * Translate an error thrown by mediasoup into an SfuError where its meaning is
 * known: mediasoup throws TypeError / UnsupportedError for bad parameters
 * (rtpParameters, dtlsParameters, capabilities) and InvalidStateError once a
 * router, transport or worker is closed (e.g. the worker died mid-request).
 * mediasoup exports these classes as types only, so match on `name`.
 */
export function fromMediasoupError(err: unknown, what: string): unknown {
  if (err instanceof SfuError || !(err instanceof Error)) return err;
  if (err instanceof TypeError || err.name === 'UnsupportedError') {
    return new SfuError('INVALID_PAYLOAD', `${what}: ${err.message}`, { cause: err });
  }
  if (err.name === 'InvalidStateError') {
    return new SfuError('MEDIA_UNAVAILABLE', `${what}: media server state changed, retry`, { cause: err });
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
