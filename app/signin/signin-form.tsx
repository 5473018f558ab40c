'use client';

import Link from 'next/link';
import { signIn } from 'next-auth/react';
import { useState, type FormEvent } from 'react';
import { useTranslations } from 'use-intl';
import { DEV_LOGIN_ID, type PublicProvider } from '@/lib/auth/public';
import { LIMITS } from '@/lib/text';

export interface SignInFormProps {
  providers: PublicProvider[];
  devLogin: boolean;
  callbackUrl: string;
  error: string | null;
}

export function SignInForm({ providers, devLogin, callbackUrl, error: initialError }: SignInFormProps) {
  const t = useTranslations('signin');
  const [error, setError] = useState(initialError);
  const [busy, setBusy] = useState(false);
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');

  async function oauth(id: string) {
    setBusy(true);
    setError(null);
    // Navigates away to the provider; only returns if it could not start.
    await signIn(id, { callbackUrl });
    setBusy(false);
  }

  async function devSignIn(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const res = await signIn(DEV_LOGIN_ID, { email, name, callbackUrl, redirect: false });
    if (res?.ok && !res.error) {
      // A full load, so server components render with the new session.
      window.location.assign(callbackUrl);
      return;
    }
    setError(t('errors.CredentialsSignin'));
    setBusy(false);
  }

  const nothing = providers.length === 0 && !devLogin;
  return (
    <section style={{ display: 'grid', gap: '1rem' }}>
      {error && (
        <p role="alert" style={{ color: 'var(--danger)' }}>
          {error}
        </p>
      )}
      {nothing && <p>{t('notSetUp')}</p>}
      {providers.map((p) => (
        <button key={p.id} type="button" onClick={() => void oauth(p.id)} disabled={busy}>
          {t('withProvider', { provider: p.name })}
        </button>
      ))}
      {devLogin && (
        <form
          onSubmit={(e) => void devSignIn(e)}
          aria-labelledby="dev-login-title"
          style={{ display: 'grid', gap: '0.5rem', padding: '1rem', background: 'var(--panel)', borderRadius: 8 }}
        >
          <h2 id="dev-login-title" style={{ margin: 0, fontSize: '1rem' }}>
            {t('devTitle')}
          </h2>
          <p style={{ margin: 0, color: 'var(--muted)', fontSize: '0.875rem' }}>{t('devNote')}</p>
          <label htmlFor="dev-email">{t('email')}</label>
          <input
            id="dev-email"
            type="email"
            required
            autoComplete="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
          <label htmlFor="dev-name">{t('displayName')}</label>
          <input
            id="dev-name"
            required
            maxLength={LIMITS.displayName}
            autoComplete="name"
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
          <button type="submit" disabled={busy}>
            {t('submit')}
          </button>
        </form>
      )}
      <Link href="/" style={{ color: 'var(--muted)' }}>
        {t('back')}
      </Link>
    </section>
  );
}
