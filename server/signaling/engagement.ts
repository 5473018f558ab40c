/**
 * Raised hands and reactions: open to everyone in the meeting. The audience's
 * reach only the stage (hands: only hosts and co-hosts), never each other.
 */
import { handChannels, inAudience } from './audience';
import { participantChannel, roomChannel, stageChannel } from './context';
import type { EventHandlers } from './handler';
import { requireMembership } from './presence';

export const engagementHandlers = {
  'raise-hand': {
    bucket: 'control',
    act: async ({ socket, deps }, { raised }) => {
      const m = requireMembership(socket);
      const raisedAt = await deps.rooms.get(m.roomCode).setHand(m.participantId, raised);
      // undefined: no change, nothing to announce. Clients order hands by raisedAt.
      if (raisedAt !== undefined)
        deps.io
          .to(handChannels(m.roomCode, m.participantId, inAudience(socket, m.roomCode)))
          .emit('hand-raised', { participantId: m.participantId, raisedAt });
      return {};
    },
  },

  react: {
    bucket: 'react',
    act: async ({ socket, deps }, { emoji }) => {
      const m = requireMembership(socket);
      const to = inAudience(socket, m.roomCode)
        ? [stageChannel(m.roomCode), participantChannel(m.roomCode, m.participantId)]
        : roomChannel(m.roomCode);
      deps.io.to(to).emit('reaction', { participantId: m.participantId, emoji });
      return {};
    },
  },
} satisfies EventHandlers;
