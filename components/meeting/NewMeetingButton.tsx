'use client';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useTranslations } from 'use-intl';
import { createMeeting } from '@/lib/client/create-meeting';

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
    const made = await createMeeting();
    if (made.kind === 'created') return router.push(`/${made.code}`);
    if (made.kind === 'sign-in') return router.push(made.url);
    setError(made.error ? te(made.error) : th('createFailed'));
    setBusy(false);
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
