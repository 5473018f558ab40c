/** Holding a server mid-request, to look at it while draining waits for that work. */
import type { ConveneServer } from '../../server/app';
import { emit, type Client } from './server';

/**
 * Holds the room's lock, then has `socket` (joined to `code` on `server`) send
 * a toggle the server has received but cannot finish: shutdown's drain then
 * waits for it, so the server stays up. `release()` lets it finish.
 */
export async function toggleHeldInFlight(server: ConveneServer, code: string, socket: Client) {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await new Promise<void>((entered) => {
    void server.store.withRoomLock(code, async () => {
      entered();
      await held;
    });
  });
  const serverSide = server.io.of('/').sockets.get(socket.id!)!;
  const received = new Promise((resolve) => serverSide.once('toggle-media', resolve));
  const toggled = emit(socket, 'toggle-media', { kind: 'audio', enabled: true });
  await received;
  return { release, toggled };
}
