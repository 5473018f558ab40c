/** The HTTP API's logic (route handlers in app/api stay thin and call this). */
import { ConveneError, type ErrorBody } from '../../lib/protocol';
import type { ApiResult, HttpApi, RequestInfo } from '../../lib/http-api';
import type { Identity, IdentityService } from '../auth/identity';
import { guestIdentity } from '../auth/identity';
import type { Logger } from 'pino';
import type { MeetingService } from '../rooms/meetings';
import { knownToMeeting } from '../signaling/code-guard';
import type { RateLimiter } from '../signaling/rate-limits';
import type { RoomStore } from '../store/types';

const STATUS: Partial<Record<ErrorBody['code'], number>> = {
  INVALID_PAYLOAD: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  ROOM_NOT_FOUND: 404,
  RATE_LIMITED: 429,
  BANNED: 403,
};

export function createApiHandler(deps: {
  meetings: MeetingService;
  identity: IdentityService;
  limits: RateLimiter;
  /** Read only to let a meeting's creator and co-hosts past their IP's unknown-code block. */
  store: RoomStore;
  requireSignInToCreate: boolean;
  publicUrl: string | null;
  log: Logger;
}): HttpApi {
  const { meetings, identity, limits, log } = deps;

  /** The caller's identity; a browser with none gets a fresh guest identity and its cookie. */
  async function whoIs(req: RequestInfo): Promise<{ who: Identity; setCookie: string[] }> {
    const known = await identity.fromCookieHeader(req.cookieHeader);
    if (known) return { who: known, setCookie: [] };
    const gid = identity.newGuestId();
    return { who: guestIdentity(gid), setCookie: [identity.guestCookie(gid, req.origin.startsWith('https:'))] };
  }

  async function run(fn: () => Promise<ApiResult>): Promise<ApiResult> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof ConveneError)
        return {
          status: STATUS[err.code] ?? 409,
          body: { ok: false, error: { code: err.code, message: err.message } },
        };
      log.error({ err }, 'HTTP API error');
      return {
        status: 500,
        body: { ok: false, error: { code: 'INTERNAL', message: 'Something went wrong on the server' } },
      };
    }
  }

  async function lookup(req: RequestInfo, code: string) {
    const who = await identity.fromCookieHeader(req.cookieHeader);
    await limits.assertCodeLookupAllowed(req.ip, () => knownToMeeting({ store: deps.store, identity }, who, code));
    const summary = await meetings.summary(code, who);
    if (!summary) {
      await limits.recordUnknownCode(req.ip);
      throw new ConveneError('ROOM_NOT_FOUND', 'No meeting has this code');
    }
    return summary;
  }

  return {
    createRoom: (req, input) =>
      run(async () => {
        const { who, setCookie } = await whoIs(req);
        if (deps.requireSignInToCreate && who.kind !== 'user')
          throw new ConveneError('UNAUTHENTICATED', 'Sign in to create a meeting');
        await limits.consumeMeetingCreation(req.ip);
        const meeting = await meetings.create(who, input);
        log.info({ room: meeting.code, creator: who.kind }, 'meeting created');
        const url = `${deps.publicUrl ?? req.origin}/${meeting.code}`;
        return { status: 201, body: { ok: true, code: meeting.code, url }, setCookie };
      }),
    getRoom: (req, code) => run(async () => ({ status: 200, body: { ok: true, ...(await lookup(req, code)) } })),
    createJoinToken: (req, code) =>
      run(async () => {
        await lookup(req, code);
        const { who, setCookie } = await whoIs(req);
        // A fresh token is one more way back in: a banned identity gets none.
        if (await meetings.isBanned(code, who.key))
          throw new ConveneError('BANNED', 'You were removed from this meeting and cannot rejoin');
        const token = await identity.mintJoinToken(who, code, who.name);
        return { status: 201, body: { ok: true, token, expiresInSec: 600 }, setCookie };
      }),
  };
}
