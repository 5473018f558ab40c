/**
 * The audience suite's load generator, in its own (pinned) process: a stage
 * of a few clients, then N audience members joining one meeting at a fixed
 * rate, while one stage member chats at a fixed rate. Measures each join
 * (emit → ack), each chat's delivery to the rest of the stage and to a
 * sample of the audience, and what the stage heard about the audience.
 */
import { histogram, encode, recordMs, type Histogram } from '../lib/hdr';
import { emitEvent, serve } from '../lib/rpc';
import { RawClient } from '../signaling/client';

interface Member {
  client: RawClient;
  role: string;
}

const stage: Member[] = [];
const audience: Member[] = [];
/** What the stage heard while the audience joined (besides chat). */
const heard = { userJoined: 0, audienceUpdated: 0, lastCount: -1 };
/** Chat probes in flight: id → send time (ms, this process's clock). */
const sent = new Map<string, number>();
const fanout = { stage: histogram(), audience: histogram() };
let chatTimer: NodeJS.Timeout | null = null;
let chatSeq = 0;

function onChat(h: () => Histogram) {
  return (event: string, data: unknown) => {
    if (event === 'user-joined') heard.userJoined++;
    else if (event === 'audience-updated') {
      heard.audienceUpdated++;
      heard.lastCount = (data as { count: number }).count;
    } else if (event === 'new-message') {
      const at = sent.get((data as { text: string }).text);
      if (at !== undefined) recordMs(h(), performance.now() - at);
    }
  };
}

async function join(url: string, code: string, name: string): Promise<{ client: RawClient; role: string; ms: number }> {
  const client = new RawClient();
  await client.connect(url, 30_000);
  const t0 = performance.now();
  const ack = await client.request('join-room', { roomCode: code, displayName: name }, 30_000);
  const ms = performance.now() - t0;
  const role = 'self' in ack && (ack.self as { role?: string }).role ? (ack.self as { role: string }).role : 'audience';
  return { client, role, ms };
}

const api = {
  /** The first `n` joiners: the stage (the meeting's stage limit is `n`). */
  stage: async ({ url, code, n }: { url: string; code: string; n: number }) => {
    for (let i = 0; i < n; i++) {
      const { client, role } = await join(url, code, `Stage ${i}`);
      // The sender hears its own message too; only the others' receipts are fan-out.
      if (i > 0) client.onEvent = onChat(() => fanout.stage);
      stage.push({ client, role });
    }
    return stage.map((m) => m.role);
  },

  /** One stage member chats `rate` times a second until stopChat; receipts are timed. */
  startChat: ({ rate }: { rate: number }) => {
    fanout.stage = histogram();
    fanout.audience = histogram();
    sent.clear();
    const sender = stage[0]!.client;
    chatTimer = setInterval(() => {
      const text = `probe ${++chatSeq}`;
      sent.set(text, performance.now());
      sender.emit('send-message', { text });
    }, 1000 / rate);
    return true;
  },

  stopChat: async ({ drainMs }: { drainMs: number }) => {
    if (chatTimer) clearInterval(chatTimer);
    chatTimer = null;
    await new Promise((r) => setTimeout(r, drainMs));
    const expected = sent.size;
    return {
      stage: encode(fanout.stage),
      audience: encode(fanout.audience),
      sent: expected,
      stageReceipts: fanout.stage.totalCount,
      audienceReceipts: fanout.audience.totalCount,
    };
  },

  /**
   * `n` audience members join at `rate` per second. `sample` of them time
   * their chat receipts; the rest skip parsing what they receive, so the
   * generator stays cheap.
   */
  audience: async ({
    url,
    code,
    n,
    rate,
    sample,
  }: {
    url: string;
    code: string;
    n: number;
    rate: number;
    sample: number;
  }) => {
    heard.userJoined = 0;
    heard.audienceUpdated = 0;
    const joins = histogram();
    const roles: Record<string, number> = {};
    const every = Math.max(1, Math.floor(n / Math.max(1, sample)));
    let failed = 0;
    const started = performance.now();
    const pending: Promise<void>[] = [];
    for (let i = 0; i < n; i++) {
      // Paced: the i-th join starts at i / rate seconds (catching up if the generator fell behind).
      const due = started + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      pending.push(
        join(url, code, `Viewer ${i}`).then(
          ({ client, role, ms }) => {
            recordMs(joins, ms);
            roles[role] = (roles[role] ?? 0) + 1;
            if (i % every === 0) client.onEvent = onChat(() => fanout.audience);
            else client.onEventPacket = () => true;
            audience.push({ client, role });
          },
          () => void failed++,
        ),
      );
    }
    await Promise.all(pending);
    return { joins: encode(joins), roles, failed, rampMs: performance.now() - started };
  },

  heard: () => ({ ...heard }),

  close: () => {
    for (const m of [...stage, ...audience]) m.client.close();
    stage.length = 0;
    audience.length = 0;
    return true;
  },
};

export type AudienceLoadgenApi = typeof api;
serve(api);
emitEvent('ready', { pid: process.pid });
