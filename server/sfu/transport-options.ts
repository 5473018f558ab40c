import type { types as ms } from 'mediasoup';
import type { SfuConfig } from './config';
import type { TransportAppData } from './types';
import type { Placement } from './worker-pool';

/**
 * Options for a client's WebRtcTransport: UDP preferred with TCP as fallback
 * (networks that block UDP), on the worker's WebRtcServer when there is one,
 * otherwise on a port from the configured range.
 */
export function webRtcTransportOptions(
  placement: Placement,
  config: Pick<SfuConfig, 'listenIp' | 'announcedAddress' | 'rtcMinPort' | 'rtcMaxPort'>,
  appData: TransportAppData,
): ms.WebRtcTransportOptions<TransportAppData> {
  const common = {
    enableUdp: true,
    enableTcp: true,
    preferUdp: true,
    // Start simulcast at a useful rate instead of ramping up from the bottom layer.
    initialAvailableOutgoingBitrate: 1_000_000,
    appData,
  };
  if (placement.webRtcServer) return { ...common, webRtcServer: placement.webRtcServer };
  const listen = {
    ip: config.listenIp,
    ...(config.announcedAddress && { announcedAddress: config.announcedAddress }),
    portRange: { min: config.rtcMinPort, max: config.rtcMaxPort },
  };
  return {
    ...common,
    listenInfos: [
      { ...listen, protocol: 'udp' },
      { ...listen, protocol: 'tcp' },
    ],
  };
}
