import dgram from 'node:dgram';
import { loadSfuConfig, type SfuConfig } from '../../server/sfu/config';
import type { RoomMedia } from '../../server/sfu/room-media';
import { Sfu } from '../../server/sfu/sfu';
import type { MediaSourceName, PlainTransport, SfuLogger } from '../../server/sfu/types';

/** A logger that keeps what it was given, so tests can assert on logs. */
export function memoryLogger(): SfuLogger & { lines: { level: string; obj: object; msg?: string }[] } {
  const lines: { level: string; obj: object; msg?: string }[] = [];
  const at = (level: string) => (obj: object, msg?: string) =>
    void lines.push({ level, obj, ...(msg !== undefined && { msg }) });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** An Sfu with one worker on localhost, as `npm start` would configure it by default. */
export async function startSfu(
  env: Record<string, string> = {},
  logger: SfuLogger = memoryLogger(),
): Promise<{ sfu: Sfu; config: SfuConfig }> {
  const config = loadSfuConfig({ MEDIASOUP_NUM_WORKERS: '1', ...env });
  return { sfu: await Sfu.create(config, logger), config };
}

async function bindUdp(): Promise<dgram.Socket> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  return s;
}

const MAGIC = Buffer.from('CONVENE!');
const OPUS_PT = 101;
const VP8_PT = 96;

/** RTP with a recognisable payload: MAGIC + the sender's packet index. */
function rtpPacket(index: number, ssrc: number, pt: number): Buffer {
  const b = Buffer.alloc(12 + MAGIC.length + 4 + 100);
  b[0] = 0x80;
  b[1] = pt & 0x7f;
  b.writeUInt16BE((1000 + index) & 0xffff, 2);
  b.writeUInt32BE((960 * index) >>> 0, 4);
  b.writeUInt32BE(ssrc >>> 0, 8);
  MAGIC.copy(b, 12);
  b.writeUInt32BE(index, 12 + MAGIC.length);
  return b;
}

/**
 * A participant sending RTP into a producer over a PlainTransport (the
 * test/bench path of RoomMedia). `start()` sends a packet every 20 ms until
 * `stop()`; `sent` counts them.
 */
export async function plainProducer(
  room: RoomMedia,
  participantId: string,
  source: MediaSourceName,
  ssrc: number,
  /** Another source of the same participant: reuse its transport (one send transport per participant). */
  sameTransportAs?: { transport: PlainTransport; socket: dgram.Socket },
) {
  const socket = sameTransportAs?.socket ?? (await bindUdp());
  const transport = sameTransportAs?.transport ?? (await room.createPlainTransport(participantId, 'send'));
  if (!sameTransportAs) await transport.connect({ ip: '127.0.0.1', port: socket.address().port });
  const audio = source === 'mic' || source === 'screen-audio';
  const pt = audio ? OPUS_PT : VP8_PT;
  const rtpParameters = {
    codecs: [
      audio
        ? { mimeType: 'audio/opus', payloadType: pt, clockRate: 48000, channels: 2 }
        : { mimeType: 'video/VP8', payloadType: pt, clockRate: 90000 },
    ],
    encodings: [{ ssrc }],
  };
  const request = {
    transportId: transport.id,
    kind: audio ? ('audio' as const) : ('video' as const),
    rtpParameters,
    source,
  };
  let timer: NodeJS.Timeout | undefined;
  const state = {
    transport,
    socket,
    request,
    sent: 0,
    produce: (allowed = true) => room.produce(participantId, request, { allowed }),
    start() {
      timer ??= setInterval(
        () => socket.send(rtpPacket(state.sent++, ssrc, pt), transport.tuple.localPort, '127.0.0.1'),
        20,
      );
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
    close() {
      state.stop();
      if (!sameTransportAs) socket.close();
    },
  };
  return state;
}

/**
 * A participant receiving a producer over a PlainTransport. Counts RTP packets
 * of the consumer's SSRC and checks each payload arrived intact.
 */
export async function plainConsumer(room: RoomMedia, participantId: string) {
  const socket = await bindUdp();
  const transport = await room.createPlainTransport(participantId, 'recv');
  await transport.connect({ ip: '127.0.0.1', port: socket.address().port });
  const state = {
    transport,
    received: 0,
    intact: 0,
    ssrc: -1,
    async consume(producerId: string) {
      const params = await room.consume(participantId, producerId, room.rtpCapabilities);
      state.ssrc = params.rtpParameters.encodings?.[0]?.ssrc ?? -1;
      await room.resumeConsumer(participantId, params.id);
      return params;
    },
    close: () => socket.close(),
  };
  socket.on('message', (msg) => {
    const pt = msg[1]! & 0x7f;
    if (pt >= 72 && pt <= 76) return; // RTCP on the same port (rtcp-mux)
    if (msg.readUInt32BE(8) !== state.ssrc) return;
    state.received++;
    const ext = msg[0]! & 0x10 ? 4 + 4 * msg.readUInt16BE(14) : 0;
    const payload = msg.subarray(12 + ext);
    if (payload.subarray(0, MAGIC.length).equals(MAGIC) && payload.length === MAGIC.length + 4 + 100) state.intact++;
  });
  return state;
}
