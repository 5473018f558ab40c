/**
 * Runs in every bench page before the app (Playwright addInitScript), so it
 * must be self-contained. It
 *  - exposes window.__convene (the app's test hook) and low-resolution fake cameras, as the browser tests do;
 *  - replaces getDisplayMedia with a 640×360 canvas that paints the wall-clock
 *    time into its pixels 30 times a second (32 bits as black/white blocks,
 *    with an inverted copy below as a check);
 *  - notes when room-joined arrives on any WebSocket;
 *  - watches every <video> inside a screen stage with requestVideoFrameCallback:
 *    the first frame's time, and per frame the painted time read back from the
 *    pixels (glass-to-glass = expected display time − painted time).
 */
export interface BenchPageState {
  joinedAt: number | null;
  /** Signaling as this page saw it: [time, '>' sent | '<' received | '<ack', event name]. */
  signals: [number, string, string][];
  firstScreenFrameAt: number | null;
  /** Every click as the page saw it (capture phase, before any app handler): the start of what a user waits for. */
  clicks: number[];
  /** Page-side marks: getDisplayMedia called / resolved; the first screen <video> added, DTLS connection up, remote video unmuted. */
  marks: {
    displayMediaCalled?: number;
    displayMediaResolved?: number;
    screenVideoAdded?: number;
    pcConnected?: number;
    remoteVideoUnmuted?: number;
    /** The receive transport (a PeerConnection with only recvonly transceivers): ICE connected, DTLS connected. */
    recvIceConnected?: number;
    recvConnected?: number;
    /** The screen track's own first packets (its unmute), of the track the first screen frame came from. */
    screenTrackUnmuted?: number;
    /** The receive side's first SDP exchange: setRemoteDescription(offer) called, setLocalDescription(answer) called. */
    recvOfferApplying?: number;
    recvAnswerApplying?: number;
    /** When that setRemoteDescription resolved (a turn of the main thread after the WebRTC thread's work). */
    recvOfferApplied?: number;
  };
  /** Main-thread tasks over 50 ms (PerformanceObserver 'longtask'): [start, duration], epoch ms. */
  longTasks: [number, number][];
  glass: number[];
  undecodable: number;
}

declare global {
  interface Window {
    __bench: BenchPageState;
  }
}

