/** send-message, typing, history pages, and chat moderation (delete, pin). */
import { inAudience } from './audience';
import { participantChannel, roomChannel } from './context';
import type { EventHandlers } from './handler';
import { requireMembership } from './presence';

const TYPING_REFRESH_MS = 2_000;

/** Who a message reaches: everyone, or the sender and recipient of a private one. */
const audience = (code: string, message: { from: { participantId: string }; to?: string }) =>
  message.to === undefined
    ? roomChannel(code)
    : [participantChannel(code, message.from.participantId), participantChannel(code, message.to)];

export const chatHandlers = {
  'send-message': {
    bucket: 'chat',
    act: async ({ socket, deps }, { text, to }) => {
      const m = requireMembership(socket);
      const message = await deps.rooms.get(m.roomCode).chat.send(m.participantId, text, to);
      deps.io.to(audience(m.roomCode, message)).emit('new-message', message);
      return { id: message.id };
    },
  },

  typing: {
    bucket: 'typing',
    act: async ({ socket, deps }, { active }) => {
      const m = requireMembership(socket);
      // The audience's typing is nobody's business: thousands would drown the stage.
      if (inAudience(socket, m.roomCode)) return {};
      const now = Date.now();
      const last = socket.data.lastTyping;
      // Throttled: relay state changes, and "still typing" at most every 2 s.
      if (last && last.active === active && (!active || now - last.at < TYPING_REFRESH_MS)) return {};
      // A relay spends the room's broadcast budget; in a busy room it is skipped, not refused.
      if (!(await deps.limits.tryRoomBroadcast(m.roomCode))) return {};
      socket.data.lastTyping = { active, at: now };
      socket.to(roomChannel(m.roomCode)).emit('typing', { participantId: m.participantId, active });
      return {};
    },
  },

  'get-chat-history': {
    bucket: 'control',
    act: async ({ socket, deps }, { before, limit }) => {
      const m = requireMembership(socket);
      return deps.rooms.get(m.roomCode).chat.page(m.participantId, before, limit);
    },
  },

  'delete-message': {
    bucket: 'control',
    act: async ({ socket, deps }, { messageId }) => {
      const m = requireMembership(socket);
      const { message, unpinned } = await deps.rooms.get(m.roomCode).chat.delete(m.participantId, messageId);
      const by = m.participantId;
      deps.io.to(audience(m.roomCode, message)).emit('message-deleted', { messageId, by });
      if (unpinned) deps.io.to(roomChannel(m.roomCode)).emit('message-pinned', { message: null, by });
      deps.log.info({ room: m.roomCode, actor: by, sender: message.from.participantId }, 'chat message deleted');
      return {};
    },
  },

  'pin-message': {
    bucket: 'control',
    act: async ({ socket, deps }, { messageId }) => {
      const m = requireMembership(socket);
      const changed = await deps.rooms.get(m.roomCode).chat.pin(m.participantId, messageId);
      if (changed)
        deps.io.to(roomChannel(m.roomCode)).emit('message-pinned', { message: changed.message, by: m.participantId });
      return {};
    },
  },
} satisfies EventHandlers;
