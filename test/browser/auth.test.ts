/**
 * Sign-in in a real browser against the real server (Next built): the dev
 * login, a full OAuth redirect flow through a real OpenID provider
 * (`oidc-provider` on loopback, configured as the generic OIDC issuer), and
 * the session reaching both the HTTP API and the Socket.IO handshake.
 * Providers are read from process.env per request, and Next runs in this
 * process, so the env set here is what the app sees.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server as HttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Provider from 'oidc-provider';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConveneServer } from '../../server/app';
import { ensureNextBuild } from '../helpers/next-build';
import { freePort } from '../helpers/redis';
import { joined, startServer, type Client } from '../helpers/server';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SHOTS = path.join(ROOT, 'test-results');
const OIDC_CLIENT = { id: 'convene-test', secret: 'convene-test-client-secret-0123456789' };
const OIDC_ACCOUNT = { sub: 'olivia-7', name: 'Olivia Oidc', email: 'olivia@idp.example' };
const AUTH_ENV = [
  'AUTH_DEV_LOGIN',
  'OIDC_ISSUER',
  'OIDC_CLIENT_ID',
  'OIDC_CLIENT_SECRET',
  'OIDC_NAME',
  'NEXTAUTH_URL',
] as const;

let server: ConveneServer;
let idp: HttpServer;
let idpUrl: string;
let browser: Browser;
const savedEnv: Record<string, string | undefined> = {};
const contexts: BrowserContext[] = [];
const sockets: Client[] = [];
const pageErrors: string[] = [];

/** A real OpenID provider with one confidential client and one account; its dev login/consent pages stand in for a real IdP's. */
async function startIdp(port: number, redirectUri: string): Promise<HttpServer> {
  const provider = new Provider(`http://127.0.0.1:${port}`, {
    clients: [
      {
        client_id: OIDC_CLIENT.id,
        client_secret: OIDC_CLIENT.secret,
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    claims: { openid: ['sub'], profile: ['name'], email: ['email'] },
    // One account; the dev login form's "login" is its account id.
    findAccount: (_ctx, id) =>
      id === OIDC_ACCOUNT.sub ? { accountId: id, claims: () => ({ ...OIDC_ACCOUNT }) } : undefined,
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ['idp-cookie-key-for-tests-only'] },
    ttl: { Interaction: 600, Session: 600, Grant: 600, AccessToken: 600, IdToken: 600 },
  });
  // Its error page says only "oops! something went wrong"; keep the cause for the assertion message.
  provider.on('server_error', (_ctx, err) => pageErrors.push(`identity provider: ${err.message}`));
  return new Promise((resolve) => {
    const http = provider.listen(port, '127.0.0.1', () => resolve(http));
  });
}

async function newPage(name: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: server.url, viewport: { width: 800, height: 560 } });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(`${name}: ${err.message}`));
  page.on('response', (res) => {
    if (res.status() >= 400) pageErrors.push(`${name}: ${res.status()} ${res.url()}`);
  });
  return { context, page };
}

/** The Cookie header this browser context would send to the Convene origin. */
async function cookieHeader(context: BrowserContext): Promise<string> {
  return (await context.cookies(server.url)).map((c) => `${c.name}=${c.value}`).join('; ');
}

/** POST /api/rooms from inside the page, with the page's cookies. */
function createRoomFrom(page: Page, title: string): Promise<{ status: number; body: { ok: boolean; code: string } }> {
  return page.evaluate(async (t) => {
    const res = await fetch('/api/rooms', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: t }),
    });
    return { status: res.status, body: (await res.json()) as { ok: boolean; code: string } };
  }, title);
}

const account = (page: Page) => page.getByRole('group', { name: 'Your account' });

