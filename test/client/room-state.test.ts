/** The meeting UI's room state, driven by the server events it receives. */
import { createTranslator } from 'use-intl/core';
import { describe, expect, it } from 'vitest';
import {
  INITIAL_ROOM_STATE,
  peopleOrder,
  roomReducer,
  type RoomAction,
  type RoomState,
} from '../../lib/client/room-state';
import { toastText } from '../../lib/client/toast-text';
import type { ToastMessage } from '../../lib/client/room-state';
import { MESSAGES } from '../../lib/i18n/messages';
import type { Locale } from '../../lib/i18n/config';
import type { ChatMessage, ParticipantInfo, RoomJoined } from '../../lib/protocol';

/** A toast as a reader of `locale` sees it. */
const say = (locale: Locale, m: ToastMessage) => toastText(createTranslator({ locale, messages: MESSAGES[locale] }), m);

const person = (
  participantId: string,
  displayName: string,
  joinedAt: number,
  extra: Partial<ParticipantInfo> = {},
): ParticipantInfo => ({
  participantId,
  displayName,
  role: 'participant',
  isGuest: true,
  joinedAt,
  media: { audio: true, video: true, screen: false },
  handRaisedAt: null,
  ...extra,
});
const room = {
  title: null,
  locked: false,
  waitingRoom: 'off' as const,
  capacity: 100,
  maxScreenShares: 1,
  permissions: { canUnmute: true, canStartVideo: true, canShareScreen: true, canChat: true },
  banShield: true,
  audience: { mode: 'off' as const, stageLimit: 100 },
};
const joined: RoomJoined = {
  roomCode: 'abc-defg-hij',
  self: { participantId: 'me', displayName: 'Me', role: 'host', resumeToken: 't' },
  participants: [person('me', 'Me', 1, { role: 'host' }), person('bob', 'Bob', 2)],
  audienceCount: 0,
  chat: [{ id: 'm1', from: { participantId: 'bob', displayName: 'Bob' }, text: 'earlier', sentAt: 1 }],
  chatHasMore: true,
  pinned: null,
  room,
  spotlight: null,
  recording: { active: false, startedAt: null, by: null },
  recordingAvailable: true,
  resumed: false,
};
const msg = (id: string, text = id, from = 'bob'): ChatMessage => ({
  id,
  from: { participantId: from, displayName: from },
  text,
  sentAt: 1,
});
const run = (...actions: RoomAction[]): RoomState => actions.reduce(roomReducer, INITIAL_ROOM_STATE);

