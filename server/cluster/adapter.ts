/**
 * Socket.IO's sharded Redis adapter, delivering to this node's own sockets
 * first. Its ClusterAdapter base publishes a broadcast and only then delivers
 * it here, once Redis has answered (it waits for an offset, which serves only
 * connection-state recovery; we do not use that). So an ack, written straight
 * to the socket, overtook the sender's own copy of what it broadcast (a chat
 * message's echo came after its ack), and local delivery waited on Redis,
 * also while Redis was away. Here the local delivery happens at once, in
 * emit order, and the publish for the other nodes goes out beside it.
 */
import { createShardedAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import { Adapter, MessageType, type BroadcastOptions, type ClusterAdapter } from 'socket.io-adapter';

type Publishing = ClusterAdapter & { publish(message: unknown): void };

export function localFirstShardedAdapter(pub: Redis, sub: Redis) {
  const make = createShardedAdapter(pub, sub, { subscriptionMode: 'dynamic' });
  // Socket.IO calls the factory with `new`: a function, not an arrow.
  return function adapterFor(nsp: unknown) {
    // publish() is protected in the typings; it is what ClusterAdapter's own broadcast calls.
    const adapter = make(nsp) as unknown as Publishing;
    adapter.broadcast = (packet: unknown, opts: BroadcastOptions) => {
      if (!opts.flags?.local) {
        // The message ClusterAdapter.broadcast publishes (its encodeOptions, inlined).
        const encoded = { rooms: [...opts.rooms], except: [...(opts.except ?? [])], flags: opts.flags };
        adapter.publish({ type: MessageType.BROADCAST, data: { packet, opts: encoded } });
      }
      Adapter.prototype.broadcast.call(adapter, packet, opts);
      return Promise.resolve();
    };
    return adapter;
  };
}
