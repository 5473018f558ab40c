/**
 * A meeting's recordings over HTTP, for its creator and co-hosts only (the one
 * permission table decides, on the role the server gives the caller):
 *   GET    /api/rooms/:code/recordings            the list
 *   GET    /api/rooms/:code/recordings/:id/file   the composed file, with Range requests
 *   DELETE /api/rooms/:code/recordings/:id        the host deletes one (files and metadata)
 * The files stay on the node that recorded them. Any other node checks the
 * caller's rights itself, then streams the answer from the holder over HTTP
 * (its NODE_URL, from the node registry), which checks them again; a holder
 * that is down gives 503 UNAVAILABLE naming it (docs/cluster.md).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import type { Logger } from 'pino';
import { can, isModerator, type HostAction, type Role } from '../../lib/permissions';
import type { RecordingInfo } from '../../lib/protocol';
import { normalizeRoomCode } from '../../lib/room-code';
import type { Identity, IdentityService } from '../auth/identity';
import type { Recorder } from '../recording/recorder';
import type { RecordingRecord, RoomStore } from '../store/types';

export interface RecordingRoutesDeps {
  store: RoomStore;
  identity: IdentityService;
  /** This node's recorder (null: media off), whose disk may hold the files. */
  recorder: Recorder | null;
  nodeId: string;
  /** Where another live node's HTTP port is (the node registry); undefined on one node or for a dead one. */
  holderUrl?: (nodeId: string) => string | undefined;
  log: Logger;
}

/** Marks a request one node passed to another, so that it is never passed on again. */
export const VIA_HEADER = 'x-convene-via';
/** Headers of the holder's answer that reach the caller. */
const PASSED_ON = [
  'content-type',
  'content-length',
  'content-range',
  'accept-ranges',
  'cache-control',
  'content-disposition',
];

const ROUTE = /^\/api\/rooms\/([^/]+)\/recordings(?:\/([A-Za-z0-9_-]{1,64})(\/file)?)?\/?$/;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** The download URL of a recording's composed file. */
export const recordingFileUrl = (code: string, id: string) => `/api/rooms/${code}/recordings/${id}/file`;

export function info(r: RecordingRecord): RecordingInfo {
  const { file: _file, ...rest } = r;
  return { ...rest, url: r.status === 'ready' ? recordingFileUrl(r.meeting, r.id) : null };
}

