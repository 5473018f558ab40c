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

/** 400 by default; 413 for a body that is too large. */
export function invalidPayload(message: string, status: 400 | 413 = 400): Response {
  return toResponse({ status, body: { ok: false, error: { code: 'INVALID_PAYLOAD', message } } });
}

/** The largest JSON body the API reads (the custom server refuses a larger Content-Length before Next sees it). */
export const API_BODY_LIMIT = 8_192;

/**
 * Reads a JSON body of at most `limit` bytes; an empty body is `undefined`.
 * Read as a stream and abandoned at the limit, so a body with no (or a false)
 * Content-Length is never held whole.
 */
export async function readJsonBody(
  request: Request,
  limit = API_BODY_LIMIT,
): Promise<{ ok: true; value: unknown } | { ok: false; status: 400 | 413; message: string }> {
  const tooLarge = { ok: false, status: 413, message: `Body larger than ${limit} bytes` } as const;
  if (Number(request.headers.get('content-length') ?? 0) > limit) return tooLarge;
  const reader = request.body?.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let size = 0;
  for (let chunk = await reader?.read(); chunk && !chunk.done; chunk = await reader!.read()) {
    size += chunk.value.byteLength;
    if (size > limit) {
      await reader!.cancel().catch(() => undefined);
      return tooLarge;
    }
    text += decoder.decode(chunk.value, { stream: true });
  }
  text += decoder.decode();
  if (!text.trim()) return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, status: 400, message: 'Body is not valid JSON' };
  }
}
