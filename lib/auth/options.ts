/**
 * next-auth (v4) configuration: JWT sessions, and the providers this
 * deployment has configured (see ./env). Built per request, so the provider
 * list always matches the environment. Server only.
 *
 * The session cookie this produces is the one the Socket.IO handshake reads
 * (server/auth/identity.ts), signed with the same NEXTAUTH_SECRET.
 */
import type { NextAuthOptions } from 'next-auth';
import type { OAuthConfig, Provider } from 'next-auth/providers/index';
import CredentialsProvider from 'next-auth/providers/credentials';
import GitHubProvider from 'next-auth/providers/github';
import GoogleProvider from 'next-auth/providers/google';
import type { TokenSet as OpenIdTokenSet } from 'openid-client';
import { z } from 'zod';
import { normalizeDisplayName } from '../text';
import { readAuthEnv, type AuthEnv } from './env';
import { DEV_LOGIN_ID } from './public';

const DevLogin = z.object({
  email: z
    .email()
    .max(254)
    .transform((e) => e.toLowerCase()),
  name: z
    .string()
    .transform(
      (n, ctx) => normalizeDisplayName(n) ?? (ctx.addIssue({ code: 'custom', message: 'invalid name' }), z.NEVER),
    ),
});

interface OidcClaims {
  sub: string;
  name?: string;
  preferred_username?: string;
  email?: string;
  picture?: string;
}

function oidcProvider(oidc: NonNullable<AuthEnv['oidc']>): OAuthConfig<OidcClaims> {
  return {
    id: 'oidc',
    name: oidc.name,
    type: 'oauth',
    wellKnown: `${oidc.issuer}/.well-known/openid-configuration`,
    issuer: oidc.issuer,
    clientId: oidc.clientId,
    clientSecret: oidc.clientSecret,
    authorization: { params: { scope: 'openid profile email' } },
    checks: ['pkce', 'state'],
    // The id_token is verified (signature, issuer, audience), but OIDC lets a
    // provider keep profile claims out of it in the code flow, so they come
    // from userinfo; openid-client checks that userinfo's `sub` matches.
    idToken: true,
    userinfo: {
      async request({ tokens, client }) {
        // next-auth types these as plain parameters; at runtime it is the callback's TokenSet.
        const set = tokens as unknown as OpenIdTokenSet;
        const claims = set.claims();
        const info = client.issuer.metadata.userinfo_endpoint && set.access_token ? await client.userinfo(set) : {};
        return { ...claims, ...info };
      },
    },
    profile: (p) => ({
      id: p.sub,
      name: p.name ?? p.preferred_username ?? p.email ?? null,
      email: p.email ?? null,
      image: p.picture ?? null,
    }),
  };
}

function devLoginProvider(): Provider {
  return CredentialsProvider({
    id: DEV_LOGIN_ID,
    name: 'Dev login',
    credentials: { email: { label: 'Email', type: 'email' }, name: { label: 'Display name', type: 'text' } },
    authorize(credentials) {
      const parsed = DevLogin.safeParse(credentials);
      if (!parsed.success) return null;
      return { id: parsed.data.email, email: parsed.data.email, name: parsed.data.name };
    },
  });
}

/**
 * next-auth v4 takes its base URL only from process.env. Use PUBLIC_URL when
 * NEXTAUTH_URL is unset; with neither, trust the request's Host, as Convene's
 * meeting links already do (otherwise next-auth assumes http://localhost:3000).
 * That Host is always an allowed one: the custom server replaces any other
 * before next-auth sees the request (server/http/security.ts).
 */
function ensureBaseUrl(env: NodeJS.ProcessEnv): void {
  if (env.NEXTAUTH_URL) return;
  // `NEXTAUTH_URL=` from a .env would make next-auth/react throw on import (new URL('')).
  delete env.NEXTAUTH_URL;
  if (env.PUBLIC_URL) env.NEXTAUTH_URL = env.PUBLIC_URL;
  else env.AUTH_TRUST_HOST ??= '1';
}

export function authOptions(env: NodeJS.ProcessEnv = process.env): NextAuthOptions {
  ensureBaseUrl(env);
  const auth = readAuthEnv(env);
  const providers: Provider[] = [];
  if (auth.github) providers.push(GitHubProvider(auth.github));
  if (auth.google) providers.push(GoogleProvider(auth.google));
  if (auth.oidc) providers.push(oidcProvider(auth.oidc));
  if (auth.devLogin) providers.push(devLoginProvider());

  return {
    // server/app.ts puts the server's secret here before Next starts, so
    // sessions verify on the socket handshake too.
    secret: env.NEXTAUTH_SECRET,
    session: { strategy: 'jwt' },
    providers,
    pages: { signIn: '/signin', error: '/signin' },
    callbacks: {
      jwt({ token, account }) {
        // Namespace ids by provider: GitHub's 42 and Google's 42 are different people.
        if (account) token.sub = `${account.provider}:${account.providerAccountId}`;
        return token;
      },
      session({ session, token }) {
        session.user = {
          id: token.sub ?? '',
          name: token.name ?? null,
          email: token.email ?? null,
          image: token.picture ?? null,
        };
        return session;
      },
    },
  };
}
