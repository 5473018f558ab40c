/**
 * Media signaling: each event is validated, acked, and answered by the room's
 * RoomMedia. Who may send what is decided here from the server's own records.
 */
import { ConveneError } from '../../lib/protocol';
import type { IoSocket, SignalingDeps } from './context';
import { handle } from './handler';
import { requireMembership } from './presence';
import type { MediaBridge } from './media-bridge';
import type { types as ms } from 'mediasoup';

export function registerMedia(socket: IoSocket, deps: SignalingDeps, bridge: MediaBridge | null): void {
  const member = async () => {
    const m = requireMembership(socket);
    if (!bridge) throw new ConveneError('MEDIA_UNAVAILABLE', 'Media is disabled on this server');
    return { ...m, media: await bridge.room(m.roomCode), room: deps.rooms.get(m.roomCode) };
  };

  handle(socket, deps, 'get-router-capabilities', { bucket: 'control' }, async () => {
    const { media } = await member();
    return { rtpCapabilities: media.rtpCapabilities, iceServers: bridge!.sfu.iceServers };
  });

  handle(socket, deps, 'create-transport', { bucket: 'control' }, async ({ direction }) => {
    const { media, participantId } = await member();
    return media.createWebRtcTransport(participantId, direction);
  });

  handle(socket, deps, 'connect-transport', { bucket: 'control' }, async ({ transportId, dtlsParameters }) => {
    const { media, participantId } = await member();
    await media.connectTransport(participantId, transportId, dtlsParameters as unknown as ms.DtlsParameters);
    return {};
  });

  handle(socket, deps, 'produce', { bucket: 'control' }, async ({ transportId, kind, rtpParameters, appData }) => {
    const { media, participantId, room } = await member();
    const policy = await room.publishPolicy(participantId, appData.source);
    const producerId = await media.produce(participantId, { transportId, kind, rtpParameters: rtpParameters as unknown as ms.RtpParameters, source: appData.source }, policy);
    return { producerId };
  });

  handle(socket, deps, 'consume', { bucket: 'control' }, async ({ producerId, rtpCapabilities }) => {
    const { media, participantId } = await member();
    return media.consume(participantId, producerId, rtpCapabilities as unknown as ms.RtpCapabilities);
  });

  handle(socket, deps, 'resume-consumer', { bucket: 'control' }, async ({ consumerId }) => {
    const { media, participantId } = await member();
    await media.resumeConsumer(participantId, consumerId);
    return {};
  });

  handle(socket, deps, 'pause-consumer', { bucket: 'control' }, async ({ consumerId }) => {
    const { media, participantId } = await member();
    await media.pauseConsumer(participantId, consumerId);
    return {};
  });

  handle(socket, deps, 'set-consumer-layers', { bucket: 'control' }, async ({ consumerId, spatialLayer, temporalLayer }) => {
    const { media, participantId } = await member();
    await media.setConsumerLayers(participantId, consumerId, temporalLayer === undefined ? { spatialLayer } : { spatialLayer, temporalLayer });
    return {};
  });

  handle(socket, deps, 'pause-producer', { bucket: 'control' }, async ({ producerId }) => {
    const { media, participantId } = await member();
    await media.pauseProducer(participantId, producerId);
    return {};
  });

  handle(socket, deps, 'resume-producer', { bucket: 'control' }, async ({ producerId }) => {
    const { media, participantId, room } = await member();
    const own = media.producers().find((p) => p.producerId === producerId && p.participantId === participantId);
    // Room permissions first (e.g. canUnmute off); the SFU then refuses a host-locked source.
    if (own) await room.assertMayPublish(participantId, own.source);
    await media.resumeProducer(participantId, producerId);
    return {};
  });

  handle(socket, deps, 'close-producer', { bucket: 'control' }, async ({ producerId }) => {
    const { media, participantId } = await member();
    await media.closeProducer(participantId, producerId);
    return {};
  });

  handle(socket, deps, 'restart-ice', { bucket: 'control' }, async ({ transportId }) => {
    const { media, participantId } = await member();
    return { iceParameters: await media.restartIce(participantId, transportId) };
  });
}
