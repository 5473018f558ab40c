/**
 * start-recording and stop-recording: Room decides (host and co-host actions
 * in the one permission table) and holds the state; the room's media node
 * records. Everyone in the meeting, the audience too, hears `recording-state`.
 */
import { ConveneError, type RecordingStopReason } from '../../lib/protocol';
import { randomId } from '../random-id';
import { recordingState } from '../rooms/snapshots';
import type { LiveRecording } from '../store/types';
import { roomChannel, type SignalingDeps } from './context';
import type { EventContext, EventHandlers } from './handler';
import { requireMembership } from './presence';

function acting({ socket, deps }: EventContext) {
  const m = requireMembership(socket);
  return { roomCode: m.roomCode, actor: m.participantId, room: deps.rooms.get(m.roomCode) };
}

/**
 * A recording ended without a stop-recording (the meeting ended, the last
 * moderator left): everyone is told, and the recorder stops. Returns once it has.
 */
export async function recordingEnded(
  deps: SignalingDeps,
  code: string,
  recording: LiveRecording | null | undefined,
  reason: RecordingStopReason,
): Promise<void> {
  if (!recording) return;
  deps.io.to(roomChannel(code)).emit('recording-state', { ...recordingState(null), reason });
  deps.log.info({ room: code, recording: recording.id, reason }, 'recording stopped');
  await deps.media
    ?.for(code)
    .stopRecording()
    .catch((err: unknown) => deps.log.error({ err, room: code }, 'stopping the recorder failed'));
}

export const recordingHandlers = {
  'start-recording': {
    bucket: 'control',
    act: async (c) => {
      const { deps } = c;
      const { roomCode, actor, room } = acting(c);
      const { recording, started } = await room.startRecording(actor, randomId(12));
      if (started) {
        try {
          if (!deps.media) throw new Error('no SFU');
          await deps.media.for(roomCode).startRecording(recording);
        } catch (err) {
          // The recorder refused (no ffmpeg, no disk): nothing changed for anyone.
          await room.recordingFailed(recording.id);
          deps.log.error({ err, room: roomCode }, 'recording did not start');
          throw err instanceof ConveneError
            ? err
            : new ConveneError('MEDIA_UNAVAILABLE', 'Recording is not available on this server', { cause: err });
        }
        deps.io.to(roomChannel(roomCode)).emit('recording-state', recordingState(recording));
        deps.log.info({ room: roomCode, actor, action: 'start-recording', recording: recording.id }, 'host action');
      }
      return { recording: recordingState(recording) };
    },
  },

  'stop-recording': {
    bucket: 'control',
    act: async (c) => {
      const { roomCode, actor, room } = acting(c);
      const stopped = await room.stopRecording(actor);
      await recordingEnded(c.deps, roomCode, stopped, 'stopped');
      return { recording: recordingState(null) };
    },
  },
} satisfies EventHandlers;
