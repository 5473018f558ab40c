/**
 * The waiting room on the signaling side: telling hosts and knockers what
 * changed (as deltas), and finishing an admitted knock on the knocker's own process.
 */
import type { LobbyEntryInfo } from '../../lib/protocol';
import type { LobbyChange } from '../rooms/queue';
import type { LobbyRecord } from '../store/types';
import {
  knockChannel,
  lobbyChannel,
  moderatorChannel,
  participantChannel,
  type IoSocket,
  type SignalingDeps,
} from './context';

const entryInfo = ({ id, displayName, isGuest, knockedAt }: LobbyRecord): LobbyEntryInfo => ({
  participantId: id,
  displayName,
  isGuest,
  knockedAt,
});

export const lobbyInfo = (lobby: LobbyRecord[]): LobbyEntryInfo[] => lobby.filter((e) => !e.admitted).map(entryInfo);

/** A new knock: hosts and co-hosts hear of this one entry, nobody else's place changes. */
export function announceKnock(deps: SignalingDeps, code: string, entry: LobbyRecord): void {
  deps.io.to(moderatorChannel(code)).emit('knock-added', { entry: entryInfo(entry) });
}

/**
 * Hosts hear which knocks left the queue; each knocker whose place changed
 * (or who learns whether anyone can let them in) hears its own status.
 */
export function announceLobbyChange(deps: SignalingDeps, code: string, change: LobbyChange | null): void {
  if (!change) return;
  if (change.removed.length)
    deps.io.to(moderatorChannel(code)).emit('knock-removed', {
      participantIds: change.removed.map((e) => e.id),
      reason: change.reason,
    });
  for (const { id, position } of change.notify)
    deps.io.to(knockChannel(code, id)).emit('lobby-status', { position, noModerator: change.noModerator });
}

/** Sends a newly made host or co-host the whole current queue, once; changes then come as deltas. */
export async function briefModerator(deps: SignalingDeps, code: string, participantId: string): Promise<void> {
  const lobby = await deps.rooms.get(code).waitingRoom.queue();
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
  announceLobbyChange(deps, k.roomCode, await deps.rooms.get(k.roomCode).leaveLobby(k.knockId, socket.id));
}

/**
 * Routes each admitted knock to the process holding the knocker's socket:
 * locally if it is here, otherwise through the adapter's serverSideEmit.
 */
export function deliverAdmissions(
  deps: SignalingDeps,
  code: string,
  change: LobbyChange | null,
  finish: (socket: IoSocket) => Promise<void>,
): void {
  if (change?.reason !== 'admitted') return;
  for (const entry of change.removed) {
    const local = deps.io.of('/').sockets.get(entry.socketId);
    if (local)
      void deps.lifecycle
        .track(finish(local))
        .catch((err: unknown) => deps.log.error({ err, room: code }, 'admission failed'));
    else if (deps.config.redisUrl) deps.io.serverSideEmit('knock-admitted', code, entry.id, entry.socketId);
  }
}