beforeAll(async () => {
  ensureNextBuild();
  mkdirSync(SHOTS, { recursive: true });
  const [port, idpPort] = [await freePort(), await freePort()];
  idpUrl = `http://127.0.0.1:${idpPort}`;
  // The IdP needs Convene's redirect URI up front, so Convene's port is chosen first.
  idp = await startIdp(idpPort, `http://127.0.0.1:${port}/api/auth/callback/oidc`);

  for (const k of AUTH_ENV) savedEnv[k] = process.env[k];
  Object.assign(process.env, {
    AUTH_DEV_LOGIN: '1',
    OIDC_ISSUER: idpUrl,
    OIDC_CLIENT_ID: OIDC_CLIENT.id,
    OIDC_CLIENT_SECRET: OIDC_CLIENT.secret,
    OIDC_NAME: 'Test IdP',
  });
  // No NEXTAUTH_URL yet: the dev login runs on the default (the request's origin); the OAuth test sets it.
  delete process.env.NEXTAUTH_URL;
  server = await startServer({ port }, { next: { dev: false } });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      '--allow-loopback-in-peer-connection',
      '--disable-gpu',
      '--disable-quic',
    ],
  });
}, 300_000);

afterEach(async (ctx) => {
  if (ctx.task.result?.state !== 'fail') return;
  for (const [i, c] of contexts.entries()) {
    for (const p of c.pages()) {
      await p.screenshot({ path: path.join(SHOTS, `auth-failed-${i}.png`) }).catch(() => undefined);
      console.log(
        `failed page ${i}: ${p.url()}\n${await p.locator('body').innerText().catch(String)}\n${pageErrors.join('\n')}`,
      );
    }
  }
});

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser.close();
  await server.close();
  await new Promise((r) => idp.close(r));
  for (const k of AUTH_ENV) {
    if (savedEnv[k] === undefined) delete process.env[k];
    else process.env[k] = savedEnv[k];
  }
});

