/**
 * A cluster node for the bench: test/helpers/cluster-node.ts (npm start's
 * server from the same environment, with the SFU, without Next), plus one
 * bench-only hook on BENCH_HOOK_PORT at the node's own address.
 *
 * The hook stands in for a browser's ICE + DTLS: emulated participants cannot
 * run WebRTC, so after their `create-transport` (through signaling, as a
 * browser does) they ask the node that owns the room for a plain RTP
 * transport of the same direction, which replaces the WebRTC one in the room's
 * media (RoomMedia.createPlainTransport); produce, consume and resume-consumer
 * then go through signaling as usual. Only the room's owner has its media:
 * anywhere else the hook answers 404.
 */
import { createServer } from 'node:http';
import { z } from 'zod';
import { createConveneServer } from '../../server/app';
import { loadConfig } from '../../server/config';
import { loadSfuConfig } from '../../server/sfu';
import { closeOnSignals } from '../../server/signals';

export const PlainRequest = z.object({
  code: z.string(),
  participantId: z.string(),
  direction: z.enum(['send', 'recv']),
  /** recv: where the SFU sends this participant's media (on 127.0.0.1). */
  sinkPort: z.number().int().optional(),
});
export type PlainReply = { id: string; ip: string; port: number };

const config = loadConfig();
const server = await createConveneServer(config, { next: false, media: loadSfuConfig() });

const hook = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk.toString()));
  req.on('end', () => {
    void (async () => {
      const r = PlainRequest.parse(JSON.parse(body));
      const media = await server.sfu?.existingRoom(r.code);
      if (!media) return void res.writeHead(404).end('not the owner');
      // A send transport learns where the participant sends from (comedia); a recv one is told where to send.
      const t = await media.createPlainTransport(r.participantId, r.direction, { comedia: r.direction === 'send' });
      if (r.sinkPort !== undefined) await t.connect({ ip: '127.0.0.1', port: r.sinkPort });
      const reply: PlainReply = { id: t.id, ip: t.tuple.localAddress, port: t.tuple.localPort };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
    })().catch((err: unknown) => res.writeHead(500).end((err as Error).message));
  });
});
await new Promise<void>((resolve) => hook.listen(Number(process.env.BENCH_HOOK_PORT), config.host, resolve));

console.log(`Convene is running at http://${config.host}:${server.port} (${server.store.kind} store)`);
closeOnSignals(server, config.shutdownTimeoutMs);
