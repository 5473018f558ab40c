/** Attaches the signaling protocol to a Socket.IO server: handshake identity, features, unknown events. */
import { parseCookies } from '../auth/cookies';
import { guestIdentity } from '../auth/identity';
import type { IoSocket, SignalingDeps } from './context';
import { chatHandlers } from './chat';
import { dispatcher, type EventTable } from './handler';
import { engagementHandlers } from './engagement';
import { hostHandlers } from './host';
import { hostMediaHandlers } from './host-media';
import { mediaHandlers } from './media';
import { mediaStateHandlers } from './media-state';
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
};

export interface Signaling {
  graceTimers: GraceTimers;
}

export function clientIp(
  headers: Record<string, string | string[] | undefined>,
  remote: string | undefined,
  trustProxy: boolean,
): string {
  const forwarded = headers['x-forwarded-for'];
  if (trustProxy && typeof forwarded === 'string') return forwarded.split(',')[0]!.trim();
  return remote ?? 'unknown';
}

export function attachSignaling(deps: SignalingDeps): Signaling {
  const { io, identity, config, log, lifecycle } = deps;
  const graceTimers = new GraceTimers();

  // Browsers without a guest cookie get one on the handshake response, so a
  // guest keeps one identity across reconnects, tabs and reloads.
  io.engine.on(
    'initial_headers',
    (
      headers: Record<string, string>,
      req: { headers: Record<string, string | undefined>; conveneGuestId?: string },
    ) => {
      const cookies = parseCookies(req.headers.cookie);
      if (identity.guestIdFromCookies(cookies)) return;
      req.conveneGuestId = identity.newGuestId();
      const secure =
        (config.trustProxy && req.headers['x-forwarded-proto'] === 'https') ||
        (config.publicUrl?.startsWith('https:') ?? false);
      headers['set-cookie'] = identity.guestCookie(req.conveneGuestId, secure);
    },
  );

  io.use((socket, next) => {
    void (async () => {
      const token = handshakeToken(socket.handshake.auth, socket.handshake.headers.authorization);
      const req = socket.request as typeof socket.request & { conveneGuestId?: string };
      socket.data.ip = clientIp(req.headers, req.socket.remoteAddress, config.trustProxy);
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
        next(new Error('Authentication failed'));
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
