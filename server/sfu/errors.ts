/**
 * The one path from an SFU failure to a protocol error: the SFU throws
 * ConveneError for what it refuses, and mediasoup's own errors are translated
 * here. Anything else thrown by the SFU is a bug and reaches clients as INTERNAL.
 */
// Only the error classes: this module has no imports of its own, so it does not
// load mediasoup's Worker before worker-bin.ts has set MEDIASOUP_WORKER_BIN.
import { NotFoundError, UnsupportedError, WorkerClosedError } from 'mediasoup/errors';
import { ConveneError } from '../../lib/protocol/errors';
import type { SfuLogger } from './types';

/**
 * The worker reports some refusals of a client's parameters as a plain Error,
 * told apart only by its reason (worker/src/RTC/RtpListener.cpp,
 * WebRtcTransport.cpp): an SSRC, MID or RID another producer on the transport
 * already uses, and a second connect() of one transport. The SFU tests pin
 * these texts against the real worker, so a mediasoup upgrade that rewords
 * them fails there rather than turning them back into INTERNAL.
 */
const BAD_PARAMETERS = [/already exists in RTP listener/, /^connect\(\) already called/];

/**
 * Out of media sockets: the port range is used up (PortManager.cpp), a port
 * could not be bound, or the worker's WebRtcServer is gone (Router.cpp).
 */
const NO_MEDIA_PORT = [
  /^no more available ports/,
  /^uv_(udp|tcp)_bind\(\) failed/,
  /^uv_listen\(\) failed/,
  /^wrong webRtcServerId/,
];

/** What a client sees when the server has no media port left for it. */
export const NO_MEDIA_PORT_MESSAGE = 'The media server has no free network port for you right now; try again later';

/**
 * Translate an error thrown by mediasoup (3.21+) into a ConveneError where its
 * meaning is known:
 * - TypeError / UnsupportedError, and the worker's BAD_PARAMETERS reasons:
 *   bad parameters (rtpParameters, dtlsParameters, capabilities, a duplicate
 *   SSRC, a second connect) → INVALID_PAYLOAD.
 * - NotFoundError: the worker no longer has the router, transport, producer
 *   or consumer the call named, because it closed while the request was on
 *   its way (a producer closing under its consumers, a participant leaving).
 *   Retrying cannot help and the entity's own close event follows →
 *   NOT_FOUND, which clients already read as "that went away".
 * - WorkerClosedError: the worker died or is closing; the Sfu rebuilds the
 *   room on a new worker → MEDIA_UNAVAILABLE, retry.
 * - NO_MEDIA_PORT reasons: ports are used up → MEDIA_UNAVAILABLE, retry later.
 */
export function fromMediasoupError(err: unknown, what: string): unknown {
  if (err instanceof ConveneError || !(err instanceof Error)) return err;
  if (err instanceof TypeError || err instanceof UnsupportedError || matches(err, BAD_PARAMETERS)) {
    return new ConveneError('INVALID_PAYLOAD', `${what}: ${err.message}`, { cause: err });
  }
  if (err instanceof NotFoundError) {
    return new ConveneError('NOT_FOUND', `${what}: it closed meanwhile`, { cause: err });
  }
  if (err instanceof WorkerClosedError) {
    return new ConveneError('MEDIA_UNAVAILABLE', `${what}: media server state changed, retry`, { cause: err });
  }
  if (matches(err, NO_MEDIA_PORT)) {
    return new ConveneError('MEDIA_UNAVAILABLE', NO_MEDIA_PORT_MESSAGE, { cause: err });
  }
  return err;
}

function matches(err: Error, reasons: RegExp[]): boolean {
  // mediasoup's Error subclasses (NotFoundError…) have their own meaning; only a plain Error carries these reasons.
  return err.constructor === Error && reasons.some((r) => r.test(err.message));
}

/**
 * Run a mediasoup call, translating its errors with fromMediasoupError. With
 * a logger, a refusal that the operator should see (bad parameters from a
 * client, ports used up) is logged at warn with mediasoup's reason and no
 * stack: it is the client's doing or a capacity limit, not a server bug.
 */
export async function mediaCall<T>(
  what: string,
  fn: () => Promise<T>,
  log?: { logger: SfuLogger; context: object },
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const mapped = fromMediasoupError(err, what);
    if (log && mapped !== err && mapped instanceof ConveneError) logRefusal(log.logger, log.context, what, mapped);
    throw mapped;
  }
}

function logRefusal(logger: SfuLogger, context: object, what: string, err: ConveneError): void {
  const reason = err.cause instanceof Error ? err.cause.message : err.message;
  if (err.code === 'INVALID_PAYLOAD') logger.warn({ ...context, what, reason }, 'mediasoup refused the parameters');
  else if (err.message === NO_MEDIA_PORT_MESSAGE)
    logger.warn({ ...context, what, reason }, 'no free media port: widen MEDIASOUP_RTC_MIN_PORT/MAX_PORT');
}
