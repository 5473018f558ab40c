/**
 * The browser side of the SFU, one per joined meeting, framework-free: loads
 * a mediasoup-client Device for the room's router, creates the send and
 * receive transports on demand, publishes mic, camera (simulcast) and screen
 * as their own producers, consumes every other participant's producers, and
 * re-establishes all of it after an ICE failure, a media reset or a reconnect
 * that lost the server-side media. The UI reads `snapshot` and `subscribe`s.
 *
 * Every state change (server events and UI calls alike) runs on one serial
 * queue, so a `producer-closed` can never overtake the `consume` it refers
 * to, and a recovery never interleaves with a publish.
 */
import { Device, type types } from 'mediasoup-client';
import type {
  Ack,
  ClientEventName,
  ClientEventResults,
  ClientPayload,
  ConsumerInfo,
  MediaSourceName,
  ProducerEvent,
  RoomJoined,
  RouterInfo,
  ServerToClientEvents,
  TransportInfo,
} from '../protocol';
import type { MeetingConnection } from './meeting-socket';
import { sameCapabilities, type DevicePreload } from './device-preload';
import { addCounters, countersFrom, type LinkCounters } from './network-quality';
import {
  CAMERA_ENCODINGS,
  DEFAULT_CONSTRAINTS,
  MediaSessionError,
  deviceFailure,
  type DeviceFailure,
  SCREEN_ENCODINGS,
  type LocalMedia,
  type MediaConstraintsConfig,
  type MediaNotice,
  type MediaSnapshot,
  type MediaStatus,
  type RemoteMedia,
} from './media-types';

export * from './media-types';

type Direction = 'send' | 'recv';
type Local = { track: MediaStreamTrack; paused: boolean };
type Remote = Omit<RemoteMedia, 'track'> & { consumer: types.Consumer; layer: number | null };

export class MediaSession {
  readonly #conn: MeetingConnection;
  readonly #constraints: Required<MediaConstraintsConfig>;
  readonly #listeners = new Set<(s: MediaSnapshot) => void>();
  readonly #detach: Array<() => void> = [];
  #snapshot: MediaSnapshot = { status: 'idle', local: {}, remote: {}, notice: null };
  #status: MediaStatus = 'idle';
  #notice: MediaNotice | null = null;

