/**
 * Hands out rooms. `local(code)` is this node's Room object, which holds no
 * state of its own beyond the store; `get(code)` is a handle that runs each
 * call on the room's owner node: here in a single process, or wherever the
 * room's lease is with several nodes (server/cluster/placement.ts).
 */
import { methodsOf, remoteHandle, type Async } from '../cluster/handles';
import type { Placement } from '../cluster/placement';
import { RoomAudience } from './audience';
import { RoomChat } from './chat';
import { Room, type RoomDeps } from './Room';
import { WaitingRoom } from './waiting-room';

export type RoomHandle = Async<Room> & {
  readonly chat: Async<RoomChat>;
  readonly waitingRoom: Async<WaitingRoom>;
  readonly audience: Async<RoomAudience>;
};

/** What a remote node may ask of a room, by path ('' is Room itself). */
export const ROOM_OPS: Record<string, ReadonlySet<string>> = {
  '': methodsOf(Room.prototype),
  chat: methodsOf(RoomChat.prototype),
  waitingRoom: methodsOf(WaitingRoom.prototype),
  audience: methodsOf(RoomAudience.prototype),
};

export class RoomRegistry {
  readonly #rooms = new Map<string, Room>();
  #placement: Placement | null = null;

  constructor(private readonly deps: RoomDeps) {}

  /** With several nodes: room calls go to the room's owner. */
  route(placement: Placement): void {
    this.#placement = placement;
  }

  get(code: string): RoomHandle {
    const placement = this.#placement;
    if (!placement) return this.local(code);
    return remoteHandle<RoomHandle>((op, args) => placement.call(code, op, args), 'room', [
      'chat',
      'waitingRoom',
      'audience',
    ]);
  }

  /** This node's Room object for the code (only the owner acts on it). */
  local(code: string): Room {
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
