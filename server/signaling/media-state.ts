/**
 * A participant's mic, camera and screen flags. They have one writer: with
 * the SFU running they are its producers' state (server/signaling/media-bridge.ts
 * writes them from the SFU's events, and `toggle-media` pauses or resumes the
 * producer behind one); only a server without an SFU keeps them as flags alone.
 */
import { ConveneError, SOURCE_OF_FLAG, type MediaKind } from '../../lib/protocol';
import { roomChannel, type SignalingDeps } from './context';
import type { EventHandlers } from './handler';
import { requireMembership } from './presence';

/** Without an SFU the flag is all there is: set it, and tell everyone if it changed. */
export async function setFlagWithoutSfu(
  deps: SignalingDeps,
  code: string,
  participantId: string,
  kind: MediaKind,
  enabled: boolean,
): Promise<void> {
  if (await deps.rooms.get(code).setMedia(participantId, kind, enabled))
    deps.io.to(roomChannel(code)).emit('media-toggled', { participantId, kind, enabled });
}

export const mediaStateHandlers = {
  'toggle-media': {
    bucket: 'control',
    act: async ({ socket, deps }, { kind, enabled }) => {
      const m = requireMembership(socket);
      // Turning on obeys the room's permissions, with or without a producer behind the flag.
      if (enabled) await deps.rooms.get(m.roomCode).assertMayPublish(m.participantId, SOURCE_OF_FLAG[kind]);
      if (!deps.media) {
        await setFlagWithoutSfu(deps, m.roomCode, m.participantId, kind, enabled);
        return {};
      }
      const media = deps.media.for(m.roomCode);
      const producer = await media.ownProducer(m.participantId, kind);
      if (producer) {
        await (enabled
          ? media.resumeProducer(m.participantId, producer.producerId)
          : media.pauseProducer(m.participantId, producer.producerId));
        return {};
      }
      // No producer: the flag is off already, and cannot say "on" while nothing is sent.
      if (enabled)
        throw new ConveneError('NOT_FOUND', `You are not sending your ${SOURCE_OF_FLAG[kind]}; produce it first`);
      return {};
    },
  },
} satisfies EventHandlers;
