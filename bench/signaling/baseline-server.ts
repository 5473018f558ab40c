/**
 * The signaling baseline: a bare Socket.IO server (the same version Convene
 * uses) doing the same work on the wire — join a room, emit room-joined and
 * ack with the member list, tell the room, fan out chat and media toggles,
 * announce leaves — with no validation, auth, rate limits or state of its own
 * (the member list comes from Socket.IO's own room sets).
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket } from 'socket.io';

type Ack = ((res: unknown) => void) | undefined;
interface Data {
  room: string | null;
  name: string;
}

export async function startBaselineServer(): Promise<{ port: number; close(): Promise<void> }> {
  const http = createServer();
  const io = new Server(http, { maxHttpBufferSize: 32 * 1024 });
  const ns = io.of('/');
  const lastAck = (args: unknown[]): Ack => {
    const a = args[args.length - 1];
    return typeof a === 'function' ? (a as Ack) : undefined;
  };

  io.on('connection', (socket: Socket) => {
    const data = socket.data as Data;
    data.room = null;
    data.name = '';

    socket.on('join-room', (payload: { roomCode: string; displayName: string }, ack: Ack) => {
      const room = payload.roomCode;
      data.room = room;
      data.name = payload.displayName;
      void socket.join(room);
      const participants = [...(ns.adapter.rooms.get(room) ?? [])].map((id) => ({
        participantId: id,
        displayName: (ns.sockets.get(id)?.data as Data | undefined)?.name ?? '',
      }));
      const joined = { roomCode: room, self: { participantId: socket.id, displayName: data.name }, participants };
      socket.emit('room-joined', joined);
      socket.to(room).emit('user-joined', { participant: { participantId: socket.id, displayName: data.name } });
      ack?.({ ...joined, ok: true });
    });

    socket.on('send-message', (payload: { text: string }, ack: Ack) => {
      if (!data.room) return;
      const message = {
        id: randomUUID(),
        from: { participantId: socket.id, displayName: data.name },
        text: payload.text,
        sentAt: Date.now(),
      };
      io.to(data.room).emit('new-message', message);
      ack?.({ id: message.id, ok: true });
    });

    socket.on('toggle-media', (payload: { kind: string; enabled: boolean }, ack: Ack) => {
      if (!data.room) return;
      io.to(data.room).emit('media-toggled', {
        participantId: socket.id,
        kind: payload.kind,
        enabled: payload.enabled,
      });
      ack?.({ ok: true });
    });

    socket.on('leave-room', (...args: unknown[]) => {
      const room = data.room;
      if (room) {
        data.room = null;
        void socket.leave(room);
        socket.to(room).emit('user-left', { participantId: socket.id, reason: 'left' });
      }
      lastAck(args)?.({ ok: true });
    });

    socket.on('disconnect', () => {
      if (data.room) io.to(data.room).emit('user-left', { participantId: socket.id, reason: 'disconnected' });
    });
  });

  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    port: (http.address() as AddressInfo).port,
    close: () => io.close().then(() => undefined),
  };
}
