/**
 * Long-polling behind a load balancer: every request of one Socket.IO session
 * must reach the node that holds it. The handshake's answer names the session
 * in a cookie, and deploy/haproxy.cfg learns sid -> node from it, then routes
 * each request by its `?sid=`. WebSocket-only clients need none of this.
 */
import type { ServerOptions } from 'socket.io';

/** engine.io's `cookie` option: set on the polling handshake's answer only, to the session id. */
export const SESSION_COOKIE: ServerOptions['cookie'] = {
  name: 'io',
  path: '/socket.io/',
  httpOnly: true,
  sameSite: 'lax',
};

type Headers = Record<string, string | string[] | undefined>;

/**
 * engine.io writes its cookie as `Set-Cookie` and the guest cookie
 * (server/signaling) is written as `set-cookie`; writeHead keeps only one of
 * two spellings of a header, which would drop one cookie. For engine.io's
 * `headers` event (after `initial_headers`): joins them into one list.
 */
export function mergeSetCookies(headers: Headers): void {
  const session = headers['Set-Cookie'];
  const other = headers['set-cookie'];
  if (session === undefined || other === undefined) return;
  headers['Set-Cookie'] = [session, other].flat();
  delete headers['set-cookie'];
}
