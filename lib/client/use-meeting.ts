'use client';
/**
 * React glue for one meeting: the signaling connection, who is in the room,
 * and the MediaSession. Components stay presentational; this hook is the
 * only place in the UI that touches sockets.
 */
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import type { ErrorBody, ParticipantInfo, SelfInfo } from '../protocol';
import { MediaSession, layerForWidth, type MediaConstraintsConfig, type MediaSnapshot } from './media-session';
import { MeetingConnection, type ConnectionState } from './meeting-socket';
import { applyParticipantEvent } from './participants';

export type MeetingPhase = 'prejoin' | 'joining' | 'waiting' | 'joined' | 'left' | 'removed';

export interface MeetingView {
  phase: MeetingPhase;
  self: SelfInfo | null;
  participants: ParticipantInfo[];
  error: ErrorBody | null;
  connection: ConnectionState;
  media: MediaSnapshot;
}

export interface MeetingActions {
  join(displayName: string, publish?: { mic?: boolean; camera?: boolean }): Promise<void>;
  leave(): Promise<void>;
  toggleMic(): Promise<void>;
  toggleCamera(): Promise<void>;
  shareScreen(): Promise<void>;
  stopSharing(): Promise<void>;
  /** A remote video tile scrolled in or out of view. */
  setVideoVisible(consumerId: string, visible: boolean): void;
  /** A remote video tile changed size (CSS pixels). */
  setVideoWidth(consumerId: string, width: number): void;
}

const IDLE: MediaSnapshot = { status: 'idle', local: {}, remote: {}, notice: null };
const noop = () => () => {};

/** Follow a MediaSession's snapshots (or an idle one before joining). */
export function useMediaSnapshot(session: MediaSession | null): MediaSnapshot {
  return useSyncExternalStore(session?.subscribe ?? noop, () => session?.snapshot ?? IDLE, () => IDLE);
}

interface Live {
  connection: MeetingConnection;
  media: MediaSession;
}

declare global {
  interface Window {
    /** Set by browser tests (before the page loads) to get `__convene`. */
    __CONVENE_TEST__?: boolean;
    __convene?: Live;
  }
}

export function useMeeting(roomCode: string, options: { constraints?: MediaConstraintsConfig } = {}): [MeetingView, MeetingActions] {
  const [phase, setPhase] = useState<MeetingPhase>('prejoin');
  const [self, setSelf] = useState<SelfInfo | null>(null);
  const [participants, setParticipants] = useState<ParticipantInfo[]>([]);
  const [error, setError] = useState<ErrorBody | null>(null);
  const [connection, setConnection] = useState<ConnectionState>('connecting');
  const [live, setLive] = useState<Live | null>(null);
  const liveRef = useRef<Live | null>(null);
  const constraints = useRef(options.constraints);
  const media = useMediaSnapshot(live?.media ?? null);

  const teardown = useCallback(() => {
    const l = liveRef.current;
    liveRef.current = null;
    l?.media.close();
    l?.connection.close();
  }, []);
  useEffect(() => teardown, [teardown]);

  const join = useCallback<MeetingActions['join']>(
    async (displayName, publish = {}) => {
      teardown();
      setPhase('joining');
      setError(null);
      const conn = new MeetingConnection(undefined, { transports: ['websocket'] });
      // Created before join-room is sent so it hears room-joined and every producer after it.
      const session = new MediaSession(conn, { ...(constraints.current && { constraints: constraints.current }) });
      const l = { connection: conn, media: session };
      liveRef.current = l;
      setLive(l);
      if (window.__CONVENE_TEST__) window.__convene = l;

      const s = conn.socket;
      s.on('room-joined', (d) => {
        setSelf(d.self);
        setParticipants(d.participants);
      });
      s.on('user-joined', (d) => setParticipants((ps) => applyParticipantEvent(ps, { type: 'joined', participant: d.participant })));
      s.on('user-left', (d) => setParticipants((ps) => applyParticipantEvent(ps, { type: 'left', participantId: d.participantId })));
      s.on('media-toggled', (d) => setParticipants((ps) => applyParticipantEvent(ps, { type: 'media', ...d })));
      s.on('role-changed', (d) => setParticipants((ps) => applyParticipantEvent(ps, { type: 'role', ...d })));
      // A failed join, or a failed automatic rejoin after a blip (e.g. banned meanwhile).
      s.on('join-error', (e) => {
        if (liveRef.current !== l) return;
        teardown();
        setError(e);
        setPhase('prejoin');
      });
      s.on('force-disconnect', () => {
        teardown();
        setPhase('removed');
      });
      conn.onStateChange(setConnection);

      const res = await conn.join(roomCode, displayName);
      // Torn down meanwhile (join-error, unmount, another join): nothing left to do.
      if (liveRef.current !== l) return;
      if (!res.ok) {
        teardown();
        setError(res.error);
        setPhase('prejoin');
        return;
      }
      if ('pending' in res) return setPhase('waiting');
      setPhase('joined');
      await Promise.all([publish.mic !== false && session.publishMic(), publish.camera !== false && session.publishCamera()]);
    },
    [roomCode, teardown],
  );

  const actions = useMemo<MeetingActions>(() => {
    const current = () => liveRef.current?.media;
    const toggle = (source: 'mic' | 'camera') => async () => {
      const m = current();
      const local = m?.snapshot.local[source];
      if (!m) return;
      if (!local) await (source === 'mic' ? m.publishMic() : m.publishCamera());
      else await m.setMuted(source, !local.paused);
    };
    return {
      join,
      async leave() {
        const l = liveRef.current;
        if (l) await l.connection.leave();
        teardown();
        setPhase('left');
      },
      toggleMic: toggle('mic'),
      toggleCamera: toggle('camera'),
      async shareScreen() {
        await current()?.shareScreen();
      },
      async stopSharing() {
        await current()?.stopScreenShare();
      },
      setVideoVisible(consumerId, visible) {
        void current()?.setVisible(consumerId, visible);
      },
      setVideoWidth(consumerId, width) {
        // Device pixels, not CSS pixels: a small tile on a dense screen still wants detail.
        void current()?.preferLayer(consumerId, layerForWidth(width * (window.devicePixelRatio || 1)));
      },
    };
  }, [join, teardown]);

  return [{ phase, self, participants, error, connection, media }, actions];
}
