import type { Metadata } from 'next';
import { publicProviders, readAuthEnv } from '@/lib/auth/env';
import { safeCallbackUrl } from '@/lib/auth/public';
import { SignInForm } from './signin-form';

export const metadata: Metadata = { title: 'Sign in · Convene' };
export const dynamic = 'force-dynamic';

// next-auth's error codes (?error=…) in words; anything else is the default.
const ERRORS: Record<string, string> = {
  CredentialsSignin: 'Enter a valid email and a display name.',
  OAuthAccountNotLinked: 'That account is linked to another sign-in method.',
  AccessDenied: 'Access was denied.',
  Configuration: 'Sign-in is misconfigured on this server.',
  Default: 'Sign-in failed. Please try again.',
};

type Search = Record<string, string | string[] | undefined>;

export default async function SignInPage({ searchParams }: { searchParams: Promise<Search> }) {
  const params = await searchParams;
  const auth = readAuthEnv();
  const code = typeof params.error === 'string' ? params.error : null;
  return (
    <main>
      <h1>Sign in to Convene</h1>
      <SignInForm
        providers={publicProviders(auth)}
        devLogin={auth.devLogin}
        callbackUrl={safeCallbackUrl(params.callbackUrl)}
        error={code ? (ERRORS[code] ?? ERRORS.Default!) : null}
      />
    </main>
  );
}
