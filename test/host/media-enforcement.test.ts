/** Host mute and stop-share are enforced in the SFU, not left to the target's client. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConveneServer } from '../../server/app';
import { guestIdentity } from '../../server/auth/identity';
import { loadSfuConfig } from '../../server/sfu';
import { expectErr, expectOk } from '../helpers/ack';
import { signaledRoundTrip } from '../helpers/media';
import { createMeeting, emit, guestCookieHeader, joined, next, recorder, startServer } from '../helpers/server';
import { sleep, until } from '../helpers/wait';
import { plainProducer } from '../sfu/helpers';
import { match } from '../helpers/match';

let server: ConveneServer;
beforeAll(async () => {
  server = await startServer({}, { media: loadSfuConfig({ MEDIASOUP_NUM_WORKERS: '1' }) });
});
afterAll(() => server.close());

async function meetingWithHost(tag: string) {
  const code = await createMeeting(server, guestIdentity(tag));
  const host = await joined(server, code, 'Host', { cookie: guestCookieHeader(tag) });
  const a = await joined(server, code, 'A');
  return { code, host, a };
}

describe('host mute', () => {
  it("with canUnmute off, a host mute holds: A's resume-producer, toggle-media and a fresh produce are FORBIDDEN and change nothing", async () => {
    const { code, host, a } = await meetingWithHost('mute-host');
    const b = await joined(server, code, 'B');
    const rt = await signaledRoundTrip(
      server,
      code,
      a.socket,
      a.self.participantId,
      b.socket,
      b.self.participantId,
      7001,
    );
    const notice = next(a.socket, 'you-were-muted');
    const pausedAtHost = next(host.socket, 'producer-paused');
    const pausedAtB = next(b.socket, 'producer-paused');
    const flagAtB = next(b.socket, 'media-toggled');
    expect(await emit(host.socket, 'set-permissions', { canUnmute: false })).toEqual({ ok: true });
    expect(await emit(host.socket, 'mute-participant', { participantId: a.self.participantId, kind: 'audio' })).toEqual(
      { ok: true },
    );
    expect(await notice).toEqual({ by: host.self.participantId, kind: 'audio' });
    const paused = { participantId: a.self.participantId, producerId: rt.producerId, source: 'mic', by: 'host' };
    expect(await pausedAtHost).toEqual(paused);
    expect(await pausedAtB).toEqual(paused);
    expect(await flagAtB).toEqual({ participantId: a.self.participantId, kind: 'audio', enabled: false });

    await sleep(100);
    const before = rt.receiver.received;
    const othersSaw = [recorder(host.socket), recorder(b.socket)];
    expectErr(await emit(a.socket, 'resume-producer', { producerId: rt.producerId }), 'FORBIDDEN');
    expectErr(await emit(a.socket, 'toggle-media', { kind: 'audio', enabled: true }), 'FORBIDDEN');
    // Nor can A get around the mute by publishing its mic again.
    const again = await plainProducer(rt.media, a.self.participantId, 'mic', 7002, rt.sender);
    expectErr(await emit(a.socket, 'produce', { ...again.request, appData: { source: 'mic' } }), 'FORBIDDEN');
    await sleep(500); // A's client keeps sending the whole time
    expect(rt.receiver.received).toBe(before);
    expect(rt.sender.sent).toBeGreaterThan(before + 20);
    expect(othersSaw.flat()).toEqual([]);
    expect(rt.media.producers()).toEqual([match.objectContaining({ producerId: rt.producerId, paused: true })]);
    expect((await server.store.getParticipant(code, a.self.participantId))?.media.audio).toBe(false);

    // With unmuting allowed again, only A can turn the mic back on.
    await emit(host.socket, 'set-permissions', { canUnmute: true });
    const resumedAtB = next(b.socket, 'producer-resumed');
    expect(await emit(a.socket, 'resume-producer', { producerId: rt.producerId })).toEqual({ ok: true });
    expect(await resumedAtB).toMatchObject({ participantId: a.self.participantId, producerId: rt.producerId });
    await until('packets after A unmutes', () => rt.receiver.received > before + 5);
    rt.sender.close();
    rt.receiver.close();
    for (const s of [a.socket, b.socket, host.socket]) s.disconnect();
  });

  it('mute-all pauses every participant but leaves hosts and co-hosts alone', async () => {
    const { code, host, a } = await meetingWithHost('mute-all-host');
    const fromA = await signaledRoundTrip(
      server,
      code,
      a.socket,
      a.self.participantId,
      host.socket,
      host.self.participantId,
      7101,
    );
    const fromHost = await signaledRoundTrip(
      server,
      code,
      host.socket,
      host.self.participantId,
      a.socket,
      a.self.participantId,
      7102,
    );
    const [hostSaw, aSaw] = [recorder(host.socket), recorder(a.socket)];
    expect(await emit(host.socket, 'mute-all', { kind: 'audio' })).toEqual({ ok: true, muted: 1 });
    await sleep(100);
    const [aBefore, hostBefore] = [fromA.receiver.received, fromHost.receiver.received];
    await sleep(400);
    expect(fromA.receiver.received).toBe(aBefore);
    expect(fromHost.receiver.received).toBeGreaterThan(hostBefore + 5);
    const pauses = (seen: typeof hostSaw) => seen.filter((e) => e.event === 'producer-paused').map((e) => e.data);
    const aPaused = { participantId: a.self.participantId, producerId: fromA.producerId, source: 'mic', by: 'host' };
    expect(pauses(hostSaw)).toEqual([aPaused]);
    expect(pauses(aSaw)).toEqual([aPaused]);
    for (const rt of [fromA, fromHost]) {
      rt.sender.close();
      rt.receiver.close();
    }
    for (const s of [a.socket, host.socket]) s.disconnect();
  });
});

describe('host stop-share', () => {
  it("closes A's screen and screen-audio producers, viewers' consumers close, and no more packets arrive", async () => {
    const { code, host, a } = await meetingWithHost('share-host');
    const viewer = await joined(server, code, 'Viewer');
    // Screen audio carries the packet count (plain RTP video would wait for a VP8 key frame).
    const rt = await signaledRoundTrip(
      server,
      code,
      a.socket,
      a.self.participantId,
      viewer.socket,
      viewer.self.participantId,
      7201,
      'screen-audio',
    );
    const screen = await plainProducer(rt.media, a.self.participantId, 'screen', 7202, rt.sender);
    const { producerId: screenId } = expectOk(
      await emit(a.socket, 'produce', { ...screen.request, appData: { source: 'screen' } }),
    );
    const screenConsumer = expectOk(
      await emit(viewer.socket, 'consume', { producerId: screenId, rtpCapabilities: rt.media.rtpCapabilities }),
    );
    await emit(viewer.socket, 'resume-consumer', { consumerId: screenConsumer.id });

    const viewerSaw = recorder(viewer.socket);
    const flag = next(viewer.socket, 'media-toggled');
    expect(await emit(host.socket, 'stop-screen-share', { participantId: a.self.participantId })).toEqual({ ok: true });
    expect(await flag).toEqual({ participantId: a.self.participantId, kind: 'screen', enabled: false });
    await until('two consumer-closed', () => viewerSaw.filter((e) => e.event === 'consumer-closed').length === 2);
    expect(viewerSaw.filter((e) => e.event === 'consumer-closed').map((e) => e.data)).toEqual(
      match.arrayContaining([
        { consumerId: rt.consumerId, producerId: rt.producerId },
        { consumerId: screenConsumer.id, producerId: screenId },
      ]),
    );
    expect(rt.media.producers()).toEqual([]);
    await sleep(100);
    const after = rt.receiver.received;
    await sleep(400);
    expect(rt.receiver.received).toBe(after);
    // A cannot simply resume it: the producer is gone.
    expectErr(await emit(a.socket, 'resume-producer', { producerId: screenId }), 'NOT_FOUND');
    rt.sender.close();
    rt.receiver.close();
    for (const s of [a.socket, host.socket, viewer.socket]) s.disconnect();
  });
});

describe('screen share limit', () => {
  it('a second sharer is refused with SHARE_LIMIT_REACHED until the host allows several', async () => {
    const { code, host, a } = await meetingWithHost('limit-host');
    const b = await joined(server, code, 'B');
    await emit(a.socket, 'get-router-capabilities');
    const media = await server.sfu!.room(code);
    const aShare = await plainProducer(media, a.self.participantId, 'screen', 7301);
    const bShare = await plainProducer(media, b.self.participantId, 'screen', 7302);
    expectOk(await emit(a.socket, 'produce', { ...aShare.request, appData: { source: 'screen' } }));
    expectErr(
      await emit(b.socket, 'produce', { ...bShare.request, appData: { source: 'screen' } }),
      'SHARE_LIMIT_REACHED',
    );
    expect(media.producers().map((p) => p.participantId)).toEqual([a.self.participantId]);

    const updated = next(b.socket, 'room-updated');
    await emit(host.socket, 'set-permissions', { maxScreenShares: 2 });
    expect((await updated).room.maxScreenShares).toBe(2);
    expectOk(await emit(b.socket, 'produce', { ...bShare.request, appData: { source: 'screen' } }));
    for (const s of [aShare, bShare]) s.close();
    for (const s of [a.socket, b.socket, host.socket]) s.disconnect();
  });
});
