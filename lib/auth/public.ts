/** What both the browser and the server may import about sign-in: ids, labels and URL checks, never secrets. */

/** The Credentials provider behind AUTH_DEV_LOGIN=1. */
export const DEV_LOGIN_ID = 'dev-login';

/** A configured OAuth provider as the sign-in page shows it. */
export interface PublicProvider {
  id: 'github' | 'google' | 'oidc';
  name: string;
}

/** Where to go after signing in or out: only paths on this site, never another origin. */
export function safeCallbackUrl(raw: string | string[] | undefined | null, fallback = '/'): string {
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (!value) return fallback;
  // `//evil.example` and `/\evil.example` are protocol-relative URLs to browsers.
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return fallback;
  return value;
}
