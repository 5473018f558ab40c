/**
 * Host controls over someone else's media: mute, mute all, stop a share, ask
 * to unmute. With the SFU running, a mute pauses the producer in the SFU and a
 * stop-share closes it, so the target's client cannot keep sending, and the
 * flags follow the SFU's events; a target with no producer has nothing on.
 * Without an SFU only the flag is turned off.
 */
import { SOURCE_OF_FLAG } from '../../lib/protocol';
import { participantChannel, type SignalingDeps } from './context';
import type { EventHandlers } from './handler';
import { setFlagWithoutSfu } from './media-state';
import { requireMembership } from './presence';

/** Turns the target's mic or camera off on the server; they may turn it back on if the room allows. */
async function mute(
  deps: SignalingDeps,
  code: string,
  actorId: string,
  targetId: string,
  kind: 'audio' | 'video',
): Promise<void> {
  // A host pause: the SFU stops forwarding now and everyone gets producer-paused (by: 'host'); the flag
  // follows it. The target may resume only while the room's permissions allow it.
  if (deps.media) await deps.media.for(code).hostPause(targetId, SOURCE_OF_FLAG[kind]);
  else await setFlagWithoutSfu(deps, code, targetId, kind, false);
  deps.io.to(participantChannel(code, targetId)).emit('you-were-muted', { by: actorId, kind });
}

export const hostMediaHandlers = {
  'mute-participant': {
    bucket: 'control',
    act: async ({ socket, deps }, { participantId, kind }) => {
      const m = requireMembership(socket);
      await deps.rooms.get(m.roomCode).authorize(m.participantId, 'mute', participantId);
      await mute(deps, m.roomCode, m.participantId, participantId, kind);
      deps.log.info(
        { room: m.roomCode, actor: m.participantId, target: participantId, action: `mute:${kind}` },
        'host action',
      );
      return {};
    },
  },

  'mute-all': {
    bucket: 'control',
    act: async ({ socket, deps }, { kind }) => {
      const m = requireMembership(socket);
      const targets = await deps.rooms.get(m.roomCode).muteAllTargets(m.participantId);
      await Promise.all(targets.map((t) => mute(deps, m.roomCode, m.participantId, t.id, kind)));
      deps.log.info(
        { room: m.roomCode, actor: m.participantId, action: `mute-all:${kind}`, count: targets.length },
        'host action',
      );
      return { muted: targets.length };
    },
  },

  'stop-screen-share': {
    bucket: 'control',
    act: async ({ socket, deps }, { participantId }) => {
      const m = requireMembership(socket);
      await deps.rooms.get(m.roomCode).authorize(m.participantId, 'stop-screen-share', participantId);
      // Closing the producers fans out producer-closed and consumer-closed, and the flag follows.
      if (deps.media) await deps.media.for(m.roomCode).closeSource(participantId, 'screen');
      else await setFlagWithoutSfu(deps, m.roomCode, participantId, 'screen', false);
      deps.log.info(
        { room: m.roomCode, actor: m.participantId, target: participantId, action: 'stop-screen-share' },
        'host action',
      );
      return {};
    },
  },

  'request-unmute': {
    bucket: 'control',
    act: async ({ socket, deps }, { participantId }) => {
      const m = requireMembership(socket);
      await deps.rooms.get(m.roomCode).authorize(m.participantId, 'request-unmute', participantId);
      // Only a request: nobody can turn someone else's microphone on.
      deps.io.to(participantChannel(m.roomCode, participantId)).emit('unmute-requested', { by: m.participantId });
      deps.log.info(
        { room: m.roomCode, actor: m.participantId, target: participantId, action: 'request-unmute' },
        'host action',
      );
      return {};
    },
  },
} satisfies EventHandlers;
