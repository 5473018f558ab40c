/**
 * Which sign-in methods this deployment offers, read from the environment on
 * every call (so tests and restarts of the same process see changes). Server
 * only: the secrets here never leave the process; the browser gets
 * `publicProviders()` (ids and labels) and nothing else.
 */
import { z } from '../zod';
import type { PublicProvider } from './public';

export type { PublicProvider } from './public';

export interface OAuthCredentials {
  clientId: string;
  clientSecret: string;
}

export interface AuthEnv {
  github: OAuthCredentials | null;
  google: OAuthCredentials | null;
  oidc: (OAuthCredentials & { issuer: string; name: string }) | null;
  /** Email + display-name sign-in without any check: development and tests only. */
  devLogin: boolean;
}

const DEFAULT_OIDC_NAME = 'Single sign-on';

const nonEmpty = (v: string | undefined) => (v && v.trim() ? v.trim() : undefined);
const Issuer = z.url({ protocol: /^https?$/ });

const warned = new Set<string>();
function warnOnce(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  console.warn(`convene auth: ${message}`);
}

/** Both halves of a client registration, or null (with a warning when only one half is set). */
function pair(env: NodeJS.ProcessEnv, idVar: string, secretVar: string): OAuthCredentials | null {
  const clientId = nonEmpty(env[idVar]);
  const clientSecret = nonEmpty(env[secretVar]);
  if (clientId && clientSecret) return { clientId, clientSecret };
  if (clientId || clientSecret) warnOnce(`${idVar} and ${secretVar} must both be set; that provider is off`);
  return null;
}

export function readAuthEnv(env: NodeJS.ProcessEnv = process.env): AuthEnv {
  let oidc: AuthEnv['oidc'] = null;
  const oidcClient = pair(env, 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET');
  const issuer = nonEmpty(env.OIDC_ISSUER);
  if (issuer && oidcClient) {
    if (Issuer.safeParse(issuer).success) {
      oidc = { ...oidcClient, issuer: issuer.replace(/\/+$/, ''), name: nonEmpty(env.OIDC_NAME) ?? DEFAULT_OIDC_NAME };
    } else {
      warnOnce(`OIDC_ISSUER is not an http(s) URL (${issuer}); the OIDC provider is off`);
    }
  } else if (issuer || oidcClient) {
    warnOnce('OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must all be set; the OIDC provider is off');
  }
  return {
    github: pair(env, 'GITHUB_ID', 'GITHUB_SECRET'),
    google: pair(env, 'GOOGLE_ID', 'GOOGLE_SECRET'),
    oidc,
    // Off unless asked for, in every NODE_ENV: anyone could sign in as anyone.
    devLogin: env.AUTH_DEV_LOGIN === '1' || env.AUTH_DEV_LOGIN === 'true',
  };
}

export function publicProviders(auth: AuthEnv = readAuthEnv()): PublicProvider[] {
  const list: PublicProvider[] = [];
  if (auth.github) list.push({ id: 'github', name: 'GitHub' });
  if (auth.google) list.push({ id: 'google', name: 'Google' });
  if (auth.oidc) list.push({ id: 'oidc', name: auth.oidc.name });
  return list;
}

/** Whether this deployment offers any way to sign in. */
export function signInAvailable(auth: AuthEnv = readAuthEnv()): boolean {
  return auth.devLogin || publicProviders(auth).length > 0;
}
