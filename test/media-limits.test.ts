/**
 * What one participant can make the SFU do: a cap on the consumers it holds,
 * and mediasoup's own refusals of bad parameters answered as INVALID_PAYLOAD
 * (logged at warn without a stack), with nothing changed for anyone.
 * Real sockets and a real worker; RTP transports through RoomMedia's test path.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConveneServer } from '../server/app';
import { loadSfuConfig } from '../server/sfu';
import { match } from './helpers/match';
import { expectErr, expectOk } from './helpers/ack';
import { LEVEL, memoryLogger } from './helpers/log';
import { createMeeting, emit, joined, next, recorder, startServer, type Client } from './helpers/server';
import { sleep, until } from './helpers/wait';
import { plainConsumer, plainProducer } from './sfu/helpers';

const CAP = 3;
const log = memoryLogger();
let server: ConveneServer;
beforeAll(async () => {
  const media = loadSfuConfig({ MEDIASOUP_NUM_WORKERS: '1', MAX_CONSUMERS_PER_PARTICIPANT: String(CAP) });
  server = await startServer({}, { media, logger: log.logger });
});
afterAll(() => server.close());

/** A meeting with A, B and C, all having heard of each other, and its RoomMedia. */
async function meeting() {
  const code = await createMeeting(server);
  const a = await joined(server, code, 'A');
  const b = await joined(server, code, 'B');
  const heard = [a.socket, b.socket].map((s) => next(s, 'user-joined'));
  const c = await joined(server, code, 'C');
  await Promise.all(heard);
  expectOk(await emit(a.socket, 'get-router-capabilities'));
  const media = await server.sfu!.room(code);
  return { code, a, b, c, media };
}

/** Records what each socket receives from now on. */
function listen(...sockets: Client[]) {
  const seen = sockets.map(recorder);
  return async () => {
    await sleep(200);
    return seen.flat();
  };
}

describe('consumers per participant', () => {
  it(`B's consumes beyond ${CAP} are refused with LIMIT_REACHED, even sent at once; nobody hears of it and B keeps its ${CAP}`, async () => {
    const { a, b, c, media } = await meeting();
    // Video only: a mic would bring active-speaker events into what everyone receives.
    const camera = await plainProducer(media, a.self.participantId, 'camera', 4101);
    const { producerId } = expectOk(
      await emit(a.socket, 'produce', { ...camera.request, appData: { source: 'camera' } }),
    );
    const receiver = await plainConsumer(media, b.self.participantId);
    await sleep(200);
    const others = listen(a.socket, c.socket, b.socket);

    // Five at once: the cap must hold while the first ones are still awaiting mediasoup.
    const acks = await Promise.all(
      Array.from({ length: CAP + 2 }, () =>
        emit(b.socket, 'consume', { producerId, rtpCapabilities: media.rtpCapabilities }),
      ),
    );
    expect(acks.filter((r) => r.ok)).toHaveLength(CAP);
    for (const refused of acks.filter((r) => !r.ok)) {
      expect(expectErr(refused, 'LIMIT_REACHED').error.message).toMatch(new RegExp(`${CAP} streams`));
    }
    expect((await receiver.transport.dump()).consumerIds).toHaveLength(CAP);
    expect(await others()).toEqual([]);

    // Consumers that close with their producer free their slots.
    await emit(a.socket, 'close-producer', { producerId });
    await until('B has no consumers', async () => (await receiver.transport.dump()).consumerIds.length === 0);
    const screen = await plainProducer(media, a.self.participantId, 'screen', 4102, camera);
    const shared = expectOk(await emit(a.socket, 'produce', { ...screen.request, appData: { source: 'screen' } }));
    expectOk(
      await emit(b.socket, 'consume', { producerId: shared.producerId, rtpCapabilities: media.rtpCapabilities }),
    );
    camera.close();
    receiver.close();
    for (const s of [a.socket, b.socket, c.socket]) s.disconnect();
  });
});

/** The warn lines the SFU logged for refused parameters since `from`; none may carry a stack, none may be an error. */
function refusalsLogged(from: number) {
  const lines = log.lines.slice(from);
  expect(lines.filter((l) => l.level >= LEVEL.error)).toEqual([]);
  const warned = lines.filter((l) => l.level === LEVEL.warn && l.msg === 'mediasoup refused the parameters');
  for (const l of warned) expect(l).not.toHaveProperty('err');
  return warned.map((l) => l.reason);
}

