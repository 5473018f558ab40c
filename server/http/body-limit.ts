/**
 * Request bodies are judged before anything reads them. A declared length
 * past the limit is refused from the headers alone; a body of unknown length
 * (chunked) is let through only to the JSON API, whose handlers read it as a
 * stream and stop at their limit (lib/http-api.ts readJsonBody). Nothing else
 * behind us has a reason to receive one, and next-auth would buffer it whole.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { API_BODY_LIMIT } from '../../lib/http-api';

/** Our JSON API (next-auth's endpoints are not ours and take only small forms). */
const isJsonApi = (path: string) => path.startsWith('/api/') && !path.startsWith('/api/auth/');

/**
 * Answers and returns true when the body must not be read: 413 for a declared
 * length past the limit, 411 for a body of unknown length outside the JSON
 * API. The connection closes after the answer, so the rest is never read.
 */
export function refuseBody(req: IncomingMessage, res: ServerResponse, path: string, maxBytes: number): boolean {
  const limit = isJsonApi(path) ? Math.min(API_BODY_LIMIT, maxBytes) : maxBytes;
  const declared = req.headers['content-length'];
  if (declared !== undefined) {
    if (Number(declared) <= limit) return false;
    refuse(res, 413, `Body larger than ${limit} bytes`);
    return true;
  }
  if (req.headers['transfer-encoding'] === undefined || isJsonApi(path)) return false;
  refuse(res, 411, 'A request body needs a Content-Length');
  return true;
}

function refuse(res: ServerResponse, status: 411 | 413, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', connection: 'close' });
  res.end(JSON.stringify({ ok: false, error: { code: 'INVALID_PAYLOAD', message } }));
}
