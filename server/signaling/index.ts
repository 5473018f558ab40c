/** Attaches the signaling protocol to a Socket.IO server: handshake identity, features, unknown events. */
import { clientEventSchemas } from '../../lib/protocol';
import { parseCookies } from '../auth/cookies';
import { guestIdentity } from '../auth/identity';
import type { IoSocket, SignalingDeps } from './context';
import { registerChat } from './chat';
import { reply, splitArgs } from './handler';
import { registerEngagement } from './engagement';
import { registerHostControls } from './host';
import { registerHostMedia } from './host-media';
import { registerMedia } from './media';
import { registerMediaState } from './media-state';
import { GraceTimers, completeAdmission, registerPresence } from './presence';

export interface Signaling {
  graceTimers: GraceTimers;
}

export function clientIp(headers: Record<string, string | string[] | undefined>, remote: string | undefined, trustProxy: boolean): string {
  const forwarded = headers['x-forwarded-for'];
  if (trustProxy && typeof forwarded === 'string') return forwarded.split(',')[0]!.trim();
  return remote ?? 'unknown';
}

export function attachSignaling(deps: SignalingDeps): Signaling {
  const { io, identity, config, log, lifecycle } = deps;
  const graceTimers = new GraceTimers();

  // Browsers without a guest cookie get one on the handshake response, so a
  // guest keeps one identity across reconnects, tabs and reloads.
  io.engine.on('initial_headers', (headers: Record<string, string>, req: { headers: Record<string, string | undefined>; conveneGuestId?: string }) => {
    const cookies = parseCookies(req.headers.cookie);
    if (identity.guestIdFromCookies(cookies)) return;
    req.conveneGuestId = identity.newGuestId();
    const secure = (config.trustProxy && req.headers['x-forwarded-proto'] === 'https') || (config.publicUrl?.startsWith('https:') ?? false);
    headers['set-cookie'] = identity.guestCookie(req.conveneGuestId, secure);
  });

  io.use((socket, next) => {
    void (async () => {
      const auth = (socket.handshake.auth ?? {}) as { token?: unknown };
      const req = socket.request as typeof socket.request & { conveneGuestId?: string };
      socket.data.ip = clientIp(req.headers, req.socket.remoteAddress, config.trustProxy);
      socket.data.membership = null;
      socket.data.knock = null;
      socket.data.joining = false;
      socket.data.lastTyping = null;
      socket.data.tokenRoom = null;
      if (auth.token !== undefined) {
        if (typeof auth.token !== 'string' || auth.token.length > 4096) throw new Error('bad token');
        const verified = await identity.verifyJoinToken(auth.token);
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

  io.on('connection', (socket: IoSocket) => {
    registerPresence(socket, deps, graceTimers);
    registerChat(socket, deps);
    registerMediaState(socket, deps);
    registerHostControls(socket, deps, graceTimers);
    registerHostMedia(socket, deps);
    registerEngagement(socket, deps);
    registerMedia(socket, deps, deps.media);

    // Nothing a client sends is dropped silently: unknown events get an answer too.
    socket.onAny((event: unknown, ...args: unknown[]) => {
      if (typeof event === 'string' && event in clientEventSchemas) return;
      deps.metrics.events.inc({ event: 'unknown' });
      deps.metrics.errors.inc({ code: 'INVALID_PAYLOAD' });
      const { ack } = splitArgs(args);
      const name = typeof event === 'string' ? event.slice(0, 64) : typeof event;
      reply(socket, ack, { code: 'INVALID_PAYLOAD', message: `Unknown event: ${name}` });
    });
  });

  return { graceTimers };
}
