/**
 * Convene with its SFU, in its own pinned process, holding one meeting whose
 * host already sends a mic producer (RTP in over a PlainTransport, as in
 * test/media-signaling.test.ts; everything else through signaling).
 * Prints a `ready` event: { port, code, producerId, workerPid }.
 */
import { createConveneServer } from '../../server/app';
import { guestIdentity } from '../../server/auth/identity';
import { MeetingService } from '../../server/rooms/meetings';
import { loadSfuConfig } from '../../server/sfu';
import { benchConfig, benchLogger } from '../lib/convene-config';
import { emitEvent, serve } from '../lib/rpc';
import { RawClient } from '../signaling/client';
import { producerRtpParameters } from './generator';

const config = benchConfig({}, { roomCapacity: 1000 });
const logger = benchLogger();
const server = await createConveneServer(config, {
  next: false,
  media: loadSfuConfig({ MEDIASOUP_NUM_WORKERS: '1', MEDIASOUP_LOG_LEVEL: 'warn' }),
  logger,
});
const code = (
  await new MeetingService(server.store, config).create(guestIdentity('bench-host'), { title: 'bench media' })
).code;

const host = new RawClient();
await host.connect(server.url);
const joined = await host.request('join-room', { roomCode: code, displayName: 'Host' });
// The meeting's creator is its host: never held in a waiting room.
if (!('self' in joined)) throw new Error('the bench host was put in the waiting room');
await host.request('get-router-capabilities', {});
const media = await server.sfu!.room(code);
const send = await media.createPlainTransport(joined.self.participantId, 'send');
await send.connect({ ip: '127.0.0.1', port: 9 });
const { producerId } = await host.request('produce', {
  transportId: send.id,
  kind: 'audio',
  rtpParameters: producerRtpParameters('audio', 0x55667788),
  appData: { source: 'mic' },
});

serve({});
emitEvent('ready', { port: server.port, code, producerId, workerPid: server.sfu!.workerStats()[0]!.pid });
