/**
 * Request/response between nodes over Redis pub/sub: each node listens on its
 * own channel, and answers come back on the asker's. Nothing here is a
 * protocol of its own: a message is one PUBLISH, a lost node is one that
 * PUBLISH reaches nobody on (0 receivers) or that does not answer in time.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { ConveneError, isErrorCode } from '../../lib/protocol';
import { randomId } from '../random-id';

/**
 * What an RPC says when it reached a node that no longer owns the room: ask
 * again. `unreachable`: nobody listens on that node's channel at all, so it is
 * dead (or cut off from Redis) and cannot serve the room, whatever its lease says.
 */
export class NotOwner extends Error {
  constructor(readonly unreachable = false) {
    super('not the owner');
  }
}

interface Request {
  t: 'req';
  id: string;
  from: string;
  code: string;
  op: string;
  /** Arguments by position: JSON drops `undefined` from objects but turns it into null in arrays. */
  args: Record<number, unknown>;
  n: number;
}

interface Response {
  t: 'res';
  id: string;
  ok: boolean;
  value?: unknown;
  error?: { code: string; message: string; notOwner?: boolean };
}

export type RpcServe = (code: string, op: string, args: unknown[]) => Promise<unknown>;

const channel = (nodeId: string) => `convene:rpc:${nodeId}`;

export class NodeRpc {
  readonly #pending = new Map<
    string,
    { resolve: (v: unknown) => void; reject: (e: unknown) => void; timer: NodeJS.Timeout }
  >();
  #serve: RpcServe | null = null;

  private constructor(
    readonly nodeId: string,
    private readonly pub: Redis,
    private readonly sub: Redis,
    private readonly timeoutMs: number,
    private readonly log: Logger,
  ) {}

  /** Subscribes this node's channel; `sub` becomes a subscriber connection for good. */
  static async start(nodeId: string, pub: Redis, sub: Redis, timeoutMs: number, log: Logger): Promise<NodeRpc> {
    const rpc = new NodeRpc(nodeId, pub, sub, timeoutMs, log);
    sub.on('messageBuffer', (ch: Buffer, message: Buffer) => {
      if (ch.toString() === channel(nodeId)) rpc.#onMessage(message.toString());
    });
    await sub.subscribe(channel(nodeId));
    return rpc;
  }

  serve(fn: RpcServe): void {
    this.#serve = fn;
  }

  /** Runs `op` on node `to`; rejects with NotOwner, a ConveneError, or UNAVAILABLE on timeout. */
  async call(to: string, code: string, op: string, args: unknown[]): Promise<unknown> {
    const id = randomId(12);
    const request: Request = { t: 'req', id, from: this.nodeId, code, op, args: { ...args }, n: args.length };
    const answer = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new ConveneError('UNAVAILABLE', "The meeting's server did not answer; try again in a moment"));
      }, this.timeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
    });
    // The answer can arrive (on the subscriber connection) before PUBLISH's own reply, while this
    // call still awaits it: a rejection then would have no handler yet and crash the process.
    // The caller still gets the rejection through the returned promise.
    answer.catch(() => undefined);
    const receivers = await this.pub.publish(channel(to), JSON.stringify(request)).catch((err: unknown) => {
      this.#settle(id, false, new ConveneError('UNAVAILABLE', 'The cluster is unreachable; try again in a moment'));
      this.log.warn({ err: (err as Error).message, to, op }, 'rpc publish failed');
      return -1;
    });
    // Nobody listens on a dead node's channel: that is a stale owner, not a slow one.
    if (receivers === 0) this.#settle(id, false, new NotOwner(true));
    return answer;
  }

  close(): void {
    for (const [id] of this.#pending)
      this.#settle(id, false, new ConveneError('UNAVAILABLE', 'This server is shutting down'));
  }

  #settle(id: string, ok: boolean, value: unknown): void {
    const p = this.#pending.get(id);
    if (!p) return;
    this.#pending.delete(id);
    clearTimeout(p.timer);
    if (ok) p.resolve(value);
    else p.reject(value);
  }

  #onMessage(raw: string): void {
    let msg: Request | Response;
    try {
      msg = JSON.parse(raw) as Request | Response;
    } catch {
      return;
    }
    if (msg.t === 'res') {
      const e = msg.error;
      if (msg.ok) this.#settle(msg.id, true, msg.value);
      else if (e?.notOwner) this.#settle(msg.id, false, new NotOwner());
      else
        this.#settle(
          msg.id,
          false,
          new ConveneError(isErrorCode(e?.code) ? e.code : 'INTERNAL', e?.message ?? 'Something went wrong'),
        );
      return;
    }
    void this.#answer(msg);
  }

  async #answer(req: Request): Promise<void> {
    let res: Response;
    try {
      if (!this.#serve) throw new NotOwner();
      const args = Array.from({ length: req.n }, (_, i) => req.args[i]);
      const value = await this.#serve(req.code, req.op, args);
      res = { t: 'res', id: req.id, ok: true, value };
    } catch (err) {
      if (err instanceof NotOwner)
        res = { t: 'res', id: req.id, ok: false, error: { code: '', message: '', notOwner: true } };
      else if (err instanceof ConveneError)
        res = { t: 'res', id: req.id, ok: false, error: { code: err.code, message: err.message } };
      else {
        this.log.error({ err, op: req.op, room: req.code }, 'rpc handler failed');
        res = {
          t: 'res',
          id: req.id,
          ok: false,
          error: { code: 'INTERNAL', message: 'Something went wrong on the server' },
        };
      }
    }
    await this.pub
      .publish(channel(req.from), JSON.stringify(res))
      .catch((err: unknown) => this.log.warn({ err: (err as Error).message }, 'rpc answer not sent'));
  }
}
