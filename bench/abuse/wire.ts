/**
 * A Socket.IO v4 client over one WebSocket (text packets only), for victims
 * and attackers alike. Unlike the signaling bench's RawClient it can connect
 * from a chosen loopback address (so the server's per-IP rules see a distinct
 * client), send a cookie, send raw packets (a flooder's malformed ones), and
 * stop reading its socket (a slow reader).
 */
import WebSocket from 'ws';
import type { AckFn, ClientEventName, ClientPayload } from '../../lib/protocol';

export interface WireOptions {
  /** Source address of the TCP connection, e.g. 127.0.0.2 (any 127/8 address is local on Linux). */
  localAddress?: string;
  /** `Cookie` header of the handshake (the meeting creator's guest cookie). */
  cookie?: string;
  timeoutMs?: number;
}

export class Wire {
  #ws: WebSocket | null = null;
  #nextAck = 0;
  readonly #acks = new Map<number, (res: unknown) => void>();
  /** Sees every event packet (`42[...]`) first; returning true skips JSON parsing. */
  onPacket: ((packet: string) => boolean) | null = null;
  onEvent: (event: string, data: unknown) => void = () => {};
  /** Called once when an open connection closes (by either side). */
  onClose: () => void = () => {};
  connected = false;
  /** Characters of every Socket.IO message received (events and acks). */
  charsIn = 0;
  /** Acks and `error` events received: answers the server spent on us. */
  answers = 0;

  connect(baseUrl: string, opts: WireOptions = {}): Promise<void> {
    const url = `${baseUrl.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`;
    const ws = new WebSocket(url, {
      perMessageDeflate: false,
      localAddress: opts.localAddress,
      headers: opts.cookie ? { cookie: opts.cookie } : undefined,
    });
    this.#ws = ws;
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        ws.terminate();
        reject(err);
      };
      const timer = setTimeout(() => fail(new Error('connect timeout')), opts.timeoutMs ?? 10_000);
      ws.on('error', (err) => fail(err));
      ws.on('unexpected-response', (_req, res) => fail(new Error(`handshake refused: HTTP ${res.statusCode}`)));
      ws.on('close', () => {
        const was = this.connected;
        this.connected = false;
        fail(new Error('closed before connecting'));
        if (was) this.onClose();
      });
      ws.on('message', (raw: Buffer) => {
        const s = raw.toString();
        const type = s.charCodeAt(0);
        if (type === 52 /* '4' message */) {
          this.charsIn += s.length;
          const sub = s.charCodeAt(1);
          if (sub === 50 /* '2' event */) {
            if (s.startsWith('42["error"')) this.answers++;
            if (this.onPacket?.(s)) return;
            const [event, data] = JSON.parse(s.slice(2)) as [string, unknown];
            this.onEvent(event, data);
          } else if (sub === 51 /* '3' ack */) {
            this.answers++;
            const bracket = s.indexOf('[');
            const id = Number(s.slice(2, bracket));
            const cb = this.#acks.get(id);
            if (cb) {
              this.#acks.delete(id);
              cb((JSON.parse(s.slice(bracket)) as unknown[])[0]);
            }
          } else if (sub === 48 /* '0' connect */) {
            settled = true;
            clearTimeout(timer);
            this.connected = true;
            resolve();
          } else if (sub === 52 /* '4' connect error */) {
            fail(new Error(`connect_error ${s.slice(2)}`));
          }
        } else if (type === 50 /* '2' ping */) {
          ws.send('3');
        } else if (type === 48 /* '0' open */) {
          ws.send('40');
        }
      });
    });
  }

  emit<E extends ClientEventName>(event: E, payload: ClientPayload<E>, ack?: AckFn<E>): void {
    if (!ack) return this.send(`42${JSON.stringify([event, payload])}`);
    const id = this.#nextAck++;
    // The server acks `event` with the protocol's Ack for it (lib/protocol/events.ts).
    this.#acks.set(id, ack as (res: unknown) => void);
    this.send(`42${id}${JSON.stringify([event, payload])}`);
  }

  /** A fresh ack id for a raw packet whose answer is counted, not awaited. */
  ackId(): number {
    return this.#nextAck++;
  }

  /** Sends one Engine.IO message as is. */
  send(packet: string): void {
    if (this.#ws?.readyState === WebSocket.OPEN) this.#ws.send(packet);
  }

  /** Bytes this side has queued and not yet handed to the kernel. */
  get buffered(): number {
    return this.#ws?.bufferedAmount ?? 0;
  }

  /** Stops reading the socket: the server's writes pile up in the kernel, then in the server. */
  pause(): void {
    this.#ws?.pause();
  }

  close(): void {
    this.#ws?.terminate();
  }
}

/** Where an attacker connects from: a distinct 127/8 address per attack, run and attempt. */
export function attackerAddress(run: number, attackIndex: number, attempt = 0): string {
  return `127.${attempt}.${run}.${10 + attackIndex}`;
}
