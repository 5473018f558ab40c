/**
 * "New meeting" from any page (home, a status page): POST /api/rooms as the
 * person browsing, and what to do next. One copy, so the two buttons cannot
 * drift apart in how they treat sign-in or errors.
 */
import { isErrorCode, type ErrorCode } from '../protocol';

export type Created =
  | { kind: 'created'; code: string }
  /** This server lets only signed-in people create meetings: the sign-in page explains and offers it. */
  | { kind: 'sign-in'; url: string }
  /** `error`: the server's code when it is a known one (the page words it in its language). */
  | { kind: 'failed'; error: ErrorCode | null };

export async function createMeeting(): Promise<Created> {
  try {
    const res = await fetch('/api/rooms', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    const body = (await res.json()) as { ok: boolean; code?: string; error?: { code: string } };
    if (body.error?.code === 'UNAUTHENTICATED') return { kind: 'sign-in', url: '/signin?callbackUrl=%2F' };
    if (body.ok && body.code) return { kind: 'created', code: body.code };
    const code = body.error?.code;
    return { kind: 'failed', error: isErrorCode(code) ? code : null };
  } catch {
    return { kind: 'failed', error: null };
  }
}
