/**
 * The pre-join's head start on media (issue 15): while the person reads the
 * page, its connection asks for the routers' RTP capabilities and loads a
 * mediasoup-client Device with them (two throwaway RTCPeerConnections, tens of
 * ms on a slow machine). The join then sends the device's capabilities, so the
 * server can create the consumers with the join, and MediaSession takes this
 * device instead of loading one, if room-joined names the same capabilities.
 */
import { Device, type types } from 'mediasoup-client';
import type { MeetingConnection } from './meeting-socket';

export interface PreloadedDevice {
  device: Device;
  /** The router capabilities it was loaded with (compared with room-joined.router's). */
  routerRtpCapabilities: unknown;
}

export interface DevicePreload {
  /**
   * The device once loaded; null before, or when it could not be. Read when needed and never
   * awaited: a join that comes first goes on without it (the session loads its own).
   */
  readonly current: PreloadedDevice | null;
}

export function preloadDevice(conn: MeetingConnection): DevicePreload {
  let current: PreloadedDevice | null = null;
  void (async () => {
    if (!conn.socket.connected) await new Promise((resolve) => conn.socket.once('connect', () => resolve(null)));
    const res = await conn.request('get-router-capabilities', {});
    if (!res.ok) return null;
    const device = await Device.factory();
    await device.load({ routerRtpCapabilities: res.rtpCapabilities as types.RtpCapabilities });
    current = { device, routerRtpCapabilities: res.rtpCapabilities };
  })().catch((err: unknown) => console.warn('[media] device preload failed', err));
  return {
    get current() {
      return current;
    },
  };
}

/** Whether two routers' capabilities are the same (the server sends both from one mediasoup version and config). */
export function sameCapabilities(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