describe('sign-in in the browser', () => {
  it('dev login: the home page shows the name; meetings it creates and sockets it opens are the signed-in user, who is host', async () => {
    const { context, page } = await newPage('ada');
    await page.goto('/');
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.waitForURL('**/signin');
    // Configured providers are listed, and the dev form is offered.
    await expect(page.getByRole('button', { name: 'Sign in with Test IdP' }).isVisible()).resolves.toBe(true);
    await page.getByLabel('Email').fill('Ada@Example.org');
    await page.getByLabel('Display name').fill('Ada Lovelace');
    await page.screenshot({ path: path.join(SHOTS, 'auth-signin.png') });
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();

    await page.waitForURL(`${server.url}/`);
    await account(page).getByText('Ada Lovelace').waitFor();
    expect(await account(page).getByText('AL').isVisible()).toBe(true); // initials without an avatar
    await page.screenshot({ path: path.join(SHOTS, 'auth-home-signed-in.png') });

    const created = await createRoomFrom(page, "Ada's standup");
    expect(created.status).toBe(201);
    expect((await server.store.getMeeting(created.body.code))?.creator).toBe('user:dev-login:ada@example.org');

    const cookie = await cookieHeader(context);
    expect(cookie).toMatch(/(^|; )next-auth\.session-token=/);
    const ada = await joined(server, created.body.code, 'Ada Lovelace', { cookie });
    sockets.push(ada.socket);
    expect(ada.self.role).toBe('host');
    expect(
      ada.ack.participants.find((p: { participantId: string }) => p.participantId === ada.self.participantId),
    ).toMatchObject({ isGuest: false, role: 'host' });

    await page.reload();
    await account(page).getByText('Ada Lovelace').waitFor();

    await account(page).getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('link', { name: 'Sign in' }).waitFor();
    expect(await cookieHeader(context)).not.toMatch(/next-auth\.session-token=/);
    expect(pageErrors).toEqual([]);
  });

  it('without AUTH_DEV_LOGIN=1 the dev login is neither offered nor accepted', async () => {
    delete process.env.AUTH_DEV_LOGIN;
    try {
      const { page } = await newPage('mallory');
      await page.goto('/signin');
      await page.getByRole('button', { name: 'Sign in with Test IdP' }).waitFor();
      expect(await page.getByLabel('Email').count()).toBe(0);
      // Posting the credentials straight to next-auth, as a script could, signs nobody in.
      const session = await page.evaluate(async () => {
        const { csrfToken } = (await (await fetch('/api/auth/csrf')).json()) as { csrfToken: string };
        await fetch('/api/auth/callback/dev-login', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ csrfToken, email: 'mallory@example.org', name: 'Mallory', json: 'true' }),
        });
        return (await fetch('/api/auth/session')).json() as Promise<unknown>;
      });
      expect(session).toEqual({});
    } finally {
      process.env.AUTH_DEV_LOGIN = '1';
      pageErrors.length = 0; // the refused callback's error status is the point here
    }
  });

  it('real OAuth: the OIDC button goes through the provider login and consent pages and back, signed in with the claims name; sockets see a user', async () => {
    process.env.NEXTAUTH_URL = server.url; // as a deployment behind a proxy would set it
    const { context, page } = await newPage('olivia');
    await page.goto('/signin');
    await page.getByRole('button', { name: 'Sign in with Test IdP' }).click();

    // The provider's own pages, on its own origin.
    await page.waitForURL(`${idpUrl}/interaction/**`);
    await page.locator('input[name="login"]').fill(OIDC_ACCOUNT.sub);
    await page.locator('input[name="password"]').fill('any password');
    await page.screenshot({ path: path.join(SHOTS, 'auth-oidc-login.png') });
    await page.locator('button[type="submit"]').click();
    await page.waitForURL(`${idpUrl}/interaction/**`);
    await page.getByRole('button', { name: /continue/i }).waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'auth-oidc-consent.png') });
    await page.getByRole('button', { name: /continue/i }).click();

    await page.waitForURL(`${server.url}/`);
    await account(page).getByText(OIDC_ACCOUNT.name).waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'auth-home-oidc.png') });

    const created = await createRoomFrom(page, "Olivia's review");
    expect(created.status).toBe(201);
    expect((await server.store.getMeeting(created.body.code))?.creator).toBe(`user:oidc:${OIDC_ACCOUNT.sub}`);
    const olivia = await joined(server, created.body.code, OIDC_ACCOUNT.name, { cookie: await cookieHeader(context) });
    sockets.push(olivia.socket);
    expect(olivia.self.role).toBe('host');
    expect(
      olivia.ack.participants.find((p: { participantId: string }) => p.participantId === olivia.self.participantId),
    ).toMatchObject({ isGuest: false });
    expect(pageErrors).toEqual([]);
  });
});

describe('production configuration', () => {
  /** Runs `npm start`'s entry point with a bare environment in an empty directory (no .env to fall back on). */
  function start(extraEnv: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
    const cwd = mkdtempSync(path.join(tmpdir(), 'convene-prod-'));
    const child = spawn(path.join(ROOT, 'node_modules/.bin/tsx'), [path.join(ROOT, 'server/index.ts')], {
      cwd,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: cwd,
        NODE_ENV: 'production',
        PORT: '0',
        HOST: '127.0.0.1',
        ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // If it wrongly starts serving, stop it rather than hang the suite.
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    return new Promise((resolve) => {
      child.on('exit', (code) => {
        clearTimeout(timer);
        rmSync(cwd, { recursive: true, force: true });
        resolve({ code, stderr });
      });
    });
  }

  it.each([
    ['missing', {}],
    ['shorter than 32 characters', { NEXTAUTH_SECRET: 'too-short' }],
  ])('with NEXTAUTH_SECRET %s, the production server refuses to start and says why', async (_label, env) => {
    const { code, stderr } = await start(env);
    expect(code).not.toBe(0);
    expect(code).not.toBeNull(); // exited by itself, not killed by the timer
    expect(stderr).toContain('NEXTAUTH_SECRET');
  });
});
