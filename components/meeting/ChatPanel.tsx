'use client';
import { useEffect, useLayoutEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { useFormatter, useTranslations } from 'use-intl';
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
  const t = useTranslations('chat');
  const tCommon = useTranslations('common');
  const format = useFormatter();
  const [text, setText] = useState('');
  const [to, setTo] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const [loading, setLoading] = useState(false);
  const listRef = useRef<HTMLOListElement>(null);
  /** While older messages are prepended: the list's height before, so the view stays where it was. */
  const heightBeforeLoad = useRef<number | null>(null);
  const idle = useRef<ReturnType<typeof setTimeout> | null>(null);
  // Audience members are not in the stage's list; one who wrote to me privately may be answered privately.
  const correspondents = useMemo(() => {
    const onStage = new Set(p.participants.map((x) => x.participantId));
    const names = new Map<string, string>();
    for (const m of p.messages)
      if (m.to === p.selfId && !onStage.has(m.from.participantId)) names.set(m.from.participantId, m.from.displayName);
    return [...names].map(([participantId, displayName]) => ({ participantId, displayName }));
  }, [p.messages, p.participants, p.selfId]);
  const others = useMemo(
    () => [...p.participants.filter((x) => x.participantId !== p.selfId), ...correspondents],
    [p.participants, p.selfId, correspondents],
  );
  const nameOf = (id: string) =>
    [...p.participants, ...correspondents].find((x) => x.participantId === id)?.displayName ?? t('someoneWhoLeft');

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
    if (to && !others.some((x) => x.participantId === to)) setTo('');
  }, [to, others]);
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
        <h2 id="chat-heading">{t('heading')}</h2>
        {p.pinned && (
          <div className={styles.pinned} data-testid="chat-pinned">
            <span className={styles.messageMeta}>
              {t('pinned')} · <strong>{p.pinned.from.displayName}</strong>
            </span>
            <span className={styles.messageText}>{p.pinned.text}</span>
            {p.canPin && (
              <button type="button" className={styles.small} onClick={() => p.onPin(null)}>
                {t('unpin')}
              </button>
            )}
          </div>
        )}
      </div>
      <ol ref={listRef} className={styles.messages} aria-live="polite" data-testid="chat-messages">
        {p.hasMore && (
          <li>
            <button type="button" className={styles.small} disabled={loading} onClick={() => void loadEarlier()}>
              {loading ? tCommon('loading') : t('loadEarlier')}
            </button>
          </li>
        )}
        {p.messages.length === 0 && !p.hasMore && <li className={styles.muted}>{t('empty')}</li>}
        {p.messages.map((m) => {
          const mine = m.from.participantId === p.selfId;
          const pinnable = p.canPin && !m.to && p.pinned?.id !== m.id;
          return (
            <li key={m.id} className={styles.message} data-testid="chat-message">
              <span className={styles.messageMeta}>
                <strong data-testid="chat-sender">{mine ? tCommon('you') : m.from.displayName}</strong>
                {m.to && (
                  <span className={styles.private}>
                    {' '}
                    {m.to === p.selfId ? t('privatelyToYou') : t('privatelyTo', { name: nameOf(m.to) })}
                  </span>
                )}{' '}
                <time dateTime={new Date(m.sentAt).toISOString()}>
                  {format.dateTime(m.sentAt, { hour: '2-digit', minute: '2-digit' })}
                </time>
              </span>
              <span className={styles.messageText} data-testid="chat-text">
                {m.text}
              </span>
              {(mine || p.canDeleteAny || pinnable) && (
                <span className={styles.messageActions}>
                  {pinnable && (
                    <button type="button" className={styles.linkButton} onClick={() => p.onPin(m.id)}>
                      {t('pin')}
                    </button>
                  )}
                  {(mine || p.canDeleteAny) && (
                    <button
                      type="button"
                      className={styles.linkButton}
                      onClick={() => p.onDelete(m.id)}
                      aria-label={mine ? t('deleteOwn') : t('deleteBy', { name: m.from.displayName })}
                    >
                      {t('delete')}
                    </button>
                  )}
                </span>
              )}
            </li>
          );
        })}
      </ol>
      <p className={styles.typing} aria-live="polite">
        {typers.length > 0 && t('typing', { count: typers.length, names: format.list(typers) })}
      </p>
      <form onSubmit={(e) => void submit(e)} className={styles.chatForm}>
        <label className={styles.field}>
          {t('to')}
          <select value={to} onChange={(e) => setTo(e.target.value)} aria-label={t('sendTo')}>
            <option value="">{t('everyone')}</option>
            {others.map((x) => (
              <option key={x.participantId} value={x.participantId}>
                {t('privateTo', { name: x.displayName })}
              </option>
            ))}
          </select>
        </label>
        <input
          value={text}
          onChange={(e) => change(e.target.value)}
          maxLength={LIMITS.chatText}
          placeholder={t('placeholder')}
          aria-label={t('message')}
        />
        <button type="submit" disabled={!text.trim() || sending}>
          {t('send')}
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
