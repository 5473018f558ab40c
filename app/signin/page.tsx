import type { Metadata } from 'next';
import { publicProviders, readAuthEnv } from '@/lib/auth/env';
import { safeCallbackUrl } from '@/lib/auth/public';
import { serverTranslator } from '@/lib/i18n/server';
import { SignInForm } from './signin-form';

export const dynamic = 'force-dynamic';

export async function generateMetadata(): Promise<Metadata> {
  const t = await serverTranslator();
  return { title: t('meta.signinTitle') };
}

// next-auth's error codes (?error=…) that have their own words; anything else is the default.
const KNOWN_ERRORS = ['CredentialsSignin', 'OAuthAccountNotLinked', 'AccessDenied', 'Configuration'] as const;
type KnownError = (typeof KNOWN_ERRORS)[number];
const isKnownError = (code: string): code is KnownError => (KNOWN_ERRORS as readonly string[]).includes(code);

type Search = Record<string, string | string[] | undefined>;

export default async function SignInPage({ searchParams }: { searchParams: Promise<Search> }) {
  const params = await searchParams;
  const auth = readAuthEnv();
  const t = await serverTranslator();
  const code = typeof params.error === 'string' ? params.error : null;
  return (
    <main>
      <h1>{t('signin.title')}</h1>
      <SignInForm
        providers={publicProviders(auth)}
        devLogin={auth.devLogin}
        callbackUrl={safeCallbackUrl(params.callbackUrl)}
        error={code ? t(`signin.errors.${isKnownError(code) ? code : 'Default'}`) : null}
      />
    </main>
  );
}
