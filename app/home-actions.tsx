'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { signOut } from 'next-auth/react';
import { useState, type FormEvent } from 'react';
import { normalizeRoomCode } from '@/lib/room-code';

export interface HomeUser {
  name: string;
  image: string | null;
}

function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  return (
    words
      .slice(0, 2)
      .map((w) => [...w][0]!.toUpperCase())
      .join('') || '?'
  );
}

/** Who is signed in (name, avatar or initials, sign out), or a sign-in link when sign-in is offered. */
export function AccountBar({ user, canSignIn }: { user: HomeUser | null; canSignIn: boolean }) {
  const [busy, setBusy] = useState(false);
  function leave() {
    setBusy(true);
    void signOut({ callbackUrl: '/' });
  }
  if (!user) {
    return canSignIn ? <Link href="/signin">Sign in</Link> : null;
  }
  return (
    <div style={{ display: 'flex', alignItems: 'center', gap: '0.5rem' }} aria-label="Your account" role="group">
      {user.image ? (
        // eslint-disable-next-line @next/next/no-img-element -- any provider's avatar host; next/image would need each listed
        <img
          src={user.image}
          alt=""
          width={32}
          height={32}
          referrerPolicy="no-referrer"
          style={{ borderRadius: '50%' }}
        />
      ) : (
        <span
          aria-hidden="true"
          style={{
            display: 'grid',
            placeItems: 'center',
            width: 32,
            height: 32,
            borderRadius: '50%',
            background: 'var(--accent)',
            fontSize: '0.8rem',
            fontWeight: 600,
          }}
        >
          {initials(user.name)}
        </span>
      )}
      <span>{user.name}</span>
      <button type="button" className="secondary" disabled={busy} onClick={leave}>
        Sign out
      </button>
    </div>
  );
}

export function HomeActions() {
  const router = useRouter();
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function newMeeting() {
    setBusy(true);
    setError(null);
    try {
      const res = await fetch('/api/rooms', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      const body = (await res.json()) as { ok: boolean; code?: string; error?: { code: string; message: string } };
      if (body.error?.code === 'UNAUTHENTICATED') return router.push('/signin?callbackUrl=%2F');
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
      <button onClick={() => void newMeeting()} disabled={busy}>
        New meeting
      </button>
      <form onSubmit={join} style={{ display: 'flex', gap: '0.5rem' }}>
        <label htmlFor="code" style={{ position: 'absolute', left: '-9999px' }}>
          Meeting code or link
        </label>
        <input
          id="code"
          placeholder="Enter a code or link"
          value={code}
          onChange={(e) => setCode(e.target.value)}
          style={{ flex: 1 }}
        />
        <button type="submit" className="secondary">
          Join
        </button>
      </form>
      {error && (
        <p role="alert" style={{ color: 'var(--danger)' }}>
          {error}
        </p>
      )}
    </section>
  );
}
