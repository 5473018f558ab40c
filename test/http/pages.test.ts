/**
 * Pages and static files through the real process (custom server in front of
 * Next's production build): status codes a browser and a crawler see.
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

async function createMeeting(): Promise<string> {
  const res = await fetch(`${server.url}/api/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  return ((await res.json()) as { code: string }).code;
}

describe('meeting links', () => {
  it('a well-formed code with no meeting answers 404 with the friendly "check your code" page', async () => {
    const res = await fetch(`${server.url}/qqq-qqqq-qqq`);
    expect(res.status).toBe(404);
    const html = await res.text();
    expect(html).toContain('Check your meeting code');
    expect(html).toContain('Return to home');
    expect(html).not.toContain('data-testid="prejoin"');
  });

  it('a malformed code answers 404 with the same page, not a blank one', async () => {
    const res = await fetch(`${server.url}/not-a-meeting-code-at-all`);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('Check your meeting code');
  });

  it('a code holding a lone "%" (/%25) answers 404 with the same page, not a server error', async () => {
    const res = await fetch(`${server.url}/%25`);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('Check your meeting code');
  });

  it('a meeting that exists answers 200 with its pre-join page', async () => {
    const code = await createMeeting();
    const res = await fetch(`${server.url}/${code}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`${code} · Convene`);
    expect(html).toContain('data-testid="prejoin"');
  });

  it('a code in upper case redirects to its normal form', async () => {
    const code = await createMeeting();
    const res = await fetch(`${server.url}/${code.toUpperCase()}`, { redirect: 'manual' });
    expect([307, 308]).toContain(res.status);
    expect(new URL(res.headers.get('location')!, server.url).pathname).toBe(`/${code}`);
  });
});

describe('icons and manifest', () => {
  it('/favicon.ico answers 200 with an icon', async () => {
    const res = await fetch(`${server.url}/favicon.ico`);
    expect(res.status).toBe(200);
    const bytes = new Uint8Array(await res.arrayBuffer());
    // ICONDIR: reserved 0, type 1 (icon).
    expect([...bytes.subarray(0, 4)]).toEqual([0, 0, 1, 0]);
  });

  it('the web app manifest names the app and icons that exist', async () => {
    const page = await (await fetch(`${server.url}/`)).text();
    expect(page).toContain('rel="manifest" href="/manifest.webmanifest"');
    const manifest = (await (await fetch(`${server.url}/manifest.webmanifest`)).json()) as {
      name: string;
      icons: Array<{ src: string; sizes: string }>;
    };
    expect(manifest.name).toBe('Convene');
    expect(manifest.icons.length).toBeGreaterThan(0);
    for (const icon of manifest.icons) {
      const res = await fetch(`${server.url}${icon.src}`);
      expect(res.status, icon.src).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/png');
    }
  });
});
