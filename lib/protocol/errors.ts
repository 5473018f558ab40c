/**
 * The one closed set of error codes a client can receive, in an ack
 * (`{ ok: false, error: { code, message } }`), in `join-error` or in `error`.
 * The first thirteen are the fixed contract of the predecessor protocol.
 */
export const ERROR_CODES = [
  'INVALID_PAYLOAD',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'ROOM_NOT_FOUND',
  'ROOM_LOCKED',
  'ROOM_FULL',
  'BANNED',
  'NOT_IN_ROOM',
  'RATE_LIMITED',
  'INVALID_NAME',
  'MEETING_ENDED',
  'JOIN_FAILED',
  'INTERNAL',
  /** The host denied a knock from the waiting room. */
  'DENIED',
  /** The named participant, producer, transport or consumer does not exist. */
  'NOT_FOUND',
  /** Someone else is already sharing and the room allows no more sharers. */
  'SHARE_LIMIT_REACHED',
  /** The SFU could not serve the request (e.g. it is recovering from a worker failure). */
  'MEDIA_UNAVAILABLE',
  /** The server is shutting down and takes no new joins; reconnect later. */
  'SHUTTING_DOWN',
  /** A cap on what one participant may hold is reached (e.g. consumers per participant); close something first. */
  'LIMIT_REACHED',
  /**
   * What was asked needs another node or Redis, and neither answered in time
   * (Redis down, or the meeting's node died and it is moving). Retry shortly.
   */
  'UNAVAILABLE',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorBody {
  code: ErrorCode;
  message: string;
}

export type AckOk<T extends object = object> = { ok: true } & T;
export type AckErr = { ok: false; error: ErrorBody };
export type Ack<T extends object = object> = AckOk<T> | AckErr;

/** A domain error with a code from the closed union; its message is safe to show. */
export class ConveneError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConveneError';
    this.code = code;
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}
