/**
 * Real media between two headless Chromium pages through the real server:
 * Next serves the meeting page, Socket.IO signals, mediasoup forwards.
 * Fake camera, mic and screen (see ../shared/E2E.md), low resolutions.
 * The steps share one meeting and run in order.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectAccessible } from '../helpers/axe';
import { expectDecoding, inbound } from '../helpers/browser';
import { until } from '../helpers/wait';
import { SHOTS, browserSuite } from '../helpers/browser-suite';
import { match } from '../helpers/match';

// Below Linux's ephemeral range (32768+), so a browser's own port can never pass for the SFU's.
const RTC_MIN = 23000;
const RTC_MAX = 23999;
const suite = browserSuite({ rtcPorts: [RTC_MIN, RTC_MAX], viewport: { width: 960, height: 600 }, strict: true });
const newPage = (name: string) => suite.page(name);
const pageErrors = suite.errors;

/** Joins through the pre-join form; returns the participant id (from the tile holding our own video). */
async function joinAs(page: Page, code: string, name: string, shot?: string): Promise<string> {
  await page.goto(`/${code}`);
  await page.getByLabel('Your name').fill(name);
  if (shot) await page.screenshot({ path: path.join(SHOTS, shot) });
  await page.getByRole('button', { name: 'Join now' }).click();
  const local = page.getByTestId('local-video');
  await local.waitFor({ timeout: 20_000 });
  const tile = page.locator('figure[data-testid^="tile-"]', { has: local });
  return (await tile.getAttribute('data-testid'))!.slice('tile-'.length);
}

async function remoteVideoWidth(page: Page, participantId: string, testId: string): Promise<number> {
  return page.evaluate(
    ([pid, id]) => {
      const scope = id === 'screen-video' ? document : document.querySelector(`[data-testid="tile-${pid}"]`);
      return scope?.querySelector<HTMLVideoElement>(`[data-testid="${id}"]`)?.videoWidth ?? 0;
    },
    [participantId, testId],
  );
}

/** A remote ICE candidate's stats: the fields read here (lib.dom has no type for them). */
type CandidateStats = RTCStats & {
  address?: string;
  ip?: string;
  port: number;
  protocol: string;
  candidateType: string;
};

/** Every remote ICE candidate this page's transports know, and the selected pairs' remote ends. */
function remoteCandidates(page: Page) {
  return page.evaluate(async () => {
    const out: Array<{
      direction: string;
      selected: boolean;
      address: string | undefined;
      port: number;
      protocol: string;
      type: string;
    }> = [];
    for (const direction of ['send', 'recv'] as const) {
      const report = await window.__convene!.media.transportStats(direction);
      if (!report) continue;
      const stats = [...report.values()] as RTCStats[];
      const selectedPairs = new Set(
        stats.filter((s): s is RTCTransportStats => s.type === 'transport').map((s) => s.selectedCandidatePairId),
      );
      const selectedRemote = new Set(
        stats
          .filter((s): s is RTCIceCandidatePairStats => s.type === 'candidate-pair' && selectedPairs.has(s.id))
          .map((s) => s.remoteCandidateId),
      );
      for (const s of stats.filter((x): x is CandidateStats => x.type === 'remote-candidate')) {
        out.push({
          direction,
          selected: selectedRemote.has(s.id),
          address: s.address ?? s.ip,
          port: s.port,
          protocol: s.protocol,
          type: s.candidateType,
        });
      }
    }
    return out;
  });
}

