'use client';
import { useRouter } from 'next/navigation';
import { useState } from 'react';

/** "Start a new meeting" from a page that ended somewhere else: creates one and goes there. */
export function NewMeetingButton({ secondary }: { secondary?: boolean }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function start() {
    setBusy(true);
    setError(null);
    try {
      const res = await fetch('/api/rooms', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      const body = (await res.json()) as { ok: boolean; code?: string; error?: { code: string; message: string } };
      // Sign-in may be required to create: the home page explains and offers it.
      if (body.error?.code === 'UNAUTHENTICATED') return router.push('/signin?callbackUrl=%2F');
      if (!body.ok || !body.code) throw new Error(body.error?.message ?? 'Could not create a meeting');
      router.push(`/${body.code}`);
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  }
  return (
    <>
      <button
        type="button"
        className={secondary ? 'secondary' : undefined}
        disabled={busy}
        onClick={() => void start()}
      >
        Start a new meeting
      </button>
      {error && <p role="alert">{error}</p>}
    </>
  );
}