describe('room state', () => {
  it('room-joined brings the people, the chat history and the settings', () => {
    const s = run({ type: 'joined', data: joined });
    expect(s.participants.map((p) => p.displayName)).toEqual(['Me', 'Bob']);
    expect(s.chat.map((m) => m.text)).toEqual(['earlier']);
    expect(s.room).toEqual(room);
  });

  it("joins, leaves and kicks become toasts with the person's name", () => {
    const s = run(
      { type: 'joined', data: joined },
      { type: 'user-joined', participant: person('cat', 'Cat', 3) },
      { type: 'user-left', participantId: 'bob', reason: 'kicked' },
    );
    expect(s.toasts.map((t) => say('en', t.message))).toEqual(['Cat joined', 'Bob was removed']);
    expect(s.toasts.map((t) => say('de', t.message))).toEqual(['Cat ist beigetreten', 'Bob wurde entfernt']);
    expect(s.participants.map((p) => p.participantId)).toEqual(['me', 'cat']);
  });

  it('a host mute heard twice (you-were-muted and producer-paused) is one toast', () => {
    const s = run(
      { type: 'toast', message: { key: 'mutedByHost' } },
      { type: 'toast', message: { key: 'mutedByHost' } },
    );
    expect(s.toasts).toHaveLength(1);
  });

  it('losing the co-host role clears the lobby queue and updates self', () => {
    const s = run(
      { type: 'joined', data: { ...joined, self: { ...joined.self, role: 'cohost' } } },
      { type: 'lobby', waiting: [{ participantId: 'k', displayName: 'K', isGuest: true, knockedAt: 5 }] },
      { type: 'role', participantId: 'me', role: 'participant' },
    );
    expect(s.self?.role).toBe('participant');
    expect(s.lobby).toEqual([]);
    expect(say('en', s.toasts.at(-1)!.message)).toBe('You are now a participant');
    expect(say('de', s.toasts.at(-1)!.message)).toBe('Sie sind jetzt eine teilnehmende Person');
  });

  it('the waiting queue follows knock-added and knock-removed deltas after the whole list of lobby-updated', () => {
    const knock = (id: string, knockedAt: number) => ({ participantId: id, displayName: id, isGuest: true, knockedAt });
    const s = run(
      { type: 'joined', data: joined },
      { type: 'lobby', waiting: [knock('k1', 1), knock('k2', 2)] },
      { type: 'knock-added', entry: knock('k2', 2) }, // already in the list it was briefed with
      { type: 'knock-added', entry: knock('k3', 3) },
      { type: 'knock-added', entry: knock('k4', 4) },
      { type: 'knock-removed', participantIds: ['k1', 'k3'] },
    );
    expect(s.lobby.map((e) => e.participantId)).toEqual(['k2', 'k4']);
  });

  it('a knocker keeps its place in line and whether anyone is here to let it in', () => {
    const waiting = run({ type: 'lobby-position', position: 3, noModerator: true });
    expect([waiting.lobbyPosition, waiting.lobbyNoModerator]).toEqual([3, true]);
    const moderated = roomReducer(waiting, { type: 'lobby-position', position: 2, noModerator: false });
    expect([moderated.lobbyPosition, moderated.lobbyNoModerator]).toEqual([2, false]);
  });

  it('a new message from someone clears their typing indicator', () => {
    const s = run(
      { type: 'joined', data: joined },
      { type: 'typing', participantId: 'bob', active: true },
      {
        type: 'message',
        message: { id: 'm2', from: { participantId: 'bob', displayName: 'Bob' }, text: 'hi', sentAt: 2 },
      },
    );
    expect(s.typing).toEqual([]);
    expect(s.chat.map((m) => m.text)).toEqual(['earlier', 'hi']);
  });

  it('room-joined brings whether older messages exist and the pin', () => {
    const s = run({ type: 'joined', data: { ...joined, pinned: msg('p1', 'agenda') } });
    expect([s.chatHasMore, s.pinned?.text]).toEqual([true, 'agenda']);
  });

  it('an older page goes before what we hold, once each, and says whether more are left', () => {
    const s = run(
      { type: 'joined', data: joined },
      { type: 'message', message: msg('m2') },
      { type: 'older-messages', messages: [msg('m0a'), msg('m0b')], hasMore: true },
      // A page that overlaps what we hold (the newest page, fetched while m2 arrived).
      { type: 'older-messages', messages: [msg('m-1'), msg('m0a'), msg('m1'), msg('m2')], hasMore: false },
    );
    expect(s.chat.map((m) => m.id)).toEqual(['m-1', 'm0a', 'm0b', 'm1', 'm2']);
    expect(s.chatHasMore).toBe(false);
  });

  it('message-deleted drops the message, and the pin if it was pinned', () => {
    const pinned = msg('m1', 'earlier');
    const s = run({ type: 'joined', data: { ...joined, pinned } }, { type: 'message-deleted', messageId: 'm1' });
    expect([s.chat, s.pinned]).toEqual([[], null]);
    const other = run(
      { type: 'joined', data: { ...joined, pinned: msg('m9') } },
      { type: 'message-deleted', messageId: 'm1' },
    );
    expect(other.pinned?.id).toBe('m9');
  });

  it('message-pinned replaces the pin, and null unpins', () => {
    const s = run({ type: 'joined', data: joined }, { type: 'pinned', message: msg('m1', 'earlier') });
    expect(s.pinned?.id).toBe('m1');
    expect(roomReducer(s, { type: 'pinned', message: null }).pinned).toBeNull();
  });

  it('raised hands come first, in raise order, then everyone else in join order', () => {
    const list = [
      person('a', 'A', 1),
      person('b', 'B', 2, { handRaisedAt: 20 }),
      person('c', 'C', 3, { handRaisedAt: 10 }),
      person('d', 'D', 4),
    ];
    expect(peopleOrder(list).map((p) => p.participantId)).toEqual(['c', 'b', 'a', 'd']);
  });

  it('in the audience: our own hand is kept apart; promoted we appear on stage; demoted we leave it', () => {
    const watching = {
      ...joined,
      self: { ...joined.self, role: 'audience' as const },
      participants: [person('bob', 'Bob', 2)],
    };
    let s = run({ type: 'joined', data: { ...watching, audienceCount: 7 } });
    expect(s.audienceCount).toBe(7);
    s = roomReducer(s, { type: 'hand', participantId: 'me', raisedAt: 5 });
    expect(s.selfHandRaisedAt).toBe(5);
    s = roomReducer(s, { type: 'role', participantId: 'me', role: 'participant' });
    expect(s.participants.map((p) => [p.participantId, p.role])).toEqual([
      ['bob', 'participant'],
      ['me', 'participant'],
    ]);
    expect(s.selfHandRaisedAt).toBeNull();
    s = roomReducer(s, { type: 'role', participantId: 'me', role: 'audience' });
    expect(s.participants.map((p) => p.participantId)).toEqual(['bob']);
    expect(s.self?.role).toBe('audience');
  });

  it("hosts hold the audience's hands earliest first; a lowered hand leaves them; the count follows audience-updated", () => {
    const member = (id: string, at: number) => ({
      participantId: id,
      displayName: id,
      isGuest: true,
      joinedAt: 1,
      handRaisedAt: at,
    });
    let s = run(
      { type: 'joined', data: joined },
      { type: 'audience-hands', members: [member('x', 9), member('y', 3)] },
    );
    expect(s.audienceHands.map((m) => m.participantId)).toEqual(['y', 'x']);
    s = roomReducer(s, { type: 'hand', participantId: 'y', raisedAt: null });
    expect(s.audienceHands.map((m) => m.participantId)).toEqual(['x']);
    expect(roomReducer(s, { type: 'audience-count', count: 4812 }).audienceCount).toBe(4812);
  });

  it('someone moved to the audience leaves the list with a toast that says so', () => {
    const s = run({ type: 'joined', data: joined }, { type: 'user-left', participantId: 'bob', reason: 'audience' });
    expect(s.participants.map((p) => p.participantId)).toEqual(['me']);
    expect(s.toasts.map((t) => say('en', t.message))).toEqual(['Bob moved to the audience']);
  });
});

describe('toasts in the reader’s language', () => {
  it('a refusal is worded from its error code, not from the server’s English message', () => {
    const s = run({
      type: 'toast',
      message: { key: 'error', error: { code: 'FORBIDDEN', message: 'Not allowed: kick' } },
    });
    expect(say('en', s.toasts[0]!.message)).toBe('You are not allowed to do that.');
    expect(say('de', s.toasts[0]!.message)).toBe('Dazu sind Sie nicht berechtigt.');
  });

  it('a host mute, a role change of someone who left and a move to the stage read as German', () => {
    const s = run(
      { type: 'joined', data: joined },
      { type: 'toast', message: { key: 'mutedByHost' } },
      { type: 'role', participantId: 'gone', role: 'cohost' },
    );
    expect(s.toasts.map((t) => say('de', t.message))).toEqual([
      'Der Host hat Ihr Mikrofon stummgeschaltet',
      'Jemand ist jetzt Co-Host',
    ]);
  });
});
