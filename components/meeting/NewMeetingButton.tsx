'use client';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useTranslations } from 'use-intl';
import { isErrorCode } from '@/lib/protocol';

/** "Start a new meeting" from a page that ended somewhere else: creates one and goes there. */
export function NewMeetingButton({ secondary }: { secondary?: boolean }) {
  const t = useTranslations('status');
  const te = useTranslations('errors');
  const th = useTranslations('home');
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
      if (!body.ok || !body.code) {
        const code = body.error?.code;
        setError(isErrorCode(code) ? te(code) : th('createFailed'));
        return setBusy(false);
      }
      router.push(`/${body.code}`);
    } catch {
      setError(th('createFailed'));
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
        {t('startNew')}
      </button>
      {error && <p role="alert">{error}</p>}
    </>
  );
}
