/**
 * Emulated round-trip time for the join suite, in user space: a TCP proxy for
 * the page and Socket.IO, and a UDP relay for the SFU's one media port, each
 * holding every chunk for `oneWayMs` in both directions (order kept: equal
 * timers fire in the order they were set). Used because this machine's kernel
 * has no netem qdisc (`tc qdisc add … netem` answers "Specified qdisc kind is
 * unknown"); see BENCHMARKS.md. Loopback only.
 */
import dgram from 'node:dgram';
import net from 'node:net';

export interface DelayedPath {
  /** http://127.0.0.1:<port>: the app as a browser 2 × oneWayMs away sees it. */
  url: string;
  close(): Promise<void>;
}

/** Runs `fn` after `ms` (at once for 0: the loopback condition adds no timer hop). */
const later = (ms: number, fn: () => void) => (ms > 0 ? void setTimeout(fn, ms) : fn());

/** A TCP proxy on 127.0.0.1:<free port> to `target`, `oneWayMs` each way. */
export async function delayedTcp(target: { host: string; port: number }, oneWayMs: number): Promise<DelayedPath> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((front) => {
    const back = net.connect(target.port, target.host);
    for (const s of [front, back]) {
      sockets.add(s);
      s.setNoDelay(true);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    const pipe = (from: net.Socket, to: net.Socket) => {
      from.on('data', (chunk) => later(oneWayMs, () => !to.destroyed && to.write(chunk)));
      from.on('end', () => later(oneWayMs, () => to.end()));
      from.on('close', () => later(oneWayMs, () => to.destroy()));
    };
    pipe(front, back);
    pipe(back, front);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * A UDP relay on `front` (the address the SFU announces) to `target` (where
 * it listens), `oneWayMs` each way. Each client address gets its own upstream
 * socket, so the SFU sees one peer per client, as behind a NAT.
 */
export async function delayedUdp(
  front: { host: string; port: number },
  target: { host: string; port: number },
  oneWayMs: number,
): Promise<{ close(): Promise<void> }> {
  const relay = dgram.createSocket('udp4');
  const upstream = new Map<string, dgram.Socket>();
  let closed = false;
  // A datagram still held when the relay closes is dropped, as a network would.
  const send = (sock: dgram.Socket, msg: Buffer, port: number, host: string) => {
    if (!closed) sock.send(msg, port, host, () => undefined);
  };
  relay.on('message', (msg, from) => {
    if (closed) return;
    const key = `${from.address}:${from.port}`;
    let up = upstream.get(key);
    if (!up) {
      const sock = dgram.createSocket('udp4');
      sock.on('message', (reply) => later(oneWayMs, () => send(relay, reply, from.port, from.address)));
      sock.on('error', () => undefined);
      sock.bind(0, target.host);
      upstream.set(key, sock);
      up = sock;
    }
    const out = up;
    later(oneWayMs, () => send(out, msg, target.port, target.host));
  });
  relay.on('error', () => undefined);
  await new Promise<void>((resolve) => relay.bind(front.port, front.host, resolve));
  return {
    close: async () => {
      closed = true;
      for (const s of upstream.values()) s.close();
      await new Promise<void>((resolve) => relay.close(() => resolve()));
    },
  };
}
