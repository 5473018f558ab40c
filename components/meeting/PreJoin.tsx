'use client';
import { useEffect, useState, type FormEvent } from 'react';
import { LIMITS } from '@/lib/text';
import styles from './meeting.module.css';

export interface PreJoinProps {
  roomCode: string;
  defaultName: string;
  busy: boolean;
  error: string | null;
  onJoin: (displayName: string) => void;
}

export function PreJoin({ roomCode, defaultName, busy, error, onJoin }: PreJoinProps) {
  const [name, setName] = useState(defaultName);
  // The remembered name arrives after hydration; don't overwrite what was typed.
  useEffect(() => setName((n) => n || defaultName), [defaultName]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (name.trim()) onJoin(name.trim());
  };
  return (
    <main className={styles.prejoin}>
      <h1>Ready to join?</h1>
      <p className={styles.code}>{roomCode}</p>
      <form onSubmit={submit} className={styles.form}>
        <label htmlFor="display-name">Your name</label>
        <input id="display-name" value={name} onChange={(e) => setName(e.target.value)} maxLength={LIMITS.displayName} autoComplete="name" required autoFocus />
        <button type="submit" disabled={busy || !name.trim()}>{busy ? 'Joining…' : 'Join now'}</button>
      </form>
      {error && <p role="alert" className={styles.error}>{error}</p>}
    </main>
  );
}
