/**
 * One meeting in German from start to end, in real Chromium whose language is
 * de-DE (Accept-Language and navigator.language) and whose system theme is
 * dark, against the real server: a
 * host at 1280×800 and guests at 390×844. The pre-join with the camera denied,
 * joining, the people panel and its menu, a host mute, Remove and Remove and
 * ban with their confirmations, the removed and banned pages, the host's Leave
 * dialog, End for everyone and the ended page, and a malformed meeting link:
 * every word asserted is German, every state runs axe-core and saves a
 * screenshot (test/helpers/axe.ts), and nothing overflows sideways.
 */
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { expectAccessible } from '../helpers/axe';
import { browserSuite } from '../helpers/browser-suite';

// Dark, as the system theme: the English journeys run light, so axe checks the dark palette's contrast here.
const suite = browserSuite({ rtcPorts: [46000, 46999], locale: 'de-DE', colorScheme: 'dark' });

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
/** Several browsers with media on a shared 2-core machine: steps take seconds. */
const SLOW = { timeout: 150_000 };
const POLL = { timeout: 30_000 };

type Failures = { video: string | null; audio: string | null };

/** getUserMedia rejects with the named DOMException for video or audio (as prejoin-states.test.ts fakes a denial). */
function failingDevices(fail: Failures) {
  const md = navigator.mediaDevices;
  const gum = md.getUserMedia.bind(md);
  md.getUserMedia = async (c) => {
    const failure = c?.video ? fail.video : fail.audio;
    if (failure) throw new DOMException('refused by the test', failure);
    return gum(c);
  };
}

async function person(name: string, viewport: typeof DESKTOP, fail?: Failures): Promise<Page> {
  const { page, context } = await suite.pageWithContext(name, viewport);
  page.setDefaultTimeout(60_000);
  if (fail) await context.addInitScript(failingDevices, fail);
  return page;
}

async function createMeeting(page: Page): Promise<string> {
  await page.goto('/');
  const { code } = await page.evaluate(() =>
    fetch('/api/rooms', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).then(
      (r) => r.json() as Promise<{ code: string }>,
    ),
  );
  return code;
}

async function joinAs(page: Page, code: string, name: string): Promise<void> {
  if (!page.url().endsWith(`/${code}`)) await page.goto(`/${code}`);
  await page.getByLabel('Ihr Name').fill(name);
  await page.getByRole('button', { name: 'Jetzt beitreten' }).click();
  await page.getByTestId('local-video').or(page.getByTestId('toggle-mic')).first().waitFor({ timeout: 30_000 });
}

/** Nothing on the page is wider than the window. */
const overflows = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);

/** A status page: its German title and the next steps it offers. */
async function expectStatus(
  page: Page,
  title: string,
  detail: string,
  steps: { links?: string[]; buttons?: string[] },
) {
  const status = page.getByTestId('status-page');
  await expect.poll(() => status.locator('h1').textContent(), POLL).toBe(title);
  expect(await status.locator('p').first().textContent()).toBe(detail);
  for (const name of steps.links ?? []) expect(await status.getByRole('link', { name }).count()).toBe(1);
  for (const name of steps.buttons ?? []) expect(await status.getByRole('button', { name }).count()).toBe(1);
  expect(await overflows(page)).toBe(false);
}

async function personMenu(host: Page, name: string, item: string): Promise<void> {
  await host.getByRole('button', { name: `Aktionen für ${name}` }).click();
  await host.getByRole('menuitem', { name: item, exact: true }).click();
}

const toasts = (page: Page) => page.getByTestId('toasts').textContent();