export function benchPageInit(base: number): void {
  const BITS = 32;
  const W = 640;
  const H = 360;
  const BLOCK_W = W / BITS;
  const now = () => performance.timeOrigin + performance.now();
  const state: BenchPageState = {
    joinedAt: null,
    signals: [],
    firstScreenFrameAt: null,
    clicks: [],
    marks: {},
    longTasks: [],
    glass: [],
    undecodable: 0,
  };
  document.addEventListener('click', () => state.clicks.push(now()), true);
  window.__bench = state;
  window.__CONVENE_TEST__ = true;

  const md = navigator.mediaDevices;
  const gum = md.getUserMedia.bind(md);
  md.getUserMedia = (c) => gum(c?.video ? { ...c, video: { width: 320, height: 240, frameRate: 15 } } : c);
  const fakeScreen = (): MediaStream => {
    state.marks.displayMediaCalled = now();
    const canvas = document.createElement('canvas');
    canvas.width = W;
    canvas.height = H;
    const ctx = canvas.getContext('2d')!;
    const paint = () => {
      const t = Math.round(now() - base) >>> 0;
      ctx.fillStyle = '#808080';
      ctx.fillRect(0, 0, W, H);
      for (let i = 0; i < BITS; i++) {
        const bit = (t >>> (BITS - 1 - i)) & 1;
        ctx.fillStyle = bit ? '#ffffff' : '#000000';
        ctx.fillRect(i * BLOCK_W, 0, BLOCK_W, H / 3);
        ctx.fillStyle = bit ? '#000000' : '#ffffff';
        ctx.fillRect(i * BLOCK_W, H / 3, BLOCK_W, H / 3);
      }
    };
    paint();
    setInterval(paint, 1000 / 30);
    const stream = canvas.captureStream(30);
    state.marks.displayMediaResolved = now();
    return stream;
  };
  // Like the real API (and the async function this was): runs at the call, a throw becomes a rejection.
  md.getDisplayMedia = () => new Promise((resolve) => resolve(fakeScreen()));

  // Socket.IO packets: `42<ackId?>["event",...]` events, `43<ackId>[...]` acks.
  const NAMES =
    /^(?:media|new-producer|produce|consume|resume-consumer|create-transport|connect-transport|room-joined|join-room|get-router-capabilities|producer-resumed)$/;
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    readonly #acks = new Map<string, string>();
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('message', (e: MessageEvent) => {
        if (typeof e.data !== 'string') return;
        const t = now();
        if (state.joinedAt === null && e.data.startsWith('42["room-joined"')) state.joinedAt = t;
        const m = /^4([23])(\d*)\["?([a-z-]*)/.exec(e.data);
        if (!m) return;
        const name = m[1] === '3' ? this.#acks.get(m[2]!) : m[3];
        if (name && NAMES.test(name)) state.signals.push([t, m[1] === '3' ? '<ack' : '<', name]);
      });
    }
    override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
      if (typeof data === 'string') {
        const m = /^42(\d*)\["([a-z-]+)"/.exec(data);
        if (m) {
          if (m[1]) this.#acks.set(m[1], m[2]!);
          if (NAMES.test(m[2]!)) state.signals.push([now(), '>', m[2]!]);
        }
      }
      super.send(data);
    }
  };

  /** Remote video track id → its first unmute. */
  const unmutedAt = new Map<string, number>();
  // Transport and track milestones (first of each per page): when the DTLS
  // connection came up and when the first packets of a remote video arrived.
  const NativePC = window.RTCPeerConnection;
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries())
        state.longTasks.push([performance.timeOrigin + e.startTime, Math.round(e.duration)]);
    }).observe({ type: 'longtask' });
  } catch {
    // No long task timing in this browser: the list stays empty.
  }
  window.RTCPeerConnection = class extends NativePC {
    override setRemoteDescription(d: RTCSessionDescriptionInit): Promise<void> {
      if (d.type !== 'offer') return super.setRemoteDescription(d);
      state.marks.recvOfferApplying ??= now();
      return super.setRemoteDescription(d).then(() => void (state.marks.recvOfferApplied ??= now()));
    }
    override setLocalDescription(d?: RTCLocalSessionDescriptionInit): Promise<void> {
      if (d?.type === 'answer') state.marks.recvAnswerApplying ??= now();
      return super.setLocalDescription(d);
    }
    constructor(config?: RTCConfiguration) {
      super(config);
      const receiving = () => {
        const t = this.getTransceivers();
        return t.length > 0 && t.every((x) => x.direction === 'recvonly' || x.direction === 'inactive');
      };
      this.addEventListener('connectionstatechange', () => {
        if (this.connectionState !== 'connected') return;
        const t = now();
        state.marks.pcConnected ??= t;
        if (receiving()) state.marks.recvConnected ??= t;
      });
      this.addEventListener('iceconnectionstatechange', () => {
        if (this.iceConnectionState === 'connected' && receiving()) state.marks.recvIceConnected ??= now();
      });
      this.addEventListener('track', (e: RTCTrackEvent) => {
        if (e.track.kind !== 'video') return;
        const track = e.track;
        track.addEventListener('unmute', () => {
          const t = now();
          state.marks.remoteVideoUnmuted ??= t;
          unmutedAt.set(track.id, t);
        });
      });
    }
  };

  const reader = document.createElement('canvas');
  reader.width = W;
  reader.height = H;
  const rctx = reader.getContext('2d', { willReadFrequently: true })!;
  const decode = (video: HTMLVideoElement): number | null => {
    rctx.drawImage(video, 0, 0, W, H);
    const top = rctx.getImageData(0, 0, W, 1 + Math.floor(H / 6)).data;
    const mid = rctx.getImageData(0, Math.floor(H / 2), W, 1).data;
    let t = 0;
    for (let i = 0; i < BITS; i++) {
      const x = Math.floor(i * BLOCK_W + BLOCK_W / 2);
      const a = top[(Math.floor(H / 6) * W + x) * 4]!;
      const b = mid[x * 4]!;
      const bit = a > 128 ? 1 : 0;
      if ((b > 128 ? 1 : 0) === bit) return null; // the inverted copy disagrees: a blurred or partial frame
      t = t * 2 + bit;
    }
    return t;
  };
  const watch = (video: HTMLVideoElement) => {
    const onFrame = (_: number, meta: VideoFrameCallbackMetadata) => {
      const shown = performance.timeOrigin + meta.expectedDisplayTime;
      if (state.firstScreenFrameAt === null) {
        state.firstScreenFrameAt = now();
        const track = (video.srcObject as MediaStream | null)?.getVideoTracks()[0];
        const unmuted = track && unmutedAt.get(track.id);
        if (unmuted) state.marks.screenTrackUnmuted = unmuted;
      }
      const painted = decode(video);
      if (painted === null) state.undecodable++;
      else state.glass.push(shown - (base + painted));
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  };
  const seen = new WeakSet<HTMLVideoElement>();
  const scan = () => {
    for (const v of document.querySelectorAll<HTMLVideoElement>('[data-testid="screen-stage"] video')) {
      if (!seen.has(v)) {
        seen.add(v);
        state.marks.screenVideoAdded ??= now();
        watch(v);
      }
    }
  };
  new MutationObserver(scan).observe(document, { childList: true, subtree: true });
}
