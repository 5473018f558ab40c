/**
 * The SFU's side of a late join, for the join suite's breakdown: watches every
 * mediasoup object the server creates (through mediasoup's own observer, so
 * the product is untouched) and notes, per participant, when their receive
 * transport was created and connected (ICE, DTLS), when their screen consumer
 * was created and resumed, when the SFU sent it its first keyframe; and, per
 * screen producer, each PLI sent to the presenter and each keyframe that came
 * in. Times are epoch ms (Date.now()), comparable with the pages' on one machine.
 */
import * as mediasoup from 'mediasoup';
import type { types as ms } from 'mediasoup';

type Marks = Partial<
  Record<
    | 'recvTransportCreated'
    | 'recvIceConnected'
    | 'recvDtlsConnected'
    | 'screenConsumerCreated'
    | 'screenConsumerResumed'
    | 'screenKeyframeSent'
    | 'screenPliFromJoiner',
    number
  >
>;

export interface SfuTrace {
  /** The participant whose screen consumer was created first at or after `since`, their marks, and the presenter's next PLI and keyframe. */
  joinAfter(since: number): { marks: Marks; pliAfter?: number; keyframeInAfter?: number } | null;
}

export function traceSfu(): SfuTrace {
  const byParticipant = new Map<string, Marks>();
  const screenConsumers: Array<{ at: number; participantId: string }> = [];
  const pliOut: number[] = [];
  const keyframesIn: number[] = [];
  const mark = (participantId: string, key: keyof Marks) => {
    const m = byParticipant.get(participantId) ?? {};
    m[key] ??= Date.now();
    byParticipant.set(participantId, m);
  };

  const onTransport = (t: ms.Transport) => {
    const { participantId, direction } = t.appData as { participantId?: string; direction?: string };
    if (!participantId) return;
    if (direction === 'recv' && t.type === 'webrtc') {
      // A new receive transport (a rejoin) starts its marks over.
      byParticipant.set(participantId, { recvTransportCreated: Date.now() });
      const w = t as ms.WebRtcTransport;
      w.on('icestatechange', (s) => {
        if (s === 'connected' || s === 'completed') mark(participantId, 'recvIceConnected');
      });
      w.on('dtlsstatechange', (s) => s === 'connected' && mark(participantId, 'recvDtlsConnected'));
    }
    t.observer.on('newproducer', (p) => {
      if ((p.appData as { source?: string }).source !== 'screen') return;
      void p.enableTraceEvent(['pli', 'fir', 'keyframe']);
      p.on('trace', (e) => {
        if (e.direction === 'out' && (e.type === 'pli' || e.type === 'fir')) pliOut.push(Date.now());
        if (e.direction === 'in' && e.type === 'keyframe') keyframesIn.push(Date.now());
      });
    });
    t.observer.on('newconsumer', (c) => {
      const { source, participantId: owner } = c.appData as { source?: string; participantId?: string };
      if (source !== 'screen' || !owner) return;
      mark(owner, 'screenConsumerCreated');
      screenConsumers.push({ at: Date.now(), participantId: owner });
      c.observer.on('resume', () => mark(owner, 'screenConsumerResumed'));
      void c.enableTraceEvent(['keyframe', 'pli', 'fir']);
      c.on('trace', (e) => {
        if (e.direction === 'out' && e.type === 'keyframe') mark(owner, 'screenKeyframeSent');
        if (e.direction === 'in' && (e.type === 'pli' || e.type === 'fir')) mark(owner, 'screenPliFromJoiner');
      });
    });
  };
  mediasoup.observer.on('newworker', (w) =>
    w.observer.on('newrouter', (r) => r.observer.on('newtransport', onTransport)),
  );

  return {
    joinAfter(since) {
      const c = screenConsumers.find((x) => x.at >= since);
      if (!c) return null;
      const marks = { ...byParticipant.get(c.participantId) };
      const pliAfter = pliOut.find((t) => t >= c.at);
      return { marks, pliAfter, keyframeInAfter: keyframesIn.find((t) => t >= (pliAfter ?? c.at)) };
    },
  };
}
