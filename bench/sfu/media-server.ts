/**
 * Convene with its SFU, in its own pinned process, holding one meeting whose
 * host already sends a mic producer (RTP in over a PlainTransport, as in
 * test/media-signaling.test.ts; everything else through signaling).
 * Prints a `ready` event: { port, code, producerId, workerPid }.
 */
import { pino } from 'pino';
import { createLogger } from '../../server/logger';
import { createConveneServer } from '../../server/app';
import { guestIdentity } from '../../server/auth/identity';
import { DEFAULT_RATE_LIMITS, loadConfig } from '../../server/config';
import { MeetingService } from '../../server/rooms/meetings';
import { loadSfuConfig } from '../../server/sfu';
import { emitEvent, serve } from '../lib/rpc';
import { RawClient } from '../signaling/client';
import { producerRtpParameters } from './generator';

// Production windows, points no load reaches: the limiter does its real work per event
// (a 1 s window would re-create every socket's record and timer each second).
const unlimited = ([, seconds]: [number, number]): [number, number] => [1_000_000_000, seconds];
const config = {
  ...loadConfig({
    NODE_ENV: 'production',
    NEXTAUTH_SECRET: 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz',
    LOG_LEVEL: 'info',
  }),
  port: 0,
  host: '127.0.0.1',
  roomCapacity: 1000,
  rateLimits: {
    ...DEFAULT_RATE_LIMITS,
    join: unlimited(DEFAULT_RATE_LIMITS.join),
    chat: unlimited(DEFAULT_RATE_LIMITS.chat),
    typing: unlimited(DEFAULT_RATE_LIMITS.typing),
    control: unlimited(DEFAULT_RATE_LIMITS.control),
  },
};
// Every bench client comes from 127.0.0.1: lift the per-IP caps that would count them as one office.
config.caps = {
  ...config.caps,
  connectionsPerIp: 1_000_000,
  mediaParticipantsPerIp: 1_000_000,
  joinsPerIp: { perSecond: 1_000_000, burst: 1_000_000, queue: 1_000_000 },
};
const logger = createLogger('info', pino.destination({ dest: '/dev/null', sync: true }));
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
