/**
 * The language of server-rendered pages through the real process (custom
 * server in front of Next's production build): the settings cookie wins, then
 * the browser's Accept-Language, then English.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConveneServer } from '../../server/app';
import { ensureNextBuild } from '../helpers/next-build';
import { startServer } from '../helpers/server';

let server: ConveneServer;
beforeAll(async () => {
  ensureNextBuild();
  server = await startServer({}, { next: { dev: false } });
}, 300_000);
afterAll(() => server.close());

const GERMAN_BROWSER = 'de-DE,de;q=0.9';

async function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; html: string }> {
  const res = await fetch(`${server.url}${path}`, { headers });
  return { status: res.status, html: await res.text() };
}

describe('the language of a page', () => {
  it('is English by default', async () => {
    const { status, html } = await get('/');
    expect(status).toBe(200);
    expect(html).toMatch(/<html lang="en"/);
    expect(html).toContain('New meeting');
    expect(html).not.toContain('Neue Besprechung');
  });

  it('follows a German browser: <html lang="de">, German home text and description', async () => {
    const { html } = await get('/', { 'accept-language': GERMAN_BROWSER });
    expect(html).toMatch(/<html lang="de"/);
    expect(html).toContain('Neue Besprechung');
    expect(html).toContain('placeholder="Code oder Link eingeben"');
    expect(html).toContain('Videobesprechungen, in denen die Steuerung durch den Host wirklich greift.');
    expect(html).not.toContain('New meeting');
  });

  it('is the one chosen in settings (the cookie) over the browser’s', async () => {
    const english = await get('/', { 'accept-language': GERMAN_BROWSER, cookie: 'convene-locale=en' });
    expect(english.html).toMatch(/<html lang="en"/);
    expect(english.html).toContain('New meeting');
    expect(english.html).not.toContain('Neue Besprechung');

    const german = await get('/', { 'accept-language': 'en-US,en;q=0.9', cookie: 'convene-locale=de' });
    expect(german.html).toMatch(/<html lang="de"/);
    expect(german.html).toContain('Neue Besprechung');
  });

  it('ignores a cookie naming a language it does not speak, and falls back to the browser’s', async () => {
    const { html } = await get('/', { 'accept-language': GERMAN_BROWSER, cookie: 'convene-locale=xx' });
    expect(html).toMatch(/<html lang="de"/);
  });

  it('reaches the sign-in page, its title and its error words', async () => {
    const { html } = await get('/signin?error=AccessDenied', { 'accept-language': GERMAN_BROWSER });
    expect(html).toContain('<title>Anmelden · Convene</title>');
    expect(html).toContain('Bei Convene anmelden');
    expect(html).toContain('Der Zugriff wurde verweigert.');
  });

  it('reaches the web app manifest', async () => {
    const res = await fetch(`${server.url}/manifest.webmanifest`, { headers: { 'accept-language': GERMAN_BROWSER } });
    const manifest = (await res.json()) as { lang: string; name: string; description: string };
    expect(manifest).toMatchObject({ lang: 'de', name: 'Convene' });
    expect(manifest.description).toContain('Videobesprechungen');
  });
});
