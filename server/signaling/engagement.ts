/** Raised hands and reactions: open to everyone in the meeting. */
import { roomChannel } from './context';
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
        deps.io.to(roomChannel(m.roomCode)).emit('hand-raised', { participantId: m.participantId, raisedAt });
      return {};
    },
  },

  react: {
    bucket: 'react',
    act: async ({ socket, deps }, { emoji }) => {
      const m = requireMembership(socket);
      deps.io.to(roomChannel(m.roomCode)).emit('reaction', { participantId: m.participantId, emoji });
      return {};
    },
  },
} satisfies EventHandlers;
