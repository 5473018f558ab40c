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
  /** Origin the client used (scheme://host), for building links. */
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

/** Route-handler helpers: request facts in, ApiResult out. */
export function requestInfo(request: Request): RequestInfo {
  return headersInfo(request.headers, new URL(request.url));
}

/** The same facts from bare headers (a server component's `headers()`); `url` fills in what they lack. */
export function headersInfo(headers: Pick<Headers, 'get'>, url?: URL): RequestInfo {
  const host = headers.get('x-forwarded-host') ?? headers.get('host') ?? url?.host ?? 'localhost';
  const proto = headers.get('x-forwarded-proto') ?? url?.protocol.replace(':', '') ?? 'http';
  return {
    cookieHeader: headers.get('cookie'),
    ip: headers.get(CLIENT_IP_HEADER) ?? 'unknown',
    origin: `${proto}://${host}`,
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
