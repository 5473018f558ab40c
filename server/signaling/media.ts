/**
 * Media signaling: each event is validated, acked, and answered by the room's
 * RoomMedia. Who may send what is decided here from the server's own records.
 */
import { ConveneError } from '../../lib/protocol';
import type { EventContext, EventHandlers } from './handler';
import { requireMembership } from './presence';
import type { types as ms } from 'mediasoup';

/** The member's room and its media; refused when not in a meeting or the server runs without an SFU. */
function member({ socket, deps }: EventContext) {
  const m = requireMembership(socket);
  const bridge = deps.media;
  if (!bridge) throw new ConveneError('MEDIA_UNAVAILABLE', 'Media is disabled on this server');
  return { ...m, media: bridge.for(m.roomCode), room: deps.rooms.get(m.roomCode) };
}

export const mediaHandlers = {
  'get-router-capabilities': {
    bucket: 'control',
    act: async (c) => {
      // On the pre-join (no meeting yet): every router's capabilities, so the client loads its
      // device while the person reads the page; no room's router is created for it.
      if (!c.socket.data.membership) {
        const bridge = c.deps.media;
        if (!bridge) throw new ConveneError('MEDIA_UNAVAILABLE', 'Media is disabled on this server');
        return { rtpCapabilities: await bridge.sfu.routerCapabilities(), iceServers: bridge.sfu.iceServers };
      }
      return member(c).media.capabilities();
    },
  },

  'create-transport': {
    bucket: 'control',
    act: async (c, { direction }) => {
      const { media, participantId, roomCode } = member(c);
      // Each participant with media holds SFU ports: one IP may hold only so many.
      await c.deps.limits.assertMediaSlot(c.socket.data.ip, roomCode, participantId);
      return media.createWebRtcTransport(participantId, direction);
    },
  },

  'connect-transport': {
    bucket: 'control',
    act: async (c, { transportId, dtlsParameters }) => {
      const { media, participantId } = member(c);
      await media.connectTransport(participantId, transportId, dtlsParameters as unknown as ms.DtlsParameters);
      return {};
    },
  },

  produce: {
    bucket: 'control',
    act: async (c, { transportId, kind, rtpParameters, appData }) => {
      const { media, participantId, room } = member(c);
      const policy = await room.publishPolicy(participantId, appData.source);
      const producerId = await media.produce(
        participantId,
        { transportId, kind, rtpParameters: rtpParameters as unknown as ms.RtpParameters, source: appData.source },
        policy,
      );
      return { producerId };
    },
  },

  consume: {
    bucket: 'control',
    act: async (c, { producerId, rtpCapabilities }) => {
      const { media, participantId } = member(c);
      return media.consume(participantId, producerId, rtpCapabilities);
    },
  },

  'resume-consumer': {
    bucket: 'control',
    act: async (c, { consumerId }) => {
      const { media, participantId } = member(c);
      await media.resumeConsumer(participantId, consumerId);
      return {};
    },
  },

  'pause-consumer': {
    bucket: 'control',
    act: async (c, { consumerId }) => {
      const { media, participantId } = member(c);
      await media.pauseConsumer(participantId, consumerId);
      return {};
    },
  },

  'set-consumer-layers': {
    bucket: 'control',
    act: async (c, { consumerId, spatialLayer, temporalLayer }) => {
      const { media, participantId } = member(c);
      await media.setConsumerLayers(
        participantId,
        consumerId,
        temporalLayer === undefined ? { spatialLayer } : { spatialLayer, temporalLayer },
      );
      return {};
    },
  },

  'pause-producer': {
    bucket: 'control',
    act: async (c, { producerId }) => {
      const { media, participantId } = member(c);
      await media.pauseProducer(participantId, producerId);
      return {};
    },
  },

  'resume-producer': {
    bucket: 'control',
    act: async (c, { producerId }) => {
      const { media, participantId, room } = member(c);
      const own = (await media.producers()).find(
        (p) => p.producerId === producerId && p.participantId === participantId,
      );
      // The room's permissions decide (canUnmute off keeps a host mute in place).
      if (own) await room.assertMayPublish(participantId, own.source);
      await media.resumeProducer(participantId, producerId);
      return {};
    },
  },

  'close-producer': {
    bucket: 'control',
    act: async (c, { producerId }) => {
      const { media, participantId } = member(c);
      await media.closeProducer(participantId, producerId);
      return {};
    },
  },

  'restart-ice': {
    bucket: 'control',
    act: async (c, { transportId }) => {
      const { media, participantId } = member(c);
      return { iceParameters: await media.restartIce(participantId, transportId) };
    },
  },
} satisfies EventHandlers;
