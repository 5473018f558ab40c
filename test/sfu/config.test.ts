import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadSfuConfig } from '../../server/sfu/config';

describe('loadSfuConfig', () => {
  it('defaults to a localhost-only SFU with one worker per CPU', () => {
    expect(loadSfuConfig({})).toEqual({
      numWorkers: os.cpus().length,
      logLevel: 'warn',
      listenIp: '127.0.0.1',
      rtcMinPort: 40000,
      rtcMaxPort: 49999,
      iceServers: [],
      maxScreenShares: 1,
      maxConsumersPerParticipant: 250,
      maxConsumersPerWorker: 600,
    });
  });

  it('treats empty variables as unset', () => {
    expect(loadSfuConfig({ MEDIASOUP_LISTEN_IP: '', ICE_SERVERS: ' ' }).listenIp).toBe('127.0.0.1');
  });

  it('parses every variable', () => {
    const config = loadSfuConfig({
      MEDIASOUP_NUM_WORKERS: '3',
      MEDIASOUP_LOG_LEVEL: 'debug',
      MEDIASOUP_LISTEN_IP: '0.0.0.0',
      MEDIASOUP_ANNOUNCED_ADDRESS: 'meet.example.org',
      MEDIASOUP_RTC_MIN_PORT: '41000',
      MEDIASOUP_RTC_MAX_PORT: '41999',
      MEDIASOUP_WEBRTC_SERVER_PORT: '44444',
      ICE_SERVERS: '[{"urls":"turn:turn.example.org:3478","username":"u","credential":"p"}]',
      MAX_SCREEN_SHARES: '2',
      MAX_CONSUMERS_PER_PARTICIPANT: '40',
      MEDIASOUP_MAX_CONSUMERS_PER_WORKER: '500',
    });
    expect(config).toEqual({
      numWorkers: 3,
      logLevel: 'debug',
      listenIp: '0.0.0.0',
      announcedAddress: 'meet.example.org',
      rtcMinPort: 41000,
      rtcMaxPort: 41999,
      webRtcServerPort: 44444,
      iceServers: [{ urls: 'turn:turn.example.org:3478', username: 'u', credential: 'p' }],
      maxScreenShares: 2,
      maxConsumersPerParticipant: 40,
      maxConsumersPerWorker: 500,
    });
  });

  it.each([
    [{ MEDIASOUP_LISTEN_IP: '0.0.0.0' }, 'MEDIASOUP_ANNOUNCED_ADDRESS'],
    [{ MEDIASOUP_RTC_MIN_PORT: '50000', MEDIASOUP_RTC_MAX_PORT: '40000' }, 'MEDIASOUP_RTC_MIN_PORT'],
    [{ ICE_SERVERS: 'stun:example.org' }, 'ICE_SERVERS'],
    [{ ICE_SERVERS: '[{"url":"stun:x"}]' }, 'ICE_SERVERS'],
    [{ MEDIASOUP_NUM_WORKERS: 'lots' }, 'MEDIASOUP_NUM_WORKERS'],
    [{ MEDIASOUP_LISTEN_IP: 'localhost' }, 'MEDIASOUP_LISTEN_IP'],
    [{ MEDIASOUP_WEBRTC_SERVER_PORT: '65535', MEDIASOUP_NUM_WORKERS: '2' }, 'MEDIASOUP_WEBRTC_SERVER_PORT'],
    [{ MAX_CONSUMERS_PER_PARTICIPANT: '0' }, 'MAX_CONSUMERS_PER_PARTICIPANT'],
    [{ MEDIASOUP_MAX_CONSUMERS_PER_WORKER: '0' }, 'MEDIASOUP_MAX_CONSUMERS_PER_WORKER'],
  ])('rejects %j naming %s', (env, name) => {
    expect(() => loadSfuConfig(env)).toThrow(name);
  });
});