describe('two browsers in one meeting, through the SFU', () => {
  let a: Page;
  let b: Page;
  let aId: string;
  let bId: string;
  let code: string;

  it("each sees the other's name and decoding camera video", { timeout: 90_000 }, async () => {
    a = await newPage('A');
    b = await newPage('B');
    await a.goto('/');
    // From A's page, so A holds the creator's guest cookie and joins as host.
    const created = await a.evaluate(() =>
      fetch('/api/rooms', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).then(
        (r) => r.json() as Promise<{ code: string }>,
      ),
    );
    expect(created).toMatchObject({ ok: true, code: match.stringMatching(/^[a-z]{3}-[a-z]{4}-[a-z]{3}$/) });
    code = created.code;
    aId = await joinAs(a, code, 'Alice', 'media-prejoin.png');
    bId = await joinAs(b, code, 'Bob');
    expect(aId).not.toBe(bId);

    for (const [page, otherId, otherName] of [
      [a, bId, 'Bob'],
      [b, aId, 'Alice'],
    ] as const) {
      const tile = page.getByTestId(`tile-${otherId}`);
      // The name, and ", speaking" while they talk (the fake mic beeps).
      await expect
        .poll(() => tile.getAttribute('aria-label'), { timeout: 10_000 })
        .toMatch(new RegExp(`^${otherName}(, speaking)?$`));
      await expect.poll(() => remoteVideoWidth(page, otherId, 'remote-video'), { timeout: 20_000 }).toBeGreaterThan(0);
      await expectDecoding(page, otherId, 'camera');
    }
    // Side panels start closed.
    for (const page of [a, b]) await page.getByTestId('toggle-people').click();
    await expect.poll(() => a.getByTestId('participant-list').textContent()).toContain('Bob');
    await expect.poll(() => b.getByTestId('participant-list').textContent()).toContain('Alice');
    await b.screenshot({ path: path.join(SHOTS, 'media-b-sees-a.png') });
  });

  it("each receives the other's microphone audio", { timeout: 30_000 }, async () => {
    await until(
      'audio at A',
      () => inbound(a, bId, 'mic'),
      (s) => (s?.packetsReceived ?? 0) > 0,
      20_000,
    );
    await until(
      'audio at B',
      () => inbound(b, aId, 'mic'),
      (s) => (s?.packetsReceived ?? 0) > 0,
      20_000,
    );
  });

  it("every remote ICE candidate is the SFU's (127.0.0.1, a port in the configured range), never the other browser's", async () => {
    for (const page of [a, b]) {
      const candidates = await remoteCandidates(page);
      // Both transports are connected, each with a selected pair.
      expect(
        candidates
          .filter((c) => c.selected)
          .map((c) => c.direction)
          .sort(),
      ).toEqual(['recv', 'send']);
      for (const c of candidates) {
        expect(c.address).toBe(suite.media.listenIp);
        expect(c.port).toBeGreaterThanOrEqual(RTC_MIN);
        expect(c.port).toBeLessThanOrEqual(RTC_MAX);
      }
    }
  });

  it('A shares the screen and B decodes it on the screen stage', { timeout: 45_000 }, async () => {
    await a.getByRole('button', { name: 'Share screen' }).click();
    await a.getByRole('button', { name: 'Stop sharing' }).waitFor();
    const stage = b.getByTestId('screen-stage');
    await stage.waitFor({ timeout: 15_000 });
    expect(await stage.getAttribute('data-presenter')).toBe(aId);
    await expect.poll(() => remoteVideoWidth(b, aId, 'screen-video'), { timeout: 20_000 }).toBeGreaterThan(0);
    await expectDecoding(b, aId, 'screen');
    await b.screenshot({ path: path.join(SHOTS, 'media-b-sees-a-screen.png') });
    await a.screenshot({ path: path.join(SHOTS, 'media-a-presenting.png') });
  });

  it(
    "a late joiner gets its transports and A's share with the join: it asks for no transport and, with its device loaded on the pre-join, no consume, and decodes the screen",
    { timeout: 60_000 },
    async () => {
      const c = await newPage('Carol');
      const sent: string[] = [];
      const received: string[] = [];
      // Socket.IO frames: 42<ackId>["event",…] sent, 43<ackId>[…] acks received.
      c.on('websocket', (ws) => {
        ws.on('framesent', (f) => typeof f.payload === 'string' && sent.push(f.payload));
        ws.on('framereceived', (f) => typeof f.payload === 'string' && received.push(f.payload));
      });
      await c.goto(`/${code}`);
      await c.getByLabel('Your name').fill('Carol');
      // The pre-join asked for the capabilities and got them; then its device loads (two local PeerConnections).
      const asked = () => sent.find((x) => x.includes('"get-router-capabilities"'));
      await until('the capabilities on the pre-join', async () => {
        const id = /^42(\d+)/.exec(asked() ?? '')?.[1];
        return id !== undefined && received.some((x) => x.startsWith(`43${id}[`) && x.includes('"rtpCapabilities"'));
      });
      await c.waitForTimeout(1_000);
      await c.getByRole('button', { name: 'Join now' }).click();
      await c.getByTestId('screen-stage').waitFor({ timeout: 15_000 });
      await expectDecoding(c, aId, 'screen');
      const events = sent.map((x) => /^42\d*\["([a-z-]+)"/.exec(x)?.[1]).filter(Boolean);
      expect(events).toContain('join-room');
      expect(sent.find((x) => x.includes('"join-room"'))).toContain('"rtpCapabilities"');
      expect(events).not.toContain('create-transport');
      expect(events).not.toContain('consume');
      expect(events).toContain('resume-consumer');
      await expectAccessible(c, 'a late joiner watching a screen share');
      await c.context().close();
    },
  );

  it("A stops sharing and B's screen stage goes away while the cameras keep flowing", { timeout: 30_000 }, async () => {
    await a.getByRole('button', { name: 'Stop sharing' }).click();
    await b.getByTestId('screen-stage').waitFor({ state: 'detached', timeout: 10_000 });
    await a.getByRole('button', { name: 'Share screen' }).waitFor();
    await expectDecoding(b, aId, 'camera');
  });

  it(
    "a signaling blip on A resumes the same session: nobody's media is interrupted or re-created",
    { timeout: 30_000 },
    async () => {
      const before = { atA: await consumerOf(a, bId, 'camera'), atB: await consumerOf(b, aId, 'camera') };
      const resumed = await a.evaluate(
        () =>
          new Promise<string>((resolve) => {
            const conn = window.__convene!.connection;
            conn.socket.once('room-joined', (d) => resolve(String(d.resumed)));
            // Drop the WebSocket under the client, as a network blip would; Socket.IO reconnects.
            conn.socket.io.engine.close();
          }),
      );
      expect(resumed).toBe('true');
      await expectDecoding(b, aId, 'camera');
      await expectDecoding(a, bId, 'camera');
      expect({ atA: await consumerOf(a, bId, 'camera'), atB: await consumerOf(b, aId, 'camera') }).toEqual(before);
    },
  );

  it(
    'after the SFU worker dies, both browsers re-establish media on its replacement',
    { timeout: 60_000 },
    async () => {
      const old = { atA: await consumerOf(a, bId, 'camera'), atB: await consumerOf(b, aId, 'camera') };
      const media = await suite.server.sfu!.room(code);
      const deadPid = media.workerPid;
      process.kill(deadPid, 'SIGKILL');
      await until(
        'new consumers',
        async () => ({ atA: await consumerOf(a, bId, 'camera'), atB: await consumerOf(b, aId, 'camera') }),
        (now) => Boolean(now.atA && now.atB && now.atA !== old.atA && now.atB !== old.atB),
        30_000,
      );
      expect(media.workerPid).not.toBe(deadPid);
      await expectDecoding(a, bId, 'camera');
      await expectDecoding(b, aId, 'camera');
      await until(
        'audio at B after recovery',
        () => inbound(b, aId, 'mic'),
        (s) => (s?.packetsReceived ?? 0) > 0,
        20_000,
      );
      await b.screenshot({ path: path.join(SHOTS, 'media-b-after-recovery.png') });
      expect(pageErrors).toEqual([]);
    },
  );
});

function consumerOf(page: Page, participantId: string, source: string): Promise<string | null> {
  return page.evaluate(
    ([pid, src]) => window.__convene!.media.snapshot.remote[pid!]?.[src as 'camera']?.consumerId ?? null,
    [participantId, source],
  );
}
