'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { signOut } from 'next-auth/react';
import { useState, type FormEvent } from 'react';
import { useTranslations } from 'use-intl';
import { createMeeting } from '@/lib/client/create-meeting';
import { normalizeRoomCode } from '@/lib/room-code';

export interface HomeUser {
  /** null: the account has neither a name nor an email. */
  name: string | null;
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
  const t = useTranslations('account');
  const [busy, setBusy] = useState(false);
  function leave() {
    setBusy(true);
    void signOut({ callbackUrl: '/' });
  }
  if (!user) {
    return canSignIn ? <Link href="/signin">{t('signIn')}</Link> : null;
  }
  const name = user.name ?? t('signedIn');
  return (
    <div style={{ display: 'flex', alignItems: 'center', gap: '0.5rem' }} aria-label={t('yourAccount')} role="group">
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
          {initials(name)}
        </span>
      )}
      <span>{name}</span>
      <button type="button" className="secondary" disabled={busy} onClick={leave}>
        {t('signOut')}
      </button>
    </div>
  );
}

export function HomeActions() {
  const t = useTranslations('home');
  const tErrors = useTranslations('errors');
  const router = useRouter();
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function newMeeting() {
    setBusy(true);
    setError(null);
    const made = await createMeeting();
    if (made.kind === 'created') return router.push(`/${made.code}`);
    if (made.kind === 'sign-in') return router.push(made.url);
    // The server's own message is English; a known code reads in the page's language.
    setError(made.error ? tErrors(made.error) : t('createFailed'));
    setBusy(false);
  }

  function join(e: FormEvent) {
    e.preventDefault();
    const normalized = normalizeRoomCode(code);
    if (!normalized) return setError(t('badCode'));
    router.push(`/${normalized}`);
  }

  return (
    // minmax(0, 1fr): the column is the page's width, not the code input's natural width (too wide for a phone).
    <section style={{ display: 'grid', gridTemplateColumns: 'minmax(0, 1fr)', gap: '1rem' }}>
      <button onClick={() => void newMeeting()} disabled={busy}>
        {t('newMeeting')}
      </button>
      <form onSubmit={join} style={{ display: 'flex', gap: '0.5rem' }}>
        <label htmlFor="code" style={{ position: 'absolute', left: '-9999px' }}>
          {t('codeLabel')}
        </label>
        <input
          id="code"
          placeholder={t('codePlaceholder')}
          value={code}
          onChange={(e) => setCode(e.target.value)}
          // min-width 0: an input's intrinsic width would otherwise push the row past a phone's screen.
          style={{ flex: 1, minWidth: 0 }}
        />
        <button type="submit" className="secondary">
          {t('join')}
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
