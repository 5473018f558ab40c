/**
 * Media set up with the join (issue 15): `get-router-capabilities` on the
 * pre-join, and `join-room.media`, which has the server create the joiner's
 * transports and paused consumers and send them in `room-joined.media`.
 * Real Socket.IO clients, a real mediasoup worker; producers enter over
 * PlainTransports (a socket client has no WebRTC stack).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConveneServer } from '../server/app';
import { loadSfuConfig } from '../server/sfu';
import { expectErr, expectJoined, expectOk } from './helpers/ack';
import { match } from './helpers/match';
import {
  client,
  connected,
  createMeeting,
  emit,
  joined,
  next,
  recorder,
  startServer,
  type Client,
} from './helpers/server';
import { sleep, until } from './helpers/wait';
import { plainProducer } from './sfu/helpers';

let server: ConveneServer;
beforeAll(async () => {
  server = await startServer({ reconnectGraceMs: 5_000 }, { media: loadSfuConfig({ MEDIASOUP_NUM_WORKERS: '1' }) });
});
afterAll(() => server.close());

const routers = async () => (await server.sfu!.dumpWorkers()).reduce((n, w) => n + w.routerIds.length, 0);

/** A joins and sends a mic (through `produce`, as a client would). */
async function withMic(code: string) {
  const a = await joined(server, code, 'A');
  const media = await server.sfu!.room(code);
  const mic = await plainProducer(media, a.self.participantId, 'mic', 4242);
  const producerId = expectOk(
    await emit(a.socket, 'produce', { ...mic.request, appData: { source: 'mic' } }),
  ).producerId;
  return { a, media, mic, producerId };
}

/** Joins with `media` in join-room, as the pre-join's device makes it. */
async function joinWithMedia(code: string, name: string, media: object, resumeToken?: string) {
  const socket = await connected(client(server));
  const event = next(socket, 'room-joined');
  const ack = await emit(socket, 'join-room', {
    roomCode: code,
    displayName: name,
    media,
    ...(resumeToken && { resumeToken }),
  });
  return { socket, ack, roomJoined: await event };
}

describe('media with the join', () => {
  it('the pre-join may ask for the router capabilities: the same as a room router answers, and no router stays behind', async () => {
    const code = await createMeeting(server);
    const member = await joined(server, code, 'Member');
    const before = await routers();
    const outsider = await connected(client(server));
    const early = expectOk(await emit(outsider, 'get-router-capabilities'));
    expect(early).toEqual({ ok: true, ...member.roomJoined.router });
    await until('the probe router closed', async () => (await routers()) === before);
    // Still nothing else before a join: no transports for a socket in no meeting.
    expectErr(await emit(outsider, 'create-transport', { direction: 'recv' }), 'NOT_IN_ROOM');
    for (const s of [member.socket, outsider]) s.disconnect();
  });

  it("a joiner asking for media gets its transports and a consumer of A's mic in room-joined, not in the ack; the consumer is its own and still waits for resume-consumer", async () => {
    const code = await createMeeting(server);
    const { a, media, mic, producerId } = await withMic(code);
    const heard = recorder(a.socket);
    const late = await joinWithMedia(code, 'Late', { rtpCapabilities: media.rtpCapabilities });
    const ack = expectOk(late.ack);
    expect(ack).not.toHaveProperty('media');
    const got = late.roomJoined.media!;
    expect(got.recv).toMatchObject({ id: match.any(String), iceCandidates: match.any(Array) });
    expect(got.send).toMatchObject({ id: match.any(String) });
    expect(got.recv!.id).not.toBe(got.send!.id);
    expect(got.consumers).toEqual([
      match.objectContaining({ producerId, participantId: a.self.participantId, source: 'mic', kind: 'audio' }),
    ]);
    const consumerId = got.consumers[0]!.id;
    const dump = await media.dump();
    expect(dump.transportIds).toEqual(match.arrayContaining([got.recv!.id, got.send!.id]));
    expect(dump.mapProducerIdConsumerIds.find((e) => e.key === producerId)?.values).toContain(consumerId);
    // Its own consumer: A may not touch it, Late may resume it.
    expectErr(await emit(a.socket, 'resume-consumer', { consumerId }), 'FORBIDDEN');
    expect(await emit(late.socket, 'resume-consumer', { consumerId })).toEqual({ ok: true });
    // A heard only that Late joined.
    await sleep(100);
    expect(heard.map((e) => e.event)).toEqual(['user-joined']);
    mic.transport.close();
    for (const s of [a.socket, late.socket]) s.disconnect();
  });

  it('without rtpCapabilities only the transports come with the join; the joiner consumes as usual', async () => {
    const code = await createMeeting(server);
    const { a, media, mic, producerId } = await withMic(code);
    const late = await joinWithMedia(code, 'Late', {});
    expect(late.roomJoined.media).toMatchObject({ consumers: [], recv: { id: match.any(String) } });
    const consumer = expectOk(
      await emit(late.socket, 'consume', { producerId, rtpCapabilities: media.rtpCapabilities }),
    );
    expect(consumer.producerId).toBe(producerId);
    mic.transport.close();
    for (const s of [a.socket, late.socket]) s.disconnect();
  });

  it('a resume asks for media in vain: the server kept its transports, and makes none', async () => {
    const code = await createMeeting(server);
    const late = await joinWithMedia(code, 'Late', {});
    const kept = late.roomJoined.media!;
    const media = await server.sfu!.room(code);
    const { participantId, resumeToken } = expectJoined(late.ack).self;
    late.socket.disconnect();
    await until('the grace period', async () => (await server.store.getParticipant(code, participantId))?.graceUntil);
    const back = await joinWithMedia(code, 'Late', {}, resumeToken);
    expect(expectJoined(back.ack).resumed).toBe(true);
    expect(back.roomJoined.media).toBeUndefined();
    expect((await media.dump()).transportIds.sort()).toEqual([kept.recv!.id, kept.send!.id].sort());
    back.socket.disconnect();
  });

  it('a join-room whose media is not an object is refused: no join, nobody hears of it', async () => {
    const code = await createMeeting(server);
    const member = await joined(server, code, 'Member');
    const heard = recorder(member.socket);
    const socket: Client = await connected(client(server));
    expectErr(
      await emit(socket, 'join-room', { roomCode: code, displayName: 'Odd', media: 'yes' as never }),
      'INVALID_PAYLOAD',
    );
    await sleep(100);
    expect(heard).toEqual([]);
    for (const s of [member.socket, socket]) s.disconnect();
  });
});