const DTLS = {
  role: 'client',
  fingerprints: [
    {
      algorithm: 'sha-256',
      value: '82:5A:68:3D:36:C3:0A:DE:AF:E7:32:43:D2:88:83:57:AC:2D:65:E5:80:C4:B6:FB:AF:1A:A0:21:9F:6D:0C:AD',
    },
  ],
};

describe("mediasoup's refusals of bad parameters", () => {
  it("a second producer with an SSRC A already sends is INVALID_PAYLOAD: A's camera stays, nobody hears anything", async () => {
    const { a, b, c, media } = await meeting();
    const camera = await plainProducer(media, a.self.participantId, 'camera', 4201);
    const { producerId } = expectOk(
      await emit(a.socket, 'produce', { ...camera.request, appData: { source: 'camera' } }),
    );
    await sleep(200);
    const before = media.producers();
    const others = listen(a.socket, b.socket, c.socket);
    const from = log.lines.length;

    const sameSsrc = await plainProducer(media, a.self.participantId, 'screen', 4201, camera);
    const dup = await emit(a.socket, 'produce', { ...sameSsrc.request, appData: { source: 'screen' } });
    expect(expectErr(dup, 'INVALID_PAYLOAD').error.message).toMatch(/ssrc already exists/);
    // Re-publishing the camera would replace it; refused, the old one must not be closed either.
    const replace = await emit(a.socket, 'produce', { ...camera.request, appData: { source: 'camera' } });
    expectErr(replace, 'INVALID_PAYLOAD');

    expect(media.producers()).toEqual(before);
    expect((await camera.transport.dump()).producerIds).toEqual([producerId]);
    expect(await others()).toEqual([]);
    expect(refusalsLogged(from)).toEqual([match.stringMatching(/ssrc already exists/), match.stringMatching(/ssrc/)]);
    camera.close();
    for (const s of [a.socket, b.socket, c.socket]) s.disconnect();
  });

  it('a second connect-transport on one transport is INVALID_PAYLOAD and the transport stays as it was', async () => {
    const { a, b, c, media } = await meeting();
    const t = expectOk(await emit(a.socket, 'create-transport', { direction: 'send' }));
    expectOk(await emit(a.socket, 'connect-transport', { transportId: t.id, dtlsParameters: DTLS }));
    await sleep(200);
    const others = listen(a.socket, b.socket, c.socket);
    const from = log.lines.length;

    const again = await emit(a.socket, 'connect-transport', { transportId: t.id, dtlsParameters: DTLS });
    expect(expectErr(again, 'INVALID_PAYLOAD').error.message).toMatch(/connect\(\) already called/);

    expect((await media.dump()).transportIds).toContain(t.id);
    expect(await others()).toEqual([]);
    expect(refusalsLogged(from)).toEqual([match.stringMatching(/already called/)]);
    for (const s of [a.socket, b.socket, c.socket]) s.disconnect();
  });

  it('bad RTP and DTLS parameters are INVALID_PAYLOAD; the transport can still connect afterwards', async () => {
    const { a, b, c, media } = await meeting();
    const t = expectOk(await emit(a.socket, 'create-transport', { direction: 'send' }));
    await sleep(200);
    const others = listen(a.socket, b.socket, c.socket);
    const from = log.lines.length;

    const badRtp = await emit(a.socket, 'produce', {
      transportId: t.id,
      kind: 'audio',
      rtpParameters: { codecs: 'opus' },
      appData: { source: 'mic' },
    });
    expectErr(badRtp, 'INVALID_PAYLOAD');
    for (const dtlsParameters of [{ ...DTLS, role: 'sideways' }, { fingerprints: [] }, {}]) {
      expectErr(await emit(a.socket, 'connect-transport', { transportId: t.id, dtlsParameters }), 'INVALID_PAYLOAD');
    }

    expect(media.producers()).toEqual([]);
    expect(await others()).toEqual([]);
    expect(refusalsLogged(from)).toHaveLength(4);
    // None of the refused connects counted as the transport's one connect.
    expectOk(await emit(a.socket, 'connect-transport', { transportId: t.id, dtlsParameters: DTLS }));
    for (const s of [a.socket, b.socket, c.socket]) s.disconnect();
  });
});
