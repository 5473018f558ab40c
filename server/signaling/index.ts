/** Attaches the signaling protocol to a Socket.IO server: handshake identity, features, unknown events. */
import { parseCookies } from '../auth/cookies';
import { guestIdentity } from '../auth/identity';
import { fromTrustedProxy, requestClientIp } from '../http/client-ip';
import type { IoSocket, SignalingDeps } from './context';
import { audienceHandlers } from './audience';
import { chatHandlers } from './chat';
import { dispatcher, type EventTable } from './handler';
import { engagementHandlers } from './engagement';
import { hostHandlers } from './host';
import { hostMediaHandlers } from './host-media';
import { mediaHandlers } from './media';
import { mediaStateHandlers } from './media-state';
import { recordingHandlers } from './recording';
import { GraceTimers, completeAdmission, presenceHandlers, socketGone } from './presence';

/** Every client event's handler, in one table. */
const handlers: EventTable = {
  ...presenceHandlers,
  ...chatHandlers,
  ...mediaStateHandlers,
  ...hostHandlers,
  ...hostMediaHandlers,
  ...engagementHandlers,
  ...mediaHandlers,
  ...audienceHandlers,
  ...recordingHandlers,
};

export interface Signaling {
  graceTimers: GraceTimers;
}

/** A handshake refused by the per-IP connection cap; the client sees its message in `connect_error`, with `data.code`. */
class LimitRefusal extends Error {
  readonly data = { code: 'RATE_LIMITED' as const };
}

export function attachSignaling(deps: SignalingDeps): Signaling {
  const { io, identity, config, log, lifecycle, limits, metrics } = deps;
  const graceTimers = new GraceTimers();

  // Browsers without a guest cookie get one on the handshake response, so a
  // guest keeps one identity across reconnects, tabs and reloads.
  io.engine.on(
    'initial_headers',
    (
      headers: Record<string, string>,
      req: {
        headers: Record<string, string | undefined>;
        socket: { remoteAddress?: string };
        conveneGuestId?: string;
      },
    ) => {
      const cookies = parseCookies(req.headers.cookie);
      if (identity.guestIdFromCookies(cookies)) return;
      req.conveneGuestId = identity.newGuestId();
      const secure =
        (fromTrustedProxy(req.socket.remoteAddress, config.trustProxy) &&
          req.headers['x-forwarded-proto'] === 'https') ||
        (config.publicUrl?.startsWith('https:') ?? false);
      headers['set-cookie'] = identity.guestCookie(req.conveneGuestId, secure);
    },
  );

  io.use((socket, next) => {
    void (async () => {
      const token = handshakeToken(socket.handshake.auth, socket.handshake.headers.authorization);
      const req = socket.request as typeof socket.request & { conveneGuestId?: string };
      const ip = requestClientIp(req, config.trustProxy);
      socket.data.ip = ip;
      socket.data.refusals = { count: 0, since: 0 };
      socket.data.dropped = false;
      // Limits first, so a refused handshake costs no token or cookie verification.
      // (An IP cooling down after a flood was refused before this, in allowRequest.)
      const open = limits.connections.count(ip);
      if (open > config.caps.connectionsPerIp)
        throw new LimitRefusal(`Too many connections from your network (${open - 1} open); close some and retry`);
      socket.data.membership = null;
      socket.data.knock = null;
      socket.data.joining = false;
      socket.data.lastTyping = null;
      socket.data.tokenRoom = null;
      if (token !== undefined) {
        if (typeof token !== 'string' || token.length > 4096) throw new Error('bad token');
        const verified = await identity.verifyJoinToken(token);
        socket.data.identity = verified.identity;
        socket.data.tokenRoom = verified.roomCode;
        return;
      }
      // The client's own userId claim is ignored: identity comes only from what the server signed.
      socket.data.identity = (await identity.fromCookieHeader(req.headers.cookie)) ?? {
        ...guestIdentity(req.conveneGuestId ?? identity.newGuestId()),
        // Minted just now (no cookie or token came with the handshake), so it can
        // adopt a participant's identity through a valid resume token.
        ephemeral: true,
      };
    })().then(
      () => next(),
      (err: unknown) => {
        log.debug({ err: (err as Error).message }, 'handshake refused');
        if (!(err instanceof LimitRefusal)) return next(new Error('Authentication failed'));
        metrics.dropped.inc({ reason: 'per-ip-cap' });
        next(err);
        // Once the refusal is on its way, the connection itself goes: a refused
        // client must not keep holding one while it waits to retry.
        setImmediate(() => socket.conn.close());
      },
    );
  });

  // A knock admitted by a host on another process: finish it here if the knocker's socket is ours.
  io.on('knock-admitted', (roomCode, knockId, socketId) => {
    const socket = io.of('/').sockets.get(socketId);
    if (socket?.data.knock?.roomCode === roomCode && socket.data.knock.knockId === knockId) {
      void lifecycle.track(completeAdmission(deps, socket, graceTimers));
    }
  });

  // One dispatcher and one disconnect listener, shared by every socket. The
  // dispatcher also answers unknown events: nothing a client sends is dropped silently.
  const dispatch = dispatcher(handlers, deps, graceTimers);
  function gone(this: IoSocket): void {
    socketGone(deps, graceTimers, this);
  }
  io.on('connection', (socket: IoSocket) => {
    socket.onAny(dispatch);
    socket.on('disconnect', gone);
  });

  return { graceTimers };
}

/**
 * The join token a handshake carries: `auth.token` (Socket.IO clients), else
 * `Authorization: Bearer <token>` (the predecessor's non-browser clients, which
 * set headers but no auth payload). Older clients send no auth object at all.
 */
function handshakeToken(auth: unknown, authorization: string | undefined): unknown {
  if (typeof auth === 'object' && auth !== null && 'token' in auth) return auth.token;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return bearer?.[1];
}
