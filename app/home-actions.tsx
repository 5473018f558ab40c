'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { normalizeRoomCode } from '@/lib/room-code';

export function HomeActions() {
  const router = useRouter();
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function newMeeting() {
    setBusy(true);
    setError(null);
    try {
      const res = await fetch('/api/rooms', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      const body = (await res.json()) as { ok: boolean; code?: string; error?: { message: string } };
      if (!body.ok || !body.code) throw new Error(body.error?.message ?? 'Could not create a meeting');
      router.push(`/${body.code}`);
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  }

  function join(e: FormEvent) {
    e.preventDefault();
    const normalized = normalizeRoomCode(code);
    if (!normalized) return setError('Enter a code like abc-defg-hij or a meeting link');
    router.push(`/${normalized}`);
  }

  return (
    <section style={{ display: 'grid', gap: '1rem' }}>
      <button onClick={newMeeting} disabled={busy}>New meeting</button>
      <form onSubmit={join} style={{ display: 'flex', gap: '0.5rem' }}>
        <label htmlFor="code" style={{ position: 'absolute', left: '-9999px' }}>Meeting code or link</label>
        <input id="code" placeholder="Enter a code or link" value={code} onChange={(e) => setCode(e.target.value)} style={{ flex: 1 }} />
        <button type="submit" className="secondary">Join</button>
      </form>
      {error && <p role="alert" style={{ color: 'var(--danger)' }}>{error}</p>}
    </section>
  );
}
