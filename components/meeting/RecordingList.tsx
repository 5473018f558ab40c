'use client';
import { Download } from 'lucide-react';
import { useEffect, useState } from 'react';
import { useFormatter, useTranslations } from 'use-intl';
import type { RecordingInfo } from '@/lib/protocol';
import meeting from './meeting.module.css';
import styles from './recording.module.css';

/** A length as m:ss (h:mm:ss from an hour), as players show it. */
function clock(seconds: number): string {
  const s = Math.round(seconds);
  const two = (n: number) => String(n).padStart(2, '0');
  const mmss = `${Math.floor(s / 60) % 60}:${two(s % 60)}`;
  return s >= 3600 ? `${Math.floor(s / 3600)}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}` : mmss;
}

/** While a recording is being composed, the list asks again this often. */
const POLL_MS = 3_000;

/**
 * The meeting's recordings, for its creator and co-hosts (the server answers
 * 403 to anyone else): when each started, how long it is, and a download link
 * once it is ready. `recordingActive` changing (a recording stopped or started)
 * asks again at once.
 */
export function RecordingList({ roomCode, recordingActive }: { roomCode: string; recordingActive: boolean }) {
  const t = useTranslations('recordings');
  const format = useFormatter();
  const [list, setList] = useState<RecordingInfo[] | null>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    // The answer may arrive after the effect was cleaned up (the panel closed).
    const effect = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      const body = await fetch(`/api/rooms/${roomCode}/recordings`, { cache: 'no-store', signal: effect.signal })
        .then((res) => (res.ok ? (res.json() as Promise<{ recordings: RecordingInfo[] }>) : null))
        .catch(() => null);
      if (effect.signal.aborted) return;
      setFailed(!body);
      if (body) setList([...body.recordings].sort((a, b) => b.startedAt - a.startedAt));
      if (body?.recordings.some((r) => r.status === 'recording' || r.status === 'processing'))
        timer = setTimeout(() => void load(), POLL_MS);
    };
    void load();
    return () => {
      effect.abort();
      clearTimeout(timer);
    };
  }, [roomCode, recordingActive]);

  return (
    <section
      className={`${meeting.panelSection} ${styles.list}`}
      aria-labelledby="recordings-heading"
      data-testid="recording-list"
    >
      <h3 id="recordings-heading">{t('title')}</h3>
      {failed ? (
        <p>{t('unavailable')}</p>
      ) : list === null ? (
        <p>{t('loading')}</p>
      ) : list.length === 0 ? (
        <p>{t('none')}</p>
      ) : (
        <ul>
          {list.map((r) => (
            <li key={r.id} data-testid="recording-entry">
              <span>
                {format.dateTime(r.startedAt, { hour: '2-digit', minute: '2-digit' })}
                {r.status === 'ready' || r.status === 'processing' ? ` · ${clock(r.durationSec)}` : ''}
              </span>
              {r.status === 'ready' && r.url ? (
                <a href={r.url} download className={styles.download}>
                  <Download size={16} aria-hidden="true" />
                  {t('download', { size: format.number(r.size / 1_048_576, { maximumFractionDigits: 1 }) })}
                </a>
              ) : (
                <span className={styles.status}>{t(r.status)}</span>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