/** Returns a handler that answers (true) requests for these routes and leaves (false) the rest. */
export function recordingRoutes(deps: RecordingRoutesDeps) {
  /**
   * The caller's role in the meeting, as the server knows it: the creator is
   * its host, a moderator present now has that role, the co-hosts the creator
   * named are co-hosts; anyone else is a participant at most.
   */
  async function roleOf(code: string, who: Identity | null): Promise<Role> {
    const meeting = await deps.store.getMeeting(code);
    if (!meeting) throw new HttpError(404, 'ROOM_NOT_FOUND', 'No meeting has this code');
    if (!who) return 'participant';
    if (who.key === meeting.creator) return 'host';
    const here = (await deps.store.listParticipants(code)).filter((p) => p.identity === who.key);
    const live = here.find((p) => isModerator(p.role));
    if (live) return live.role;
    return meeting.cohosts.includes(who.key) ? 'cohost' : 'participant';
  }

  async function allowed(req: IncomingMessage, code: string, action: HostAction): Promise<void> {
    const who = await deps.identity.fromCookieHeader(req.headers.cookie);
    const role = await roleOf(code, who);
    if (!can(role, action))
      throw new HttpError(
        403,
        'FORBIDDEN',
        action === 'delete-recording'
          ? "Only the meeting's host may delete its recordings"
          : "Only the meeting's creator and co-hosts may see its recordings",
      );
  }

  async function recording(code: string, id: string): Promise<RecordingRecord> {
    const r = await deps.store.getRecording(code, id);
    if (!r) throw new HttpError(404, 'NOT_FOUND', 'No such recording');
    return r;
  }

  async function download(req: IncomingMessage, res: ServerResponse, r: RecordingRecord): Promise<void> {
    if (r.status !== 'ready' || !r.file) throw new HttpError(409, 'NOT_FOUND', 'This recording is not ready yet');
    if (r.node !== deps.nodeId || !deps.recorder) return fromHolder(req, res, r);
    const file = path.join(deps.recorder.dirOf(r.meeting, r.id), r.file);
    const size = (await stat(file).catch(() => null))?.size;
    if (size === undefined) throw new HttpError(410, 'NOT_FOUND', "This recording's file is gone");
    const headers: Record<string, string | number> = {
      'content-type': 'video/mp4',
      'accept-ranges': 'bytes',
      'cache-control': 'private, no-store',
      'content-disposition': `attachment; filename="convene-${r.meeting}-${new Date(r.startedAt).toISOString().slice(0, 16).replace(':', '')}.mp4"`,
    };
    const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
    let start = 0;
    let end = size - 1;
    let status = 200;
    if (req.headers.range) {
      const [, a = '', b = ''] = range ?? [];
      if (range && a !== '') {
        start = Number(a);
        end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
      } else if (range && b !== '') {
        start = Math.max(0, size - Number(b)); // the last b bytes
      }
      if (!range || (a === '' && b === '') || start > end || start >= size) {
        res.writeHead(416, { 'content-range': `bytes */${size}` });
        res.end();
        return;
      }
      status = 206;
      headers['content-range'] = `bytes ${start}-${end}/${size}`;
    }
    headers['content-length'] = end - start + 1;
    res.writeHead(status, headers);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = createReadStream(file, { start, end });
    stream.on('error', (err) => {
      deps.log.error({ err, recording: r.id }, 'recording download failed');
      res.destroy();
    });
    stream.pipe(res);
  }

  /**
   * Sends the caller's request on to the node holding the recording. Its
   * cookie and Range go along: the holder checks the same rights (every node
   * shares the secret). Null when the holder is not known to be alive, or the
   * request already came from another node (never passed on twice).
   */
  function askHolder(req: IncomingMessage, r: RecordingRecord): Promise<IncomingMessage> | null {
    const base = req.headers[VIA_HEADER] ? undefined : deps.holderUrl?.(r.node);
    if (!base) return null;
    const headers: Record<string, string> = { [VIA_HEADER]: deps.nodeId };
    // The original Host passed this node's host check; the holder shares that configuration.
    for (const h of ['cookie', 'range', 'host'] as const) if (req.headers[h]) headers[h] = req.headers[h];
    return new Promise((resolve, reject) => {
      const upstream = request(new URL(req.url ?? '/', base), { method: req.method, headers, timeout: 10_000 });
      upstream.once('response', resolve);
      upstream.once('timeout', () => upstream.destroy(new Error('timed out')));
      upstream.once('error', (err) => {
        deps.log.warn({ err: err.message, recording: r.id, node: r.node }, 'recording holder did not answer');
        reject(new HttpError(503, 'UNAVAILABLE', `This recording is on server ${r.node}, which cannot be reached now`));
      });
      upstream.end();
    });
  }

  /** Streams the holder's answer to a download back to the caller. */
  async function fromHolder(req: IncomingMessage, res: ServerResponse, r: RecordingRecord): Promise<void> {
    const asked = askHolder(req, r);
    if (!asked)
      throw new HttpError(503, 'UNAVAILABLE', `This recording is on server ${r.node}, which cannot be reached now`);
    const answer = await asked;
    const passed: Record<string, string | string[]> = {};
    for (const h of PASSED_ON) if (answer.headers[h] !== undefined) passed[h] = answer.headers[h]!;
    res.writeHead(answer.statusCode ?? 502, passed);
    // A caller who goes away stops the transfer from the holder too.
    res.once('close', () => answer.destroy());
    answer.once('error', () => res.destroy());
    answer.pipe(res);
  }

  /** Asks the holder to delete the files too (it checks the rights again); false if it did not. */
  async function deleteOnHolder(req: IncomingMessage, r: RecordingRecord): Promise<boolean> {
    const answer = await askHolder(req, r)?.catch(() => null);
    answer?.resume();
    return answer?.statusCode === 200;
  }

  return async (req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> => {
    const m = ROUTE.exec(pathname);
    if (!m) return false;
    try {
      const code = normalizeRoomCode(decodeURIComponent(m[1]!));
      if (!code) throw new HttpError(404, 'ROOM_NOT_FOUND', 'No meeting has this code');
      const [, , id, file] = m;
      const method = req.method ?? 'GET';
      if (!id && method === 'GET') {
        await allowed(req, code, 'view-recordings');
        send(res, 200, { ok: true, recordings: (await deps.store.listRecordings(code)).map(info) });
      } else if (id && file && (method === 'GET' || method === 'HEAD')) {
        await allowed(req, code, 'view-recordings');
        await download(req, res, await recording(code, id));
      } else if (id && !file && method === 'DELETE') {
        await allowed(req, code, 'delete-recording');
        const r = await recording(code, id);
        if (r.status === 'recording') throw new HttpError(409, 'FORBIDDEN', 'Stop the recording before deleting it');
        if (r.node === deps.nodeId) await deps.recorder?.remove(code, id);
        else if (!(await deleteOnHolder(req, r)))
          deps.log.warn(
            { recording: id, node: r.node },
            'recording deleted here; its files stay on its node until they expire',
          );
        await deps.store.deleteRecording(code, id);
        deps.log.info({ room: code, recording: id }, 'recording deleted');
        send(res, 200, { ok: true });
      } else {
        throw new HttpError(405, 'INVALID_PAYLOAD', 'Method not allowed');
      }
    } catch (err) {
      if (err instanceof HttpError)
        send(res, err.status, { ok: false, error: { code: err.code, message: err.message } });
      else {
        deps.log.error({ err }, 'recordings request failed');
        send(res, 500, { ok: false, error: { code: 'INTERNAL', message: 'Something went wrong on the server' } });
      }
    }
    return true;
  };
}
