/** send-message and typing. */
import { participantChannel, roomChannel } from './context';
import type { EventHandlers } from './handler';
import { requireMembership } from './presence';

const TYPING_REFRESH_MS = 2_000;

export const chatHandlers = {
  'send-message': {
    bucket: 'chat',
    act: async ({ socket, deps }, { text, to }) => {
      const m = requireMembership(socket);
      const message = await deps.rooms.get(m.roomCode).addChat(m.participantId, text, to);
      const target =
        to === undefined
          ? roomChannel(m.roomCode)
          : [participantChannel(m.roomCode, m.participantId), participantChannel(m.roomCode, to)];
      deps.io.to(target).emit('new-message', message);
      return { id: message.id };
    },
  },

  typing: {
    bucket: 'typing',
    act: async ({ socket }, { active }) => {
      const m = requireMembership(socket);
      const now = Date.now();
      const last = socket.data.lastTyping;
      // Throttled: relay state changes, and "still typing" at most every 2 s.
      if (last && last.active === active && (!active || now - last.at < TYPING_REFRESH_MS)) return {};
      socket.data.lastTyping = { active, at: now };
      socket.to(roomChannel(m.roomCode)).emit('typing', { participantId: m.participantId, active });
      return {};
    },
  },
} satisfies EventHandlers;
