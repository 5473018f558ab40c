/** Assertions on acks that also narrow them, so a test reads result or error fields type-checked. */
import { expect } from 'vitest';
import type { Ack, AckErr, AckOk, ClientEventResults, ErrorCode, RoomJoinedAck } from '../../lib/protocol';
import { match } from './match';

/** Asserts that `res` succeeded and returns it, narrowed to its result. */
export function expectOk<T extends object>(res: Ack<T>): AckOk<T> {
  if (!res.ok) expect.unreachable(`expected ok, got ${res.error.code}: ${res.error.message}`);
  return res;
}

/** Asserts that `res` failed with `code` (and a message), and returns it narrowed. */
export function expectErr(res: Ack, code: ErrorCode): AckErr {
  if (res.ok) expect.unreachable(`expected ${code}, got ok: ${JSON.stringify(res)}`);
  expect(res.error).toEqual({ code, message: match.any(String) });
  return res;
}

/** Asserts that a join-room ack joined (rather than waiting in the lobby), and returns it narrowed. */
export function expectJoined(res: Ack<ClientEventResults['join-room']>): AckOk<RoomJoinedAck> {
  const joined = expectOk(res);
  if ('pending' in joined) expect.unreachable('held in the waiting room');
  return joined;
}
