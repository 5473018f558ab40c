/**
 * Media through signaling: real Socket.IO clients drive produce/consume on a
 * real mediasoup worker. RTP enters and leaves over PlainTransports (created
 * through RoomMedia's test path, since a socket client has no WebRTC stack);
 * every other step is a protocol event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConveneServer } from '../server/app';
import { loadSfuConfig } from '../server/sfu';
import { expectErr, expectOk } from './helpers/ack';
import { signaledRoundTrip } from './helpers/media';
import { createMeeting, creatorCookie, emit, joined, next, recorder, startServer, type Client } from './helpers/server';
import { sleep, until } from './helpers/wait';
import { plainProducer } from './sfu/helpers';

let server: ConveneServer;
beforeAll(async () => {
  server = await startServer({ reconnectGraceMs: 100 }, { media: loadSfuConfig({ MEDIASOUP_NUM_WORKERS: '1' }) });
});
afterAll(() => server.close());

const roundTrip = (code: string, a: Client, aId: string, b: Client, bId: string, ssrc: number) =>
  signaledRoundTrip(server, code, a, aId, b, bId, ssrc);

describe('media over signaling', () => {
  it("RTP sent into A's producer comes out of B's consumer, and everyone sees A's mic turn on", async () => {
    const code = await createMeeting(server);
    const a = await joined(server, code, 'A');
    const b = await joined(server, code, 'B');
    const flagAtB = next(b.socket, 'media-toggled');
    const rt = await roundTrip(code, a.socket, a.self.participantId, b.socket, b.self.participantId, 1111);
    expect(await flagAtB).toEqual({ participantId: a.self.participantId, kind: 'audio', enabled: true });

    const late = await joined(server, code, 'Late');
    expect(late.ack.producers).toEqual([
      { participantId: a.self.participantId, producerId: rt.producerId, source: 'mic', paused: false },
    ]);
    rt.sender.close();
    rt.receiver.close();
    for (const s of [a.socket, b.socket, late.socket]) s.disconnect();
  });

  it('room-joined carries the router that get-router-capabilities answers, and the ack leaves it out', async () => {
    const code = await createMeeting(server);
    const a = await joined(server, code, 'A');
    const asked = expectOk(await emit(a.socket, 'get-router-capabilities'));
    expect(a.roomJoined.router).toEqual({ rtpCapabilities: asked.rtpCapabilities, iceServers: asked.iceServers });
    expect((asked.rtpCapabilities as { codecs: unknown[] }).codecs.length).toBeGreaterThan(0);
    expect(a.ack).not.toHaveProperty('router');
    a.socket.disconnect();
  });

  it("toggle-media off pauses A's producer in the SFU: B stops receiving and hears producer-paused", async () => {
    const code = await createMeeting(server);
    const a = await joined(server, code, 'A');
    const b = await joined(server, code, 'B');
    const rt = await roundTrip(code, a.socket, a.self.participantId, b.socket, b.self.participantId, 2222);
    const paused = next(b.socket, 'producer-paused');
    const flag = next(b.socket, 'media-toggled');
    expect(await emit(a.socket, 'toggle-media', { kind: 'audio', enabled: false })).toEqual({ ok: true });
    expect(await paused).toMatchObject({
      participantId: a.self.participantId,
      producerId: rt.producerId,
      source: 'mic',
      by: 'owner',
    });
    expect(await flag).toEqual({ participantId: a.self.participantId, kind: 'audio', enabled: false });
    await sleep(100);
    const before = rt.receiver.received;
    await sleep(400);
    expect(rt.receiver.received).toBe(before);
    rt.sender.close();
    rt.receiver.close();
    for (const s of [a.socket, b.socket]) s.disconnect();
  });

  it("a host's mute pauses A's mic in the SFU: the others hear producer-paused by host and packets stop; with canUnmute on A may unmute", async () => {
    const code = await createMeeting(server);
    const host = await joined(server, code, 'Host', { cookie: creatorCookie() });
    const a = await joined(server, code, 'A');
    const b = await joined(server, code, 'B');
    const rt = await roundTrip(code, a.socket, a.self.participantId, b.socket, b.self.participantId, 3333);
    const pausedAtB = next(b.socket, 'producer-paused');
    const flagAtB = next(b.socket, 'media-toggled');
    const noticeAtA = next(a.socket, 'you-were-muted');
    expect(await emit(host.socket, 'mute-participant', { participantId: a.self.participantId, kind: 'audio' })).toEqual(
      { ok: true },
    );
    expect(await pausedAtB).toEqual({
      participantId: a.self.participantId,
      producerId: rt.producerId,
      source: 'mic',
      by: 'host',
    });
    expect(await flagAtB).toEqual({ participantId: a.self.participantId, kind: 'audio', enabled: false });
    expect(await noticeAtA).toEqual({ by: host.self.participantId, kind: 'audio' });
    expect(rt.media.producers()).toMatchObject([{ producerId: rt.producerId, paused: true }]);
    await sleep(100);
    const before = rt.receiver.received;
    await sleep(400); // A's client keeps sending the whole time
    expect(rt.receiver.received).toBe(before);

    // As in Google Meet, a host mute is not a lock: with canUnmute on (the default) A turns the mic back on.
    const resumedAtB = next(b.socket, 'producer-resumed');
    expect(await emit(a.socket, 'resume-producer', { producerId: rt.producerId })).toEqual({ ok: true });
    expect(await resumedAtB).toMatchObject({ participantId: a.self.participantId, producerId: rt.producerId });
    await until('packets after A unmutes', () => rt.receiver.received > before + 5);
    rt.sender.close();
    rt.receiver.close();
    for (const s of [a.socket, b.socket, host.socket]) s.disconnect();
  });

  it('with canUnmute off, a participant may not send a mic (and no producer is left) while the host may', async () => {
    const code = await createMeeting(server);
    const host = await joined(server, code, 'Host', { cookie: creatorCookie() });
    const a = await joined(server, code, 'A');
    const meeting = (await server.store.getMeeting(code))!;
    await server.store.saveMeeting({ ...meeting, permissions: { ...meeting.permissions, canUnmute: false } }, 60_000);
    await emit(a.socket, 'get-router-capabilities');
    const media = await server.sfu!.room(code);
    const sender = await plainProducer(media, a.self.participantId, 'mic', 4444);
    const hostSaw = recorder(host.socket);
    expectErr(await emit(a.socket, 'produce', { ...sender.request, appData: { source: 'mic' } }), 'FORBIDDEN');
    expect(media.producers()).toEqual([]);
    await sleep(50);
    expect(hostSaw).toEqual([]);

    const hostSender = await plainProducer(media, host.self.participantId, 'mic', 4445);
    expectOk(await emit(host.socket, 'produce', { ...hostSender.request, appData: { source: 'mic' } }));
    sender.close();
    hostSender.close();
    for (const s of [a.socket, host.socket]) s.disconnect();
  });

  it("leaving, being kicked and timing out close all of that participant's media; an empty room has no router", async () => {
    const code = await createMeeting(server);
    const host = await joined(server, code, 'Host', { cookie: creatorCookie() });
    const parts = await Promise.all(['Leaver', 'Kicked', 'Dropper'].map((n) => joined(server, code, n)));
    const rts: Awaited<ReturnType<typeof roundTrip>>[] = [];
    for (const [i, p] of parts.entries())
      rts.push(await roundTrip(code, p.socket, p.self.participantId, host.socket, host.self.participantId, 5000 + i));
    const owners = async () => {
      const dump = await rts[0]!.media.dump();
      return { transports: dump.transportIds.length, producers: rts[0]!.media.producers().map((p) => p.participantId) };
    };
    expect((await owners()).transports).toBe(4); // three send transports + the host's recv transport

    await emit(parts[0]!.socket, 'leave-room');
    await emit(host.socket, 'kick-participant', { participantId: parts[1]!.self.participantId });
    parts[2]!.socket.disconnect();
    await until('producers closed', () => rts[0]!.media.producers().length === 0);
    expect((await owners()).transports).toBe(1);
    for (const rt of rts) {
      rt.sender.close();
      rt.receiver.close();
    }

    host.socket.disconnect();
    await until('router closed', () => server.sfu!.existingRoom(code) === undefined);
    const workers = await server.sfu!.dumpWorkers();
    expect(workers.flatMap((w) => w.routerIds)).toEqual([]);
  });

  it('with the SFU, the flags are the producers: toggling on with nothing produced is NOT_FOUND, and a host mute of it leaves every flag off', async () => {
    const code = await createMeeting(server);
    const host = await joined(server, code, 'Host', { cookie: creatorCookie() });
    const a = await joined(server, code, 'A');
    const seen = [host, a].map((p) => recorder(p.socket));

    const refused = await emit(a.socket, 'toggle-media', { kind: 'audio', enabled: true });
    expect(expectErr(refused, 'NOT_FOUND').error.message).toMatch(/produce it first/);
    expect(await emit(a.socket, 'toggle-media', { kind: 'video', enabled: false })).toEqual({ ok: true });
    const muted = next(a.socket, 'you-were-muted');
    expectOk(await emit(host.socket, 'mute-participant', { participantId: a.self.participantId, kind: 'audio' }));
    expect(await muted).toEqual({ by: host.self.participantId, kind: 'audio' });

    await sleep(100);
    expect(seen.flat().filter((e) => e.event === 'media-toggled')).toEqual([]);
    const late = await joined(server, code, 'Late');
    for (const p of late.roomJoined.participants)
      expect(p.media).toEqual({ audio: false, video: false, screen: false });
    for (const s of [host.socket, a.socket, late.socket]) s.disconnect();
  });

  it('when the worker dies, clients hear media-reset and media works again on the new router', async () => {
    const code = await createMeeting(server);
    const a = await joined(server, code, 'A');
    const b = await joined(server, code, 'B');
    const first = await roundTrip(code, a.socket, a.self.participantId, b.socket, b.self.participantId, 6666);
    first.sender.close();
    first.receiver.close();
    const resetAtA = next(a.socket, 'media-reset', 10_000);
    const resetAtB = next(b.socket, 'media-reset', 10_000);
    const flagAtB = next(b.socket, 'media-toggled', 10_000);
    const deadPid = first.media.workerPid;
    process.kill(deadPid, 'SIGKILL');
    await Promise.all([resetAtA, resetAtB]);
    // A's mic died with the worker: its flag follows the producer, off until A produces again.
    expect(await flagAtB).toEqual({ participantId: a.self.participantId, kind: 'audio', enabled: false });
    const late = await joined(server, code, 'Late');
    expect(late.roomJoined.participants.find((p) => p.participantId === a.self.participantId)?.media).toEqual({
      audio: false,
      video: false,
      screen: false,
    });
    late.socket.disconnect();
    const second = await roundTrip(code, a.socket, a.self.participantId, b.socket, b.self.participantId, 6667);
    expect(second.media.workerPid).not.toBe(deadPid);
    second.sender.close();
    second.receiver.close();
    for (const s of [a.socket, b.socket]) s.disconnect();
  }, 30_000);
});
