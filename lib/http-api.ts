/**
 * The bridge between Next's route handlers and the custom server that owns
 * the store. Both run in one process, but Next bundles app/ separately, so the
 * server publishes its API on globalThis and route handlers look it up here.
 */
import type { ErrorBody, RoomSettings } from './protocol';

export interface ApiResult {
  status: number;
  body: ({ ok: true } & Record<string, unknown>) | { ok: false; error: ErrorBody };
  setCookie?: string[];
}

export interface RequestInfo {
  cookieHeader: string | null;
  ip: string;
  /** Origin for building links (scheme://host): PUBLIC_URL, or an allowed Host the client used. */
  origin: string;
}

export interface HttpApi {
  createRoom(
    req: RequestInfo,
    input: { title?: string | undefined; settings?: Partial<RoomSettings> | undefined },
  ): Promise<ApiResult>;
  getRoom(req: RequestInfo, code: string): Promise<ApiResult>;
  createJoinToken(req: RequestInfo, code: string): Promise<ApiResult>;
}

const KEY = Symbol.for('convene.http-api');

export function publishHttpApi(api: HttpApi): void {
  (globalThis as Record<symbol, unknown>)[KEY] = api;
}

/** Clears the slot only if it still holds `api`, so closing one server never unpublishes another's. */
export function unpublishHttpApi(api: HttpApi): void {
  const slot = globalThis as Record<symbol, unknown>;
  if (slot[KEY] === api) slot[KEY] = undefined;
}

export function getHttpApi(): HttpApi {
  const api = (globalThis as Record<symbol, unknown>)[KEY] as HttpApi | undefined;
  if (!api)
    throw new Error('Convene server is not running in this process (start it with `npm start`, not `next start`)');
  return api;
}

/** Trusted by route handlers only because the custom server overwrites it on every request. */
export const CLIENT_IP_HEADER = 'x-convene-client-ip';

/**
 * The origin links are built from: PUBLIC_URL, or the request's Host when it
 * is an allowed one (server/http/security.ts). Overwritten by the custom
 * server on every request, like CLIENT_IP_HEADER; never the raw Host header.
 */
export const ORIGIN_HEADER = 'x-convene-origin';

/** Route-handler helpers: request facts in, ApiResult out. */
export function requestInfo(request: Request): RequestInfo {
  return headersInfo(request.headers);
}

/** The same facts from bare headers (a server component's `headers()`). */
export function headersInfo(headers: Pick<Headers, 'get'>): RequestInfo {
  return {
    cookieHeader: headers.get('cookie'),
    ip: headers.get(CLIENT_IP_HEADER) ?? 'unknown',
    origin: headers.get(ORIGIN_HEADER) ?? 'http://localhost',
  };
}

export function toResponse(result: ApiResult): Response {
  const headers = new Headers({ 'content-type': 'application/json', 'cache-control': 'no-store' });
  for (const c of result.setCookie ?? []) headers.append('set-cookie', c);
  return new Response(JSON.stringify(result.body), { status: result.status, headers });
}

export function invalidPayload(message: string): Response {
  return toResponse({ status: 400, body: { ok: false, error: { code: 'INVALID_PAYLOAD', message } } });
}

/** Reads a JSON body of at most `limit` bytes; an empty body is `undefined`. */
export async function readJsonBody(
  request: Request,
  limit = 8_192,
): Promise<{ ok: true; value: unknown } | { ok: false; message: string }> {
  const text = await request.text();
  if (text.length > limit) return { ok: false, message: `Body larger than ${limit} bytes` };
  if (!text.trim()) return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, message: 'Body is not valid JSON' };
  }
}
