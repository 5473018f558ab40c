import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sfu } from '../../server/sfu/sfu';
import { startSfu } from './helpers';
import { match } from '../helpers/match';

// Below the kernel's ephemeral range (32768+), where outgoing connections of
// this and other tests take their ports, and apart from the browser suites'
// ranges (21000-30999): a port in 42000-43999 collided now and then.
const port = 31_000 + Math.floor(Math.random() * 1000);
let sfu: Sfu;
beforeAll(async () => {
  ({ sfu } = await startSfu({ MEDIASOUP_WEBRTC_SERVER_PORT: String(port) }));
});
afterAll(() => sfu.close());

describe('SFU with MEDIASOUP_WEBRTC_SERVER_PORT', () => {
  it("puts every participant's transports on the worker's single WebRtcServer port, UDP and TCP", async () => {
    const room = await sfu.room('one-port');
    const a = await room.createWebRtcTransport('A', 'send');
    const b = await room.createWebRtcTransport('B', 'recv');
    for (const t of [a, b]) {
      expect(t.iceCandidates.map((c) => [c.protocol, c.address, c.port])).toEqual(
        match.arrayContaining([
          ['udp', '127.0.0.1', port],
          ['tcp', '127.0.0.1', port],
        ]),
      );
    }
    await sfu.closeRoom('one-port');
  });
});
