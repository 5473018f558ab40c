'use client';
/**
 * Notices during a meeting: pop-ups for what someone may want to act on (a
 * raised hand for hosts, a message while the chat is closed, a knock while the
 * people panel is closed), and a screen-reader log of joins, leaves, hands
 * and messages. Both are worked out here from changes in the room's state,
 * and each can be muted in settings (remembered in this browser).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslations } from 'use-intl';
import { isModerator, type Role } from '../permissions';
import type { AudienceMemberInfo, ChatMessage, LobbyEntryInfo, ParticipantInfo } from '../protocol';
import type { Toast } from './room-state';
import { useToastText } from './toast-text';

export interface NoticePrefs {
  /** Pop-up notices (toasts). */
  popups: boolean;
  /** Announcements to screen readers (the live region). */
  announce: boolean;
}

const PREFS_KEY = 'convene:notices';
const DEFAULT_PREFS: NoticePrefs = { popups: true, announce: true };

/** The person's notice settings, remembered in this browser. */
export function useNoticePrefs(): [NoticePrefs, (prefs: NoticePrefs) => void] {
  const [prefs, setPrefs] = useState(DEFAULT_PREFS);
  useEffect(() => {
    try {
      setPrefs({ ...DEFAULT_PREFS, ...(JSON.parse(localStorage.getItem(PREFS_KEY) ?? '{}') as Partial<NoticePrefs>) });
    } catch {
      // A damaged entry: keep the defaults.
    }
  }, []);
  const save = useCallback((next: NoticePrefs) => {
    setPrefs(next);
    localStorage.setItem(PREFS_KEY, JSON.stringify(next));
  }, []);
  return [prefs, save];
}

/** A pop-up; `open` names the panel its button opens. */
export interface Notice {
  id: number;
  text: string;
  open?: 'chat' | 'people';
}

export interface NoticeInput {
  joined: boolean;
  selfId: string | null;
  role: Role;
  participants: ParticipantInfo[];
  chat: ChatMessage[];
  lobby: LobbyEntryInfo[];
  audienceHands: AudienceMemberInfo[];
  toasts: Toast[];
  /** The side panel that is open: what it shows needs no pop-up. */
  panel: string | null;
}

interface Seen {
  hands: Set<string>;
  newestSentAt: number;
  knocks: Set<string>;
  toasts: number;
}

const NOTICE_MS = 8_000;
const KEEP_ANNOUNCED = 5;
let seq = 0;

const clip = (text: string, max = 90) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

function seenOf(i: NoticeInput): Seen {
  return {
    hands: new Set([
      ...i.participants.filter((p) => p.handRaisedAt !== null).map((p) => p.participantId),
      ...i.audienceHands.map((m) => m.participantId),
    ]),
    newestSentAt: i.chat.at(-1)?.sentAt ?? 0,
    knocks: new Set(i.lobby.map((k) => k.participantId)),
    toasts: Math.max(0, ...i.toasts.map((t) => t.id)),
  };
}

/**
 * Pop-ups and announcements from what changed since the last render. Nothing
 * that was there on joining (the chat history, hands already up) is announced.
 */
export function useMeetingNotices(input: NoticeInput, prefs: NoticePrefs) {
  const [notices, setNotices] = useState<Notice[]>([]);
  const [announced, setAnnounced] = useState<Array<{ id: number; text: string }>>([]);
  const seen = useRef<Seen | null>(null);
  const t = useTranslations('notices');
  const someone = useTranslations('common')('someone');
  const toastText = useToastText();
  const words = useRef({ t, someone, toastText });
  words.current = { t, someone, toastText };
  const latest = useRef(input);
  latest.current = input;

  const { joined, participants, chat, lobby, audienceHands, toasts } = input;
  useEffect(() => {
    const i = latest.current;
    if (!i.joined) {
      seen.current = null;
      return;
    }
    const before = seen.current;
    const now = seenOf(i);
    seen.current = now;
    if (!before) return;
    const moderator = isModerator(i.role);
    const { t, someone, toastText } = words.current;
    const popups: Notice[] = [];
    const says: string[] = [];
    const nameOf = (id: string) =>
      i.participants.find((p) => p.participantId === id)?.displayName ??
      i.audienceHands.find((m) => m.participantId === id)?.displayName ??
      someone;

    // Joins, leaves, role changes and refusals arrive as the room's own toasts; alerts are said even when announcing is off.
    for (const toast of i.toasts)
      if (toast.id > before.toasts && (prefs.announce || toast.kind === 'alert')) says.push(toastText(toast.message));
    const alerts = says.length;
    for (const id of now.hands) {
      if (before.hands.has(id) || id === i.selfId) continue;
      const text = t('handRaised', { name: nameOf(id) });
      says.push(text);
      if (moderator) popups.push({ id: ++seq, text, open: 'people' });
    }
    for (const m of i.chat) {
      if (m.sentAt <= before.newestSentAt || m.from.participantId === i.selfId) continue;
      const name = m.from.displayName;
      says.push(t(m.to ? 'newPrivateMessage' : 'newMessage', { name, text: clip(m.text, 200) }));
      if (i.panel !== 'chat')
        popups.push({
          id: ++seq,
          text: t(m.to ? 'privateMessage' : 'message', { name, text: clip(m.text) }),
          open: 'chat',
        });
    }
    for (const k of i.lobby) {
      if (before.knocks.has(k.participantId)) continue;
      const text = t('knock', { name: k.displayName });
      says.push(text);
      if (i.panel !== 'people') popups.push({ id: ++seq, text, open: 'people' });
    }
    if (prefs.popups && popups.length) setNotices((n) => [...n, ...popups].slice(-4));
    const spoken = prefs.announce ? says : says.slice(0, alerts);
    if (spoken.length)
      setAnnounced((a) => [...a, ...spoken.map((text) => ({ id: ++seq, text }))].slice(-KEEP_ANNOUNCED));
  }, [joined, participants, chat, lobby, audienceHands, toasts, prefs.popups, prefs.announce]);

  // Pop-ups fade on their own; muting them clears what is showing.
  useEffect(() => {
    if (!prefs.popups) setNotices([]);
  }, [prefs.popups]);
  useEffect(() => {
    const timers = notices.map((n) =>
      setTimeout(() => setNotices((all) => all.filter((x) => x.id !== n.id)), NOTICE_MS),
    );
    return () => timers.forEach(clearTimeout);
  }, [notices]);

  const dismiss = useCallback((id: number) => setNotices((all) => all.filter((x) => x.id !== id)), []);
  return { notices, announced, dismiss };
}