  #device: Device | null = null;
  #iceServers: RTCIceServer[] = [];
  readonly #transports: Record<Direction, types.Transport | null> = { send: null, recv: null };
  /** What the user wants to send; survives recoveries (the tracks are re-produced). */
  readonly #local = new Map<MediaSourceName, Local>();
  readonly #producers = new Map<MediaSourceName, types.Producer>();
  readonly #remote = new Map<string, Remote>();
  #selfId: string | null = null;
  /** Bumped by every recovery and by close(): work begun under an older epoch is dropped. */
  #epoch = 0;
  #queue: Promise<unknown> = Promise.resolve();
  #loaded!: () => void;
  /** Resolves once the first device load finished (or failed), so publishes wait for it. */
  readonly #ready = new Promise<void>((resolve) => (this.#loaded = resolve));
  #markReceived!: () => void;
  /**
   * Settles once what the first room-joined listed is set up on this side (consumers created,
   * their resumes maybe still in flight), or could not be, or there was nothing: the page can
   * render the meeting then without holding back the SDP steps that receiving takes.
   */
  readonly received = new Promise<void>((resolve) => (this.#markReceived = resolve));
  /** The flow from before issue 15, kept for the join bench only: router fetched, transports one by one. */
  readonly #legacyJoin: boolean;
  /** The pre-join's device (device-preload.ts), used if room-joined names the same router capabilities. */
  readonly #preload: DevicePreload | null;

  constructor(
    connection: MeetingConnection,
    options: { constraints?: MediaConstraintsConfig; legacyJoin?: boolean; preload?: DevicePreload | null } = {},
  ) {
    this.#conn = connection;
    this.#constraints = { ...DEFAULT_CONSTRAINTS, ...options.constraints };
    this.#legacyJoin = options.legacyJoin ?? false;
    this.#preload = options.preload ?? null;
    // Listening from construction, before join-room is sent, so no event between
    // room-joined and the first producers can be missed.
    const on = <E extends keyof ServerToClientEvents>(event: E, fn: ServerToClientEvents[E]) => {
      connection.socket.on(event, fn as never);
      this.#detach.push(() => connection.socket.off(event, fn as never));
    };
    on('room-joined', (data: RoomJoined) => this.#later(() => this.#onJoined(data)));
    on('new-producer', (p: ProducerEvent) => this.#later(() => this.#consume(p)));
    on('producer-paused', (p: ProducerEvent) => this.#later(async () => this.#onProducerPaused(p, true)));
    on('producer-resumed', (p: ProducerEvent) => this.#later(async () => this.#onProducerPaused(p, false)));
    on('producer-closed', (p: ProducerEvent) => this.#later(async () => this.#onProducerClosed(p)));
    on('consumer-closed', ({ consumerId }: { consumerId: string }) =>
      this.#later(async () => this.#dropRemote(consumerId)),
    );
    on('media-reset', () => this.#later(() => this.#rebuild(null)));
    on('receive-reset', ({ producers }: { producers: ProducerEvent[] }) =>
      this.#later(() => this.#rebuildReceive(producers)),
    );
  }

  /**
   * What to ask of `join-room.media`: the transports, and with a device already loaded the
   * consumers too, created with the join (undefined: the flow from before issue 15, for the bench).
   */
  joinRequest(): { rtpCapabilities?: Record<string, unknown> } | undefined {
    if (this.#legacyJoin) return undefined;
    const device = this.#preload?.current?.device;
    return device ? { rtpCapabilities: device.rtpCapabilities as unknown as Record<string, unknown> } : {};
  }

  // ---- Reading ----

  get snapshot(): MediaSnapshot {
    return this.#snapshot;
  }

  /** Called with each new snapshot; returns the unsubscribe function. */
  subscribe = (listener: (s: MediaSnapshot) => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /** The RTCPeerConnection stats of one transport (diagnostics and browser tests). */
  async transportStats(direction: Direction): Promise<RTCStatsReport | null> {
    const t = this.#transports[direction];
    return t && !t.closed ? t.getStats() : null;
  }

  /**
   * Cumulative network counters now (network-quality.ts turns two of these
   * into levels): my own link from the send transport (what the SFU reports it
   * lost, the ICE round trip), and each remote participant's from the streams
   * I receive from them (their loss as it reaches me, my receive round trip).
   */
  async networkCounters(): Promise<{ self: LinkCounters | null; remote: Record<string, LinkCounters> }> {
    const send = this.#transports.send;
    const recv = this.#transports.recv;
    const [sendReport, recvReport] = await Promise.all([
      send && !send.closed ? send.getStats() : null,
      recv && !recv.closed ? recv.getStats() : null,
    ]);
    const self = sendReport ? countersFrom(sendReport.values() as Iterable<never>, 'send') : null;
    const rttMs = recvReport ? countersFrom(recvReport.values() as Iterable<never>, 'recv').rttMs : null;
    const remote: Record<string, LinkCounters> = {};
    const live = [...this.#remote.values()].filter((r) => !r.consumer.closed);
    const reports = await Promise.all(live.map((r) => r.consumer.getStats().catch(() => null)));
    live.forEach((r, i) => {
      const report = reports[i];
      if (!report) return;
      const c = countersFrom(report.values() as Iterable<never>, 'recv');
      remote[r.participantId] = addCounters(remote[r.participantId], { ...c, rttMs });
    });
    return { self, remote };
  }

  // ---- Publishing ----

  /**
   * Start sending the microphone (or the given track). Resolves false if refused; the reason is in `snapshot.notice`.
   * `muted` produces it paused (the pre-join toggle was off). Publishing again replaces the track (a device switch).
   */
  async publishMic(track?: MediaStreamTrack, options: { muted?: boolean } = {}): Promise<boolean> {
    const t =
      track ??
      (
        await this.#capture('mic', () => navigator.mediaDevices.getUserMedia({ audio: this.#constraints.mic }))
      )?.getAudioTracks()[0];
    return t ? this.#publish('mic', t, options.muted) : false;
  }

  /** Start sending the camera with three simulcast layers. */
  async publishCamera(track?: MediaStreamTrack, options: { muted?: boolean } = {}): Promise<boolean> {
    const t =
      track ??
      (
        await this.#capture('camera', () => navigator.mediaDevices.getUserMedia({ video: this.#constraints.camera }))
      )?.getVideoTracks()[0];
    return t ? this.#publish('camera', t, options.muted) : false;
  }

  /**
   * Use this device for the mic or camera from now on (null = the browser's default).
   * If the source is being sent, its track is replaced at once, keeping its mute state.
   */
  async setDevice(source: 'mic' | 'camera', deviceId: string | null): Promise<boolean> {
    const { deviceId: _old, ...rest } = this.#constraints[source];
    this.#constraints[source] = deviceId ? { ...rest, deviceId: { exact: deviceId } } : rest;
    const current = this.#local.get(source);
    if (!current) return true;
    const muted = current.paused;
    return source === 'mic' ? this.publishMic(undefined, { muted }) : this.publishCamera(undefined, { muted });
  }

  /** Ask for a screen and share it (with its audio when `audio` and the browser offers it). */
  async shareScreen(options: { audio?: boolean } = {}): Promise<boolean> {
    const stream = await this.#capture('screen', () =>
      navigator.mediaDevices.getDisplayMedia({ video: this.#constraints.screen, audio: options.audio ?? false }),
    );
    const video = stream?.getVideoTracks()[0];
    if (!stream || !video) return false;
    video.contentHint = 'detail';
    const ok = await this.#publish('screen', video);
    const audio = stream.getAudioTracks()[0];
    if (audio) {
      if (ok) await this.#publish('screen-audio', audio);
      else audio.stop();
    }
    return ok;
  }

  /** Stop sharing the screen (and its audio): the producers close at the SFU. */
  stopScreenShare(): Promise<void> {
    return this.#enqueue(async () => {
      await this.#unpublish('screen-audio');
      await this.#unpublish('screen');
    });
  }

  /** Stop sending a source altogether (its track is stopped). */
  unpublish(source: MediaSourceName): Promise<void> {
    return this.#enqueue(() => this.#unpublish(source));
  }

  /**
   * Mute = pause the producer at the SFU, unmute = resume it. An unmute the
   * server refuses (a host's lock, FORBIDDEN) leaves it muted, reports a
   * notice and resolves false.
   */
  setMuted(source: MediaSourceName, muted: boolean): Promise<boolean> {
    return this.#enqueue(async () => {
      const local = this.#local.get(source);
      if (!local) return false;
      const producer = this.#producers.get(source);
      if (muted) {
        local.paused = true;
        producer?.pause();
        if (producer) await this.#request('pause-producer', { producerId: producer.id });
      } else {
        if (producer) {
          const res = await this.#request('resume-producer', { producerId: producer.id });
          if (!res.ok) return this.#report(MediaSessionError.from(res.error), source);
          producer.resume();
        }
        local.paused = false;
      }
      this.#emit();
      return true;
    });
  }

  // ---- Receiving ----

  /** Hidden video is paused at the SFU, not just hidden: nothing is forwarded for it. */
  setVisible(consumerId: string, visible: boolean): Promise<void> {
    return this.#enqueue(async () => {
      const r = this.#remote.get(consumerId);
      if (!r || r.visible === visible) return;
      r.visible = visible;
      if (visible) {
        await this.#request('resume-consumer', { consumerId });
        r.consumer.resume();
      } else {
        r.consumer.pause();
        await this.#request('pause-consumer', { consumerId });
      }
      this.#emit();
    });
  }

  /** Ask the SFU for the simulcast layer that fits the tile (0 = smallest). */
  preferLayer(consumerId: string, spatialLayer: number): Promise<void> {
    return this.#enqueue(async () => {
      const r = this.#remote.get(consumerId);
      if (!r || r.kind !== 'video' || r.layer === spatialLayer || r.consumer.rtpParameters.encodings?.length === 1)
        return;
      r.layer = spatialLayer;
      await this.#request('set-consumer-layers', { consumerId, spatialLayer });
    });
  }

  /** Close everything: transports, local tracks, listeners. Idempotent. */
  close(): void {
    if (this.#status === 'closed') return;
    this.#epoch++;
    for (const off of this.#detach.splice(0)) off();
    this.#closeTransports();
    for (const { track } of this.#local.values()) track.stop();
    this.#local.clear();
    this.#loaded();
    this.#setStatus('closed');
    this.#listeners.clear();
  }

  // ---- Joining and recovery ----

  async #onJoined(data: RoomJoined): Promise<void> {
    const first = this.#selfId === null;
    const sameParticipant = data.self.participantId === this.#selfId;
    this.#selfId = data.self.participantId;
    if (first) {
      try {
        return await this.#firstJoin(data);
      } finally {
        this.#loaded();
        this.#markReceived();
      }
    }
    if (!data.producers) return this.#setStatus('unavailable');
    // A reconnect. Within the grace period the server kept our transports and
    // producers; if it did not (new participant, or our producers are gone), start over.
    // With nothing flowing, starting over costs nothing and rules out a transport the
    // server dropped meanwhile (a media reset we did not hear about).
    const live = new Set(data.producers.map((p) => p.producerId));
    const lost = [...this.#producers.values()].some((p) => !live.has(p.id));
    const idle = this.#producers.size === 0 && this.#remote.size === 0;
    if (!data.resumed || !sameParticipant || lost || idle || !this.#device) return this.#rebuild(data.producers);
    for (const r of [...this.#remote.values()]) if (!live.has(r.producerId)) this.#dropRemote(r.consumerId);
    const missing: ProducerEvent[] = [];
    for (const p of data.producers) {
      const r = [...this.#remote.values()].find((x) => x.producerId === p.producerId);
      if (r) r.producerPaused = Boolean(p.paused);
      else missing.push(p);
    }
    await this.#consumeAll(missing);
    this.#emit();
  }

  async #firstJoin(data: RoomJoined): Promise<void> {
    if (!data.producers) return this.#setStatus('unavailable');
    try {
      await this.#load(this.#legacyJoin ? undefined : data.router);
    } catch (err) {
      this.#report(err, undefined);
      return;
    } finally {
      this.#loaded();
    }
    if (this.#legacyJoin) return this.#consumeAll(data.producers);
    // What the server set up with the join; consumers made for another device's capabilities
    // (the preloaded one was not taken) would not fit this one, so they are asked for again.
    const media = data.media;
    if (media?.recv) this.#adopt('recv', media.recv);
    const prepared = this.#device === this.#preload?.current?.device ? (media?.consumers ?? []) : [];
    const receiving = this.#consumeAll(data.producers, prepared, this.#markReceived);
    // The send transport too (it would otherwise wait for the first publish), once the receive
    // side's SDP is under way: its PeerConnection is not needed before a publish, which queues
    // behind this. The audience sends nothing, so it opens no send transport.
    const send = media?.send;
    const sending =
      data.self.role === 'audience'
        ? null
        : this.received
            .then(() => {
              if (this.#status === 'closed') return;
              return send ? this.#adopt('send', send) : this.#transport('send');
            })
            .catch((err: unknown) => this.#report(err, undefined));
    await Promise.all([sending, receiving]);
  }

  /** Loads the device for the router: the one room-joined carried, else asked for (a media reset changes it). */
  async #load(router?: RouterInfo): Promise<void> {
    // The pre-join's device, once: a recovery loads afresh (the router may have changed).
    const pre = this.#device === null && router ? this.#preload?.current : null;
    if (pre && sameCapabilities(pre.routerRtpCapabilities, router!.rtpCapabilities)) {
      // Ready at once, without a 'connecting' snapshot (each one re-renders the page).
      this.#device = pre.device;
      this.#iceServers = router!.iceServers as RTCIceServer[];
      return this.#setStatus('ready');
    }
    this.#setStatus('connecting');
    const res = router ? { ok: true as const, ...router } : await this.#request('get-router-capabilities', {});
    if (!res.ok) {
      this.#setStatus('unavailable');
      throw MediaSessionError.from(res.error);
    }
    const device = await Device.factory();
    await device.load({ routerRtpCapabilities: res.rtpCapabilities as types.RtpCapabilities });
    this.#device = device;
    this.#iceServers = res.iceServers as RTCIceServer[];
    this.#setStatus('ready');
  }

  /**
   * Start media over from scratch: the server's side is gone (media reset) or
   * unusable. Local tracks are kept and re-produced with their mute state;
   * `producers` (when known) are consumed again, otherwise new-producer events follow.
   */
  async #rebuild(producers: ProducerEvent[] | null): Promise<void> {
    if (this.#status === 'closed') return;
    this.#epoch++;
    this.#closeTransports();
    this.#setStatus('recovering');
    try {
      await this.#load();
    } catch (err) {
      this.#report(err, undefined);
      return;
    }
    for (const [source, local] of [...this.#local]) {
      if (local.track.readyState === 'ended') this.#local.delete(source);
      else await this.#produce(source, local).catch((err: unknown) => this.#failPublish(source, err));
    }
    await this.#consumeAll(producers ?? []);
    this.#emit();
  }

  /**
   * Only the server's receive side is gone (the SFU worker carrying it died):
   * drop the receive transport and its consumers, keep sending, and consume
   * `producers` again on a new receive transport.
   */
  async #rebuildReceive(producers: ProducerEvent[]): Promise<void> {
    if (this.#status === 'closed' || !this.#device) return;
    this.#transports.recv?.close();
    this.#transports.recv = null;
    this.#remote.clear();
    this.#emit();
    await this.#consumeAll(producers);
    this.#emit();
  }

  #closeTransports(): void {
    for (const d of ['send', 'recv'] as const) {
      // Closing a transport closes its producers (tracks kept: stopTracks is off) and consumers.
      this.#transports[d]?.close();
      this.#transports[d] = null;
    }
    this.#producers.clear();
    this.#remote.clear();
  }

  async #transport(direction: Direction): Promise<types.Transport> {
    const existing = this.#transports[direction];
    if (existing && !existing.closed) return existing;
    const device = this.#device;
    if (!device) throw new MediaSessionError('MEDIA_UNAVAILABLE', 'Media is not ready');
    const res = await this.#request('create-transport', { direction });
    if (!res.ok) throw MediaSessionError.from(res.error);
    return this.#adopt(direction, res);
  }

  /** A local transport for the server's one (from create-transport, or made with the join). */
  #adopt(direction: Direction, info: TransportInfo): types.Transport {
    const device = this.#device;
    if (!device) throw new MediaSessionError('MEDIA_UNAVAILABLE', 'Media is not ready');
    const options = {
      id: info.id,
      iceParameters: info.iceParameters as types.IceParameters,
      iceCandidates: info.iceCandidates as types.IceCandidate[],
      dtlsParameters: info.dtlsParameters as types.DtlsParameters,
      iceServers: this.#iceServers,
    };
    const t = direction === 'send' ? device.createSendTransport(options) : device.createRecvTransport(options);
    this.#wire(t);
    this.#transports[direction] = t;
    return t;
  }

  #wire(t: types.Transport): void {
    t.on('connect', ({ dtlsParameters }, done, fail) => {
      if (this.#legacyJoin) {
        // The flow before issue 15 (bench only) waited for the ack.
        const connected = this.#request('connect-transport', { transportId: t.id, dtlsParameters });
        return void connected.then((res) => (res.ok ? done() : fail(MediaSessionError.from(res.error))), fail);
      }
      // Not awaited: mediasoup-client holds ICE (its setLocalDescription) until done(), and the
      // request is on its way long before ICE and then DTLS can reach the SFU, which takes DTLS
      // only once connected (a DTLS packet before that is dropped, and retransmitted). The server
      // no longer knowing the transport (NOT_FOUND) means it will never connect: media starts over,
      // as after a failed ICE restart.
      const epoch = this.#epoch;
      done();
      void this.#request('connect-transport', { transportId: t.id, dtlsParameters }).then((res) => {
        if (res.ok || epoch !== this.#epoch || t.closed) return;
        this.#report(MediaSessionError.from(res.error), undefined);
        if (res.error.code === 'NOT_FOUND') void this.#enqueue(() => this.#rebuild(this.#consumedProducers()));
      });
    });
    t.on('produce', ({ kind, rtpParameters, appData }, done, fail) => {
      const source = appData.source as MediaSourceName;
      this.#request('produce', { transportId: t.id, kind, rtpParameters, appData: { source } }).then(
        (res) => (res.ok ? done({ id: res.producerId }) : fail(MediaSessionError.from(res.error))),
        fail,
      );
    });
    let restarting = false;
    t.on('connectionstatechange', (state) => {
      if (state !== 'failed' || restarting) return;
      // ICE failed (network change, NAT timeout): new ICE credentials on the same transport.
      restarting = true;
      const epoch = this.#epoch;
      void this.#request('restart-ice', { transportId: t.id })
        .then(async (res) => {
          if (epoch !== this.#epoch || t.closed) return;
          if (res.ok) await t.restartIce({ iceParameters: res.iceParameters as types.IceParameters });
          // The server no longer knows this transport: only a full rebuild helps.
          else if (res.error.code === 'NOT_FOUND') void this.#enqueue(() => this.#rebuild(null));
        })
        .catch((err: unknown) => console.warn('[media] ICE restart failed', err))
        .finally(() => (restarting = false));
    });
  }

  // ---- Producers ----

  async #capture(source: MediaSourceName, get: () => Promise<MediaStream>): Promise<MediaStream | null> {
    try {
      return await get();
    } catch (err) {
      const e = new MediaSessionError('DEVICE_UNAVAILABLE', deviceMessage(source, err), { cause: err });
      this.#report(e, source, deviceFailure(err));
      return null;
    }
  }

  async #publish(source: MediaSourceName, track: MediaStreamTrack, muted = false): Promise<boolean> {
    await this.#ready;
    return this.#enqueue(async () => {
      if (this.#status === 'closed' || this.#status === 'unavailable') {
        track.stop();
        return false;
      }
      const previous = this.#local.get(source);
      if (previous && previous.track !== track) previous.track.stop();
      const local = { track, paused: muted };
      this.#local.set(source, local);
      try {
        await this.#produce(source, local);
        return true;
      } catch (err) {
        return this.#failPublish(source, err);
      }
    });
  }

  async #produce(source: MediaSourceName, local: Local): Promise<void> {
    const epoch = this.#epoch;
    const transport = await this.#transport('send');
    const producer = await transport.produce({
      track: local.track,
      // Tracks belong to the session, not the producer: a recovery re-produces the same track.
      stopTracks: false,
      appData: { source },
      ...(source === 'camera' && { encodings: CAMERA_ENCODINGS, codecOptions: { videoGoogleStartBitrate: 1000 } }),
      ...(source === 'screen' && { encodings: SCREEN_ENCODINGS, codecOptions: { videoGoogleStartBitrate: 1000 } }),
      ...(source === 'mic' && { codecOptions: { opusStereo: false, opusDtx: true, opusFec: true } }),
    });
    if (epoch !== this.#epoch || this.#local.get(source) !== local) {
      producer.close();
      return;
    }
    this.#producers.get(source)?.close();
    this.#producers.set(source, producer);
    // The browser ended the track (the user clicked "Stop sharing", unplugged the camera).
    producer.on('trackended', () => void this.unpublish(source));
    if (local.paused) {
      producer.pause();
      await this.#request('pause-producer', { producerId: producer.id });
    }
    this.#emit();
  }

  #failPublish(source: MediaSourceName, err: unknown): false {
    this.#local.get(source)?.track.stop();
    this.#local.delete(source);
    this.#producers.get(source)?.close();
    this.#producers.delete(source);
    return this.#report(err, source);
  }

  async #unpublish(source: MediaSourceName): Promise<void> {
    const producer = this.#producers.get(source);
    this.#producers.delete(source);
    this.#local.get(source)?.track.stop();
    this.#local.delete(source);
    if (producer) {
      producer.close();
      await this.#request('close-producer', { producerId: producer.id });
    }
    this.#emit();
  }

  #onProducerPaused(p: ProducerEvent, paused: boolean): void {
    if (p.participantId === this.#selfId) {
      // Ours, possibly paused by a host: follow the server, so the UI shows the truth.
      const producer = this.#producers.get(p.source);
      const local = this.#local.get(p.source);
      if (!producer || producer.id !== p.producerId || !local) return;
      local.paused = paused;
      if (paused) producer.pause();
    } else {
      for (const r of this.#remote.values()) if (r.producerId === p.producerId) r.producerPaused = paused;
    }
    this.#emit();
  }

  #onProducerClosed(p: ProducerEvent): void {
    if (p.participantId === this.#selfId) {
      // Ours, closed by a host (stop share); a stale id (replaced during recovery) is ignored.
      if (this.#producers.get(p.source)?.id !== p.producerId) return;
      this.#producers.get(p.source)?.close();
      this.#producers.delete(p.source);
      this.#local.get(p.source)?.track.stop();
      this.#local.delete(p.source);
      this.#emit();
      return;
    }
    for (const r of [...this.#remote.values()]) if (r.producerId === p.producerId) this.#dropRemote(r.consumerId);
  }

  // ---- Consumers ----

  /**
   * Consume several producers at once (joining a room in progress): the
   * requests go out together and mediasoup-client folds the consumers that
   * are pending at the same time into one SDP renegotiation, where one by one
   * each would pay a round trip and a renegotiation of its own.
   */
  async #consumeAll(
    producers: ProducerEvent[],
    prepared: ConsumerInfo[] = [],
    received: () => void = () => {},
  ): Promise<void> {
    const wanted = producers.filter((p) => p.participantId !== this.#selfId);
    if (wanted.length === 0 || !this.#device) return received();
    try {
      // Created once up front: concurrent #consume calls would each create one.
      await this.#transport('recv');
    } catch (err) {
      this.#report(err, undefined);
      return received();
    }
    let left = wanted.length;
    const one = () => --left === 0 && received();
    await Promise.all(
      wanted.map((p) =>
        this.#consume(
          p,
          prepared.find((c) => c.producerId === p.producerId),
          one,
        ),
      ),
    );
  }

  /**
   * Receive `p`: with the server's consumer made with the join (`prepared`), or one asked for now.
   * `received` is called once, when the consumer is set up here (or will not be), before its resume.
   */
  async #consume(p: ProducerEvent, prepared?: ConsumerInfo, received: () => void = () => {}): Promise<void> {
    let told = false;
    const tell = () => {
      if (!told) received();
      told = true;
    };
    try {
      if (p.participantId === this.#selfId || !this.#device || this.#status === 'closed') return;
      if ([...this.#remote.values()].some((r) => r.producerId === p.producerId)) return;
      const epoch = this.#epoch;
      const transport = await this.#transport('recv');
      const res = prepared
        ? { ok: true as const, ...prepared }
        : await this.#request('consume', { producerId: p.producerId, rtpCapabilities: this.#device.rtpCapabilities });
      // NOT_FOUND: the producer closed meanwhile; its producer-closed is queued behind us.
      if (!res.ok) {
        if (res.error.code !== 'NOT_FOUND') this.#report(MediaSessionError.from(res.error), p.source);
        return;
      }
      const info: ConsumerInfo = res;
      if (epoch !== this.#epoch) return;
      const consumer = await transport.consume({
        id: info.id,
        producerId: info.producerId,
        kind: info.kind,
        rtpParameters: info.rtpParameters as types.RtpParameters,
        appData: { source: info.source, participantId: info.participantId },
      });
      if (epoch !== this.#epoch) return void consumer.close();
      this.#remote.set(consumer.id, {
        consumerId: consumer.id,
        producerId: info.producerId,
        participantId: info.participantId,
        source: info.source,
        kind: info.kind,
        producerPaused: info.producerPaused,
        visible: true,
        consumer,
        layer: null,
      });
      // The tile can mount while the resume is in flight.
      this.#emit();
      tell();
      // Consumers start paused at the SFU so no keyframe is lost before we are ready.
      await this.#request('resume-consumer', { consumerId: consumer.id });
    } catch (err) {
      this.#report(err, p.source);
    } finally {
      tell();
    }
  }

  /** What we receive now, as producers to consume again after starting over. */
  #consumedProducers(): ProducerEvent[] {
    return [...this.#remote.values()].map((r) => ({
      participantId: r.participantId,
      producerId: r.producerId,
      source: r.source,
      paused: r.producerPaused,
    }));
  }

  #dropRemote(consumerId: string): void {
    const r = this.#remote.get(consumerId);
    if (!r) return;
    this.#remote.delete(consumerId);
    r.consumer.close();
    this.#emit();
  }

  // ---- Plumbing ----

  #request<E extends ClientEventName>(event: E, payload: ClientPayload<E>): Promise<Ack<ClientEventResults[E]>> {
    return this.#conn.request(event, payload);
  }

