/**
 * The waiting room on the signaling side: telling hosts and knockers where
 * things stand, and finishing an admitted knock on the knocker's own process.
 */
import type { LobbyEntryInfo } from '../../lib/protocol';
import { waitingPosition } from '../rooms/Room';
import type { LobbyRecord } from '../store/types';
import {
  knockChannel,
  lobbyChannel,
  moderatorChannel,
  participantChannel,
  type IoSocket,
  type SignalingDeps,
} from './context';

export const lobbyInfo = (lobby: LobbyRecord[]): LobbyEntryInfo[] =>
  lobby
    .filter((e) => !e.admitted)
    .map(({ id, displayName, isGuest, knockedAt }) => ({ participantId: id, displayName, isGuest, knockedAt }));

/** Hosts get the queue; each knocker gets its place in it. */
export function announceLobby(deps: SignalingDeps, code: string, lobby: LobbyRecord[]): void {
  deps.io.to(moderatorChannel(code)).emit('lobby-updated', { waiting: lobbyInfo(lobby) });
  for (const e of lobby)
    if (!e.admitted)
      deps.io.to(knockChannel(code, e.id)).emit('lobby-status', { position: waitingPosition(lobby, e.id) });
}

/** Sends a newly made host or co-host the current queue. */
export async function briefModerator(deps: SignalingDeps, code: string, participantId: string): Promise<void> {
  const lobby = await deps.rooms.get(code).lobby();
  deps.io.to(participantChannel(code, participantId)).emit('lobby-updated', { waiting: lobbyInfo(lobby) });
}

export async function enterLobby(socket: IoSocket, code: string, knockId: string, displayName: string): Promise<void> {
  socket.data.knock = { roomCode: code, knockId, displayName };
  await socket.join([lobbyChannel(code), knockChannel(code, knockId)]);
}

export async function leaveLobbyChannels(socket: IoSocket): Promise<void> {
  const k = socket.data.knock;
  socket.data.knock = null;
  if (!k) return;
  await socket.leave(lobbyChannel(k.roomCode));
  await socket.leave(knockChannel(k.roomCode, k.knockId));
}

/** A knocker who leaves (cancels or disconnects) is removed from the queue. */
export async function abandonKnock(deps: SignalingDeps, socket: IoSocket): Promise<void> {
  const k = socket.data.knock;
  if (!k) return;
  await leaveLobbyChannels(socket);
  const lobby = await deps.rooms.get(k.roomCode).leaveLobby(k.knockId, socket.id);
  if (lobby) announceLobby(deps, k.roomCode, lobby);
}

/**
 * Routes each admitted knock to the process holding the knocker's socket:
 * locally if it is here, otherwise through the adapter's serverSideEmit.
 */
export function deliverAdmissions(
  deps: SignalingDeps,
  code: string,
  admitted: LobbyRecord[],
  finish: (socket: IoSocket) => Promise<void>,
): void {
  for (const entry of admitted) {
    const local = deps.io.of('/').sockets.get(entry.socketId);
    if (local)
      void deps.lifecycle
        .track(finish(local))
        .catch((err: unknown) => deps.log.error({ err, room: code }, 'admission failed'));
    else if (deps.config.redisUrl) deps.io.serverSideEmit('knock-admitted', code, entry.id, entry.socketId);
  }
}