describe('a meeting in German, from the pre-join to its end (browser language de-DE)', () => {
  let host: Page;
  let jonas: Page;
  let code: string;
  const pages: Page[] = [];
  afterAll(async () => {
    for (const p of pages) await p.close().catch(() => undefined);
  });

  it('the host’s pre-join at 1280×800 is German, and joining shows the German control bar', SLOW, async () => {
    host = await person('host-de', DESKTOP);
    pages.push(host);
    code = await createMeeting(host);
    await host.goto(`/${code}`);
    await expect.poll(() => host.locator('h1').textContent(), POLL).toBe('Bereit zum Beitreten?');
    await expect.poll(() => host.getByTestId('headcount').textContent(), POLL).toBe('Sonst ist niemand hier');
    expect(await host.getByRole('button', { name: 'Mikrofon ausschalten' }).count()).toBe(1);
    expect(await host.getByRole('meter', { name: 'Mikrofonpegel' }).count()).toBe(1);
    const picker = host.locator('label', { has: host.getByTestId('pick-camera') });
    expect(await picker.evaluate((l) => l.firstChild?.textContent)).toBe('Kamera');
    expect(await host.getByTestId('pick-camera').locator('option').first().textContent()).toBe('Standard');
    await expectAccessible(host, 'german journey prejoin');
    await joinAs(host, code, 'Hanna');
    await expect
      .poll(() => host.getByTestId('toggle-mic').getAttribute('aria-label'), POLL)
      .toBe('Mikrofon ausschalten');
  });

  it(
    'a guest at 390×844 with the camera denied reads why in German, still sees "Jetzt beitreten", and joins',
    SLOW,
    async () => {
      jonas = await person('jonas-de', PHONE, { video: 'NotAllowedError', audio: null });
      pages.push(jonas);
      await jonas.goto(`/${code}`);
      const problem = jonas.getByTestId('device-problem-camera');
      await problem.waitFor();
      const text = await problem.textContent();
      expect(text).toContain('Kamera blockiert');
      expect(text).toContain('Ihr Browser erlaubt dieser Seite nicht, Ihre Kamera zu verwenden.');
      expect(text).toContain('Sie können trotzdem beitreten: Ihre Kamera bleibt ausgeschaltet.');
      expect(await problem.getByRole('button', { name: 'Erneut versuchen' }).count()).toBe(1);
      expect(await jonas.getByTestId('preview-status').textContent()).toBe('Kamera blockiert');
      await expect
        .poll(() => jonas.getByTestId('headcount').textContent(), POLL)
        .toBe('1 Person ist in dieser Besprechung');
      expect(await jonas.getByTestId('join-without').textContent()).toBe('Sie treten mit ausgeschalteter Kamera bei.');
      // The join button fits the phone's width (German words are longer) and nothing scrolls sideways.
      const join = jonas.getByRole('button', { name: 'Jetzt beitreten' });
      await join.scrollIntoViewIfNeeded();
      const box = (await join.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
      expect(await overflows(jonas)).toBe(false);
      await expectAccessible(jonas, 'german journey prejoin camera denied');

      await joinAs(jonas, code, 'Jonas');
      await expect.poll(() => toasts(host), POLL).toContain('Jonas ist beigetreten');
    },
  );

  it('the host mutes Jonas from the German people panel; Jonas is told in German', SLOW, async () => {
    await host.getByTestId('toggle-people').click();
    const list = host.getByTestId('participant-list');
    await expect.poll(() => list.textContent(), POLL).toContain('Jonas');
    expect(await host.getByTestId('side-panel').locator('h2').first().textContent()).toBe('Personen (2)');
    expect(await list.textContent()).toContain('Hanna (Sie)');
    expect(await list.textContent()).toContain('Host');
    await host.getByRole('button', { name: 'Aktionen für Jonas' }).click();
    const items = (await host.getByRole('menuitem').allTextContents()).map((t) => t.trim());
    expect(items).toEqual(
      expect.arrayContaining([
        'Stummschalten',
        'Zum Co-Host machen',
        'Aus der Besprechung entfernen',
        'Entfernen und sperren',
      ]),
    );
    await expectAccessible(host, 'german journey person menu');
    await host.getByRole('menuitem', { name: 'Stummschalten', exact: true }).click();
    await expect.poll(() => toasts(jonas), POLL).toContain('Der Host hat Ihr Mikrofon stummgeschaltet');
    await expect.poll(() => list.getByRole('img', { name: 'Mikrofon aus' }).count(), POLL).toBeGreaterThanOrEqual(1);
    await expectAccessible(jonas, 'german journey muted by host');
  });

  it('the host shares, pins and spotlights in German; Jonas sees the share and the spotlight', SLOW, async () => {
    const jonasId = (await suite.server.store.listParticipants(code)).find((p) => p.displayName === 'Jonas')!.id;
    await host.getByTestId('toggle-people').click(); // the panel closes: the tiles have the room
    await host.getByRole('button', { name: 'Bildschirm teilen' }).click();
    const presenting = host.getByTestId('local-screen-stage');
    await expect.poll(() => presenting.locator('h2').textContent(), POLL).toBe('Sie präsentieren');
    expect(await presenting.getByRole('button', { name: 'Präsentation beenden' }).count()).toBe(1);
    await expect
      .poll(() => jonas.getByTestId('screen-stage').getAttribute('aria-label'), POLL)
      .toBe('Hanna präsentiert');
    await expectAccessible(jonas, 'german journey watching a share');
    // Under a share, reactions (and pop-ups, placed alike) rise above the filmstrip instead of covering its people.
    await host.evaluate(() => {
      window.__convene!.connection.socket.emit('react', { emoji: '👍' }, () => undefined);
    });
    const reactions = jonas.getByTestId('reactions');
    await expect.poll(() => reactions.textContent(), POLL).toContain('Hanna');
    const strip = await jonas.locator('[data-layout="filmstrip"]').boundingBox();
    const shown = await reactions.boundingBox();
    expect(shown!.y + shown!.height).toBeLessThanOrEqual(strip!.y);
    await presenting.getByRole('button', { name: 'Präsentation beenden' }).click();
    await expect.poll(() => jonas.getByTestId('screen-stage').count(), POLL).toBe(0);

    const tile = host.getByTestId(`tile-${jonasId}`);
    await tile.getByRole('button', { name: 'Jonas für mich anheften' }).click();
    await tile.getByTestId('pinned-mark').waitFor();
    expect(await tile.getByRole('button', { name: 'Jonas loslösen' }).count()).toBe(1);
    await tile.getByRole('button', { name: 'Jonas loslösen' }).click();
    await tile.getByRole('button', { name: 'Jonas für alle hervorheben' }).click();
    await jonas.getByTestId(`tile-${jonasId}`).getByTestId('spotlight-mark').waitFor({ timeout: 30_000 });
    expect(await jonas.getByTestId('spotlight-mark').textContent()).toContain('Hervorgehoben');
    await expectAccessible(host, 'german journey spotlight');
    await tile.getByRole('button', { name: 'Hervorhebung von Jonas aufheben' }).click();
    await expect.poll(() => jonas.getByTestId('spotlight-mark').count(), POLL).toBe(0);
    await host.getByTestId('toggle-people').click();
  });

  it('Remove asks in German; Jonas then reads a German page that he was removed', SLOW, async () => {
    await personMenu(host, 'Jonas', 'Aus der Besprechung entfernen');
    const dialog = host.getByTestId('confirm-dialog');
    await expect.poll(() => dialog.getByRole('heading').textContent(), POLL).toBe('Jonas entfernen?');
    expect(await dialog.textContent()).toContain(
      'Jonas verlässt die Besprechung sofort und kann erneut um Beitritt bitten.',
    );
    expect(await dialog.getByRole('button', { name: 'Abbrechen' }).count()).toBe(1);
    await expectAccessible(host, 'german journey remove confirmation');
    await dialog.getByRole('button', { name: 'Entfernen', exact: true }).click();

    await expectStatus(
      jonas,
      'Sie wurden aus der Besprechung entfernt',
      'Ein Host hat Sie aus dieser Besprechung entfernt.',
      {
        links: ['Zur Startseite'],
        buttons: ['Neue Besprechung starten'],
      },
    );
    await expectAccessible(jonas, 'german journey removed');
    await expect.poll(() => toasts(host), POLL).toContain('Jonas wurde entfernt');
  });

  it(
    'Remove and ban warns what a guest ban stops; the banned guest’s page and reload say so in German',
    SLOW,
    async () => {
      const paul = await person('paul-de', PHONE);
      pages.push(paul);
      await joinAs(paul, code, 'Paul');
      await expect.poll(() => host.getByTestId('participant-list').textContent(), POLL).toContain('Paul');
      await personMenu(host, 'Paul', 'Entfernen und sperren');
      const dialog = host.getByTestId('confirm-dialog');
      await expect.poll(() => dialog.getByRole('heading').textContent(), POLL).toBe('Paul entfernen und sperren?');
      expect(await dialog.textContent()).toContain('Eine Gastsperre gilt nur für diesen Browser');
      await expectAccessible(host, 'german journey ban confirmation');
      await dialog.getByRole('button', { name: 'Entfernen und sperren' }).click();

      await expectStatus(
        paul,
        'Sie wurden aus der Besprechung entfernt',
        'Ein Host hat Sie entfernt und eine erneute Teilnahme gesperrt.',
        { links: ['Zur Startseite'] },
      );
      await expectAccessible(paul, 'german journey banned');
      await paul.reload();
      await expectStatus(
        paul,
        'Sie können dieser Besprechung nicht beitreten',
        'Ein Host hat Sie entfernt und eine erneute Teilnahme gesperrt.',
        {
          links: ['Zur Startseite'],
          buttons: ['Neue Besprechung starten'],
        },
      );
      expect(await paul.getByLabel('Ihr Name').count()).toBe(0);
      await expectAccessible(paul, 'german journey banned on reload');
      // The host's ban list, in the host controls, names Paul in German.
      await host.getByTestId('toggle-host').click();
      await expect.poll(() => host.getByTestId('bans').locator('h3').textContent(), POLL).toBe('Gesperrt (1)');
      expect(await host.getByRole('button', { name: 'Paul entsperren' }).count()).toBe(1);
      await expectAccessible(host, 'german journey host controls');
    },
  );

  it('the host’s Leave offers "Für alle beenden"; everyone then reads that the meeting has ended', SLOW, async () => {
    const clara = await person('clara-de', PHONE);
    pages.push(clara);
    // After the ban the ban shield is on: a new guest asks to join, and the host lets her in.
    await clara.goto(`/${code}`);
    await clara.getByLabel('Ihr Name').fill('Clara');
    await clara.getByRole('button', { name: 'Um Beitritt bitten' }).click();
    await expectStatus(
      clara,
      'Beitritt wird angefragt…',
      'Sie treten bei, sobald jemand Sie hereinlässt. Sie sind Nummer 1 in der Warteschlange.',
      {
        buttons: ['Abbrechen'],
      },
    );
    await expectAccessible(clara, 'german journey asking to join');
    const notice = host.getByTestId('notice');
    await expect.poll(() => notice.textContent(), POLL).toContain('Clara bittet um Beitritt');
    await notice.getByRole('button', { name: 'Personen anzeigen' }).click();
    await host.getByRole('button', { name: 'Clara einlassen' }).click();
    await clara.getByTestId('toggle-mic').waitFor({ timeout: 30_000 });
    await expect.poll(() => toasts(host), POLL).toContain('Clara ist beigetreten');
    await host.getByTestId('leave-call').click();
    const dialog = host.getByTestId('leave-dialog');
    await expect.poll(() => dialog.getByRole('heading').textContent(), POLL).toBe('Besprechung verlassen?');
    await expect.poll(() => dialog.textContent(), POLL).toContain('Es ist kein Co-Host da, daher wird niemand Host');
    expect(await dialog.getByRole('button', { name: 'Verlassen', exact: true }).count()).toBe(1);
    await expectAccessible(host, 'german journey leave dialog');
    await dialog.getByRole('button', { name: 'Für alle beenden' }).click();

    for (const [page, state] of [
      [clara, 'german journey ended'],
      [host, 'german journey ended host'],
    ] as const) {
      await expectStatus(page, 'Die Besprechung ist beendet', 'Der Host hat die Besprechung für alle beendet.', {
        links: ['Zur Startseite'],
        buttons: ['Neue Besprechung starten'],
      });
      await expectAccessible(page, state);
    }
  });

  for (const [size, viewport] of [
    ['1280', DESKTOP],
    ['390', PHONE],
  ] as const) {
    it(`a malformed meeting link answers 404 with a German page (${size})`, SLOW, async () => {
      const page = await person(`nf-de-${size}`, viewport);
      pages.push(page);
      const res = await page.goto('/not-a-code');
      expect(res?.status()).toBe(404);
      await expectStatus(
        page,
        'Prüfen Sie Ihren Besprechungscode',
        'Unter dieser Adresse gibt es keine Besprechung. Prüfen Sie, ob Sie den richtigen Code oder Link eingegeben haben, etwa abc-defg-hij.',
        { links: ['Zur Startseite'], buttons: ['Neue Besprechung starten'] },
      );
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('de');
      await expectAccessible(page, 'german journey malformed code');
    });
  }

  it('no page error anywhere', () => {
    expect(suite.errors).toEqual([]);
  });
});
