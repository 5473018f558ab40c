/** Hands out the `Room` for a code. Rooms hold no state of their own beyond the store, so they are cheap. */
import { Room, type RoomDeps } from './Room';

export class RoomRegistry {
  readonly #rooms = new Map<string, Room>();

  constructor(private readonly deps: RoomDeps) {}

  get(code: string): Room {
    let room = this.#rooms.get(code);
    if (!room) {
      room = new Room(code, this.deps);
      this.#rooms.set(code, room);
    }
    return room;
  }

  /** Forget a room object once nobody on this process is in it. */
  release(code: string): void {
    this.#rooms.delete(code);
  }
}
