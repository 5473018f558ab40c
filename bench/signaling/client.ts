/**
 * A minimal Socket.IO v4 client (Engine.IO 4 over WebSocket, text packets only)
 * for the load generator. socket.io-client costs several times more CPU and
 * memory per connection, and the generator must not be what saturates first.
 * It speaks exactly what the real client sends: `40` to connect the default
 * namespace, `42<ackId>[event, payload]` events, `3` pongs.
 */
import WebSocket from 'ws';
import type { AckFn, AckOk, ClientEventName, ClientEventResults, ClientPayload } from '../../lib/protocol';

/** A server event as parsed from the wire; handlers narrow `data` by `event`. */
export type EventHandler = (event: string, data: unknown) => void;

export class RawClient {
  #ws: WebSocket | null = null;
  #nextAck = 0;
  readonly #acks = new Map<number, (res: unknown) => void>();
  onEvent: EventHandler = () => {};
  /** Sees every event packet (`42[...]`) first; returning true skips JSON parsing (the generator's hot path). */
  onEventPacket: ((packet: string) => boolean) | null = null;
  connected = false;

  /** Opens the connection and joins the default namespace. */
  connect(baseUrl: string, timeoutMs = 10_000): Promise<void> {
    const url = `${baseUrl.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`;
    const ws = new WebSocket(url, { perMessageDeflate: false });
    this.#ws = ws;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error('connect timeout')), timeoutMs);
      const fail = (err: Error) => {
        clearTimeout(timer);
        ws.terminate();
        reject(err);
      };
      ws.on('error', (err) => (this.connected ? undefined : fail(err)));
      ws.on('close', () => {
        this.connected = false;
      });
      ws.on('message', (raw: Buffer) => {
        const s = raw.toString();
        const type = s.charCodeAt(0);
        if (type === 52 /* '4' message */) {
          const sub = s.charCodeAt(1);
          if (sub === 50 /* '2' event */) {
            if (this.onEventPacket?.(s)) return;
            const [event, data] = JSON.parse(s.slice(2)) as [string, unknown];
            this.onEvent(event, data);
          } else if (sub === 51 /* '3' ack */) {
            const bracket = s.indexOf('[');
            const id = Number(s.slice(2, bracket));
            const cb = this.#acks.get(id);
            if (cb) {
              this.#acks.delete(id);
              cb((JSON.parse(s.slice(bracket)) as unknown[])[0]);
            }
          } else if (sub === 48 /* '0' connect */) {
            this.connected = true;
            clearTimeout(timer);
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
    if (!this.#ws || this.#ws.readyState !== WebSocket.OPEN) return;
    if (ack) {
      const id = this.#nextAck++;
      // The server acks `event` with the protocol's Ack for it (lib/protocol/events.ts).
      this.#acks.set(id, ack as (res: unknown) => void);
      this.#ws.send(`42${id}${JSON.stringify([event, payload])}`);
    } else {
      this.#ws.send(`42${JSON.stringify([event, payload])}`);
    }
  }

  /** Emits and resolves with the ack's fields, or rejects with its error (or after `timeoutMs`, when given). */
  request<E extends ClientEventName>(
    event: E,
    payload: ClientPayload<E>,
    timeoutMs?: number,
  ): Promise<AckOk<ClientEventResults[E]>> {
    return new Promise((resolve, reject) => {
      const timer =
        timeoutMs === undefined ? undefined : setTimeout(() => reject(new Error(`${event}: timeout`)), timeoutMs);
      this.emit(event, payload, (res) => {
        clearTimeout(timer);
        if (res.ok) resolve(res);
        else reject(new Error(`${event}: ${JSON.stringify(res.error)}`));
      });
    });
  }

  close(): void {
    this.connected = false;
    this.#ws?.close();
  }
}