  #enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn);
    // One failed step must not stall the rest; callers still see their own rejection.
    this.#queue = run.catch((err: unknown) => console.warn('[media]', err));
    return run;
  }

  /** Queue work from an event listener, which has no caller to hand a rejection to: the queue logs it. */
  #later(fn: () => Promise<unknown>): void {
    void this.#enqueue(fn);
  }

  #report(err: unknown, source: MediaSourceName | undefined, failure?: DeviceFailure): false {
    const e =
      err instanceof MediaSessionError
        ? err
        : new MediaSessionError('INTERNAL', err instanceof Error ? err.message : String(err));
    this.#notice = {
      code: e.code,
      message: e.message,
      ...(source && { source }),
      ...(failure && { failure }),
      at: Date.now(),
    };
    this.#emit();
    return false;
  }

  #setStatus(status: MediaStatus): void {
    if (status === this.#status) return;
    this.#status = status;
    this.#emit();
  }

  #emit(): void {
    const local: Partial<Record<MediaSourceName, LocalMedia>> = {};
    for (const [source, l] of this.#local)
      local[source] = { source, track: l.track, paused: l.paused, producerId: this.#producers.get(source)?.id ?? null };
    const remote: Record<string, Partial<Record<MediaSourceName, RemoteMedia>>> = {};
    for (const r of this.#remote.values()) {
      const { consumer, layer: _layer, ...rest } = r;
      (remote[r.participantId] ??= {})[r.source] = { ...rest, track: consumer.track };
    }
    this.#snapshot = { status: this.#status, local, remote, notice: this.#notice };
    for (const fn of this.#listeners) fn(this.#snapshot);
  }
}

function deviceMessage(source: MediaSourceName, err: unknown): string {
  const what = source === 'mic' ? 'microphone' : source === 'camera' ? 'camera' : 'screen';
  const name = (err as { name?: string } | null)?.name;
  if (name === 'NotAllowedError') return `Permission to use the ${what} was denied`;
  if (name === 'NotFoundError') return `No ${what} was found`;
  if (name === 'NotReadableError') return `The ${what} is in use by another application`;
  return `Could not start the ${what}`;
}
