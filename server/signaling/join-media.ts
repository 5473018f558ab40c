/**
 * Media set up with the join (issue 15, `join-room.media`): the joiner's
 * transports and paused consumers of the producers already in the room,
 * created by the server while it answers the join, so the client starts ICE
 * and DTLS one or two round trips sooner. Each part is what `create-transport`
 * and `consume` would have answered, with the same checks; a part that fails
 * is left out, and the client asks for it the usual way (and hears why).
 */
import type { types as ms } from 'mediasoup';
import type { JoinedMedia, ProducerEvent } from '../../lib/protocol';
import { isAudience, type Role } from '../../lib/permissions';
import type { SignalingDeps } from './context';
import type { IoSocket } from './context';

type Handle = ReturnType<NonNullable<SignalingDeps['media']>['for']>;

export async function joinMedia(
  deps: SignalingDeps,
  socket: IoSocket,
  media: Handle,
  who: { roomCode: string; participantId: string; role: Role },
  producers: ProducerEvent[],
  rtpCapabilities: ms.RtpCapabilities | undefined,
): Promise<JoinedMedia | undefined> {
  const { roomCode, participantId } = who;
  const skipped = (what: string) => (err: unknown) => {
    deps.log.debug({ err, room: roomCode, participant: participantId, what }, 'join media: left to the client');
    return undefined;
  };
  try {
    // As create-transport: each participant with media holds SFU ports, one IP only so many.
    await deps.limits.assertMediaSlot(socket.data.ip, roomCode, participantId);
  } catch (err) {
    return skipped('media slot')(err);
  }
  // The audience only watches: no send transport until a host brings it on stage.
  const [recv, send] = await Promise.all([
    media.createWebRtcTransport(participantId, 'recv').catch(skipped('recv transport')),
    isAudience(who.role)
      ? undefined
      : media.createWebRtcTransport(participantId, 'send').catch(skipped('send transport')),
  ]);
  const consumers =
    recv && rtpCapabilities
      ? await Promise.all(
          producers
            .filter((p) => p.participantId !== participantId)
            .map((p) => media.consume(participantId, p.producerId, rtpCapabilities).catch(skipped('consumer'))),
        )
      : [];
  return {
    ...(recv && { recv }),
    ...(send && { send }),
    consumers: consumers.filter((c) => c !== undefined),
  };
}
