/** toggle-media: a participant's own mic, camera and screen flags, broadcast to everyone. */
import { SOURCE_OF_FLAG } from '../../lib/protocol';
import { roomChannel } from './context';
import type { EventHandlers } from './handler';
import { requireMembership } from './presence';

export const mediaStateHandlers = {
  'toggle-media': {
    bucket: 'control',
    act: async ({ socket, deps }, { kind, enabled }) => {
      const m = requireMembership(socket);
      // With a live producer for this kind, the toggle drives the producer and the
      // flag follows the SFU's events.
      const room = deps.rooms.get(m.roomCode);
      // Turning on obeys the room's permissions, with or without a producer behind the flag.
      if (enabled) await room.assertMayPublish(m.participantId, SOURCE_OF_FLAG[kind]);
      const media = deps.media?.for(m.roomCode);
      const producer = await media?.ownProducer(m.participantId, kind);
      if (media && producer) {
        await (enabled
          ? media.resumeProducer(m.participantId, producer.producerId)
          : media.pauseProducer(m.participantId, producer.producerId));
        return {};
      }
      const changed = await room.setMedia(m.participantId, kind, enabled);
      if (changed)
        deps.io.to(roomChannel(m.roomCode)).emit('media-toggled', { participantId: m.participantId, kind, enabled });
      return {};
    },
  },
} satisfies EventHandlers;
