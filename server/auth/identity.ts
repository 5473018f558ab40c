/**
 * Who is on the other end of a request or socket. Identity only ever comes
 * from something the server signed: a next-auth session, the guest-identity
 * cookie, or a join token. A client's own `userId` claim is never used.
 */
import { SignJWT, jwtVerify } from 'jose';
import { getToken } from 'next-auth/jwt';
import { parseCookies, serializeCookie } from './cookies';
import { hmac, safeEqual, sign, unsign } from './signing';
import { randomId } from '../random-id';

export interface Identity {
  /** `user:<id>` or `guest:<id>`: what bans, host ownership and resume tokens bind to. */
  key: string;
  kind: 'user' | 'guest';
  id: string;
  /** The session's or token's display name, when it has one. */
  name: string | null;
  /** Minted for a connection that brought no cookie or token (non-browser clients keep no cookies). */
  ephemeral?: boolean;
}

export const GUEST_COOKIE = 'convene_gid';
const GUEST_PURPOSE = 'guest-identity';
const GUEST_COOKIE_MAX_AGE = 400 * 24 * 3600; // the longest browsers honour
const JOIN_TOKEN_TTL = '10m';

export function guestIdentity(id: string): Identity {
  return { key: `guest:${id}`, kind: 'guest', id, name: null };
}

export function userIdentity(id: string, name: string | null): Identity {
  return { key: `user:${id}`, kind: 'user', id, name };
}

export class IdentityService {
  readonly #secret: string;
  readonly #jwtKey: Uint8Array;

  constructor(secret: string) {
    this.#secret = secret;
    this.#jwtKey = new TextEncoder().encode(`convene-join-token:${secret}`);
  }

  newGuestId(): string {
    return randomId(16);
  }

  guestCookie(guestId: string, secure: boolean): string {
    return serializeCookie(GUEST_COOKIE, sign(this.#secret, GUEST_PURPOSE, guestId), {
      maxAgeSec: GUEST_COOKIE_MAX_AGE,
      secure,
    });
  }

  /** The guest id from a verified guest cookie, or null. */
  guestIdFromCookies(cookies: Record<string, string>): string | null {
    const raw = cookies[GUEST_COOKIE];
    return raw ? unsign(this.#secret, GUEST_PURPOSE, raw) : null;
  }

  /** The signed-in user from a next-auth session cookie (`__Secure-` on https), or null. */
  async userFromCookies(
    cookies: Record<string, string>,
    headers: Record<string, string | string[] | undefined>,
  ): Promise<Identity | null> {
    const names = Object.keys(cookies);
    // No session cookie (plain or chunked): skip next-auth's cookie and JWT machinery, the common case for guests.
    if (!names.some((n) => n.startsWith('next-auth.session-token') || n.startsWith('__Secure-next-auth.session-token')))
      return null;
    const secure = names.some((n) => n.startsWith('__Secure-next-auth.session-token'));
    try {
      // next-auth v4 reads `req.cookies`, not the header, so hand it the parsed map.
      const token = await getToken({ req: { cookies, headers } as never, secret: this.#secret, secureCookie: secure });
      if (!token?.sub) return null;
      return userIdentity(token.sub, typeof token.name === 'string' ? token.name : null);
    } catch {
      return null;
    }
  }

  /** Identity from a request's cookie header: session first, then guest cookie. */
  async fromCookieHeader(cookieHeader: string | undefined | null): Promise<Identity | null> {
    const cookies = parseCookies(cookieHeader);
    const user = await this.userFromCookies(cookies, { cookie: cookieHeader ?? undefined });
    if (user) return user;
    const gid = this.guestIdFromCookies(cookies);
    return gid ? guestIdentity(gid) : null;
  }

  async mintJoinToken(identity: Identity, roomCode: string, name: string | null): Promise<string> {
    return new SignJWT({ kind: identity.kind, id: identity.id, name, room: roomCode })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('convene')
      .setAudience('convene-join')
      .setSubject(identity.key)
      .setIssuedAt()
      .setExpirationTime(JOIN_TOKEN_TTL)
      .sign(this.#jwtKey);
  }

  /** Throws on a bad, expired or foreign token. */
  async verifyJoinToken(token: string): Promise<{ identity: Identity; roomCode: string }> {
    const { payload } = await jwtVerify(token, this.#jwtKey, {
      issuer: 'convene',
      audience: 'convene-join',
      algorithms: ['HS256'],
    });
    const { kind, id, name, room } = payload as { kind?: unknown; id?: unknown; name?: unknown; room?: unknown };
    if ((kind !== 'user' && kind !== 'guest') || typeof id !== 'string' || typeof room !== 'string')
      throw new Error('malformed token');
    const identity = kind === 'user' ? userIdentity(id, typeof name === 'string' ? name : null) : guestIdentity(id);
    if (kind === 'guest' && typeof name === 'string') identity.name = name;
    return { identity, roomCode: room };
  }

  /**
   * A token that lets the same identity rejoin as the same participant within
   * the grace period. It binds the participant's current resume nonce, which
   * every (re)join replaces, so a token works once.
   */
  resumeToken(roomCode: string, participant: { id: string; identity: string; resumeNonce: string }): string {
    const { id, identity, resumeNonce } = participant;
    return `${id}.${hmac(this.#secret, 'resume', `${id}~${roomCode}~${identity}~${resumeNonce}`)}`;
  }

  /** Whether a resume token was minted for this room and this participant as it is now (identity and nonce). */
  verifyResumeToken(
    token: string,
    roomCode: string,
    participant: { id: string; identity: string; resumeNonce: string },
  ): boolean {
    return safeEqual(token, this.resumeToken(roomCode, participant));
  }
}

/** The participant id a resume token names (unverified: check it with verifyResumeToken). */
export function resumeTokenParticipant(token: string): string | null {
  const dot = token.indexOf('.');
  return dot > 0 ? token.slice(0, dot) : null;
}
