'use client';
import { useEffect, useLayoutEffect, useRef, useState, type FormEvent } from 'react';
import type { ChatMessage, ParticipantInfo } from '@/lib/protocol';
import { LIMITS } from '@/lib/text';
import styles from './meeting.module.css';

export interface ChatPanelProps {
  messages: ChatMessage[];
  participants: ParticipantInfo[];
  selfId: string | null;
  /** participantIds currently typing. */
  typing: string[];
  /** Resolves with an error message to show, or null once sent. */
  onSend: (text: string, to: string | null) => Promise<string | null>;
  onTyping: (active: boolean) => void;
  /** Older messages are on the server: offer to load them. */
  hasMore: boolean;
  onLoadEarlier: () => Promise<void>;
  pinned: ChatMessage | null;
  /** May delete anyone's message (everyone may delete their own). */
  canDeleteAny: boolean;
  canPin: boolean;
  onDelete: (messageId: string) => void;
  /** `null` unpins. */
  onPin: (messageId: string | null) => void;
}

const TYPING_IDLE_MS = 3_000;

export function ChatPanel(p: ChatPanelProps) {
  const [text, setText] = useState('');
  const [to, setTo] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const [loading, setLoading] = useState(false);
  const listRef = useRef<HTMLOListElement>(null);
  /** While older messages are prepended: the list's height before, so the view stays where it was. */
  const heightBeforeLoad = useRef<number | null>(null);
  const idle = useRef<ReturnType<typeof setTimeout> | null>(null);
  const nameOf = (id: string) => p.participants.find((x) => x.participantId === id)?.displayName ?? 'someone who left';
  const others = p.participants.filter((x) => x.participantId !== p.selfId);

  const newestId = p.messages.at(-1)?.id;
  const oldestId = p.messages[0]?.id;
  useEffect(() => {
    const el = listRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [newestId]);
  useLayoutEffect(() => {
    const el = listRef.current;
    if (el && heightBeforeLoad.current !== null) el.scrollTop += el.scrollHeight - heightBeforeLoad.current;
    heightBeforeLoad.current = null;
  }, [oldestId]);
  // The chosen recipient left: fall back to everyone rather than send into the void.
  useEffect(() => {
    if (to && !p.participants.some((x) => x.participantId === to)) setTo('');
  }, [to, p.participants]);
  useEffect(() => () => void (idle.current && clearTimeout(idle.current)), []);

  const stopTyping = () => {
    if (idle.current) clearTimeout(idle.current);
    idle.current = null;
    p.onTyping(false);
  };
  const change = (value: string) => {
    setText(value);
    if (!value) return stopTyping();
    p.onTyping(true);
    if (idle.current) clearTimeout(idle.current);
    idle.current = setTimeout(stopTyping, TYPING_IDLE_MS);
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim() || sending) return;
    setSending(true);
    stopTyping();
    const failure = await p.onSend(text, to || null);
    setSending(false);
    setError(failure);
    if (!failure) setText('');
  };

  const loadEarlier = async () => {
    if (loading) return;
    setLoading(true);
    heightBeforeLoad.current = listRef.current?.scrollHeight ?? null;
    await p.onLoadEarlier();
    setLoading(false);
  };

  const typers = p.typing.map(nameOf);
  return (
    <section
      className={`${styles.panelSection} ${styles.chat}`}
      aria-labelledby="chat-heading"
      data-testid="chat-panel"
    >
      <div className={styles.chatHead}>
        <h2 id="chat-heading">Chat</h2>
        {p.pinned && (
          <div className={styles.pinned} data-testid="chat-pinned">
            <span className={styles.messageMeta}>
              Pinned · <strong>{p.pinned.from.displayName}</strong>
            </span>
            <span className={styles.messageText}>{p.pinned.text}</span>
            {p.canPin && (
              <button type="button" className={styles.small} onClick={() => p.onPin(null)}>
                Unpin
              </button>
            )}
          </div>
        )}
      </div>
      <ol ref={listRef} className={styles.messages} aria-live="polite" data-testid="chat-messages">
        {p.hasMore && (
          <li>
            <button type="button" className={styles.small} disabled={loading} onClick={() => void loadEarlier()}>
              {loading ? 'Loading…' : 'Load earlier messages'}
            </button>
          </li>
        )}
        {p.messages.length === 0 && !p.hasMore && <li className={styles.muted}>No messages yet</li>}
        {p.messages.map((m) => {
          const mine = m.from.participantId === p.selfId;
          const pinnable = p.canPin && !m.to && p.pinned?.id !== m.id;
          return (
            <li key={m.id} className={styles.message} data-testid="chat-message">
              <span className={styles.messageMeta}>
                <strong data-testid="chat-sender">{mine ? 'You' : m.from.displayName}</strong>
                {m.to && (
                  <span className={styles.private}> privately to {m.to === p.selfId ? 'you' : nameOf(m.to)}</span>
                )}{' '}
                <time dateTime={new Date(m.sentAt).toISOString()}>
                  {new Date(m.sentAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}
                </time>
              </span>
              <span className={styles.messageText} data-testid="chat-text">
                {m.text}
              </span>
              {(mine || p.canDeleteAny || pinnable) && (
                <span className={styles.messageActions}>
                  {pinnable && (
                    <button type="button" className={styles.linkButton} onClick={() => p.onPin(m.id)}>
                      Pin
                    </button>
                  )}
                  {(mine || p.canDeleteAny) && (
                    <button
                      type="button"
                      className={styles.linkButton}
                      onClick={() => p.onDelete(m.id)}
                      aria-label={mine ? 'Delete, sent by you' : `Delete, sent by ${m.from.displayName}`}
                    >
                      Delete
                    </button>
                  )}
                </span>
              )}
            </li>
          );
        })}
      </ol>
      <p className={styles.typing} aria-live="polite">
        {typers.length > 0 && `${typers.join(', ')} ${typers.length > 1 ? 'are' : 'is'} typing…`}
      </p>
      <form onSubmit={(e) => void submit(e)} className={styles.chatForm}>
        <label className={styles.field}>
          To
          <select value={to} onChange={(e) => setTo(e.target.value)} aria-label="Send to">
            <option value="">Everyone</option>
            {others.map((x) => (
              <option key={x.participantId} value={x.participantId}>
                {x.displayName} (private)
              </option>
            ))}
          </select>
        </label>
        <input
          value={text}
          onChange={(e) => change(e.target.value)}
          maxLength={LIMITS.chatText}
          placeholder="Send a message"
          aria-label="Message"
        />
        <button type="submit" disabled={!text.trim() || sending}>
          Send
        </button>
      </form>
      {error && (
        <p role="alert" className={styles.error} data-testid="chat-error">
          {error}
        </p>
      )}
    </section>
  );
}
