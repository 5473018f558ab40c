'use client';
/**
 * React glue for one meeting: the signaling connection, the room's state
 * (room-state.ts) and the MediaSession. Components stay presentational; this
 * hook is the only place in the UI that touches sockets.
 */
import { useCallback, useEffect, useMemo, useReducer, useRef, useState, useSyncExternalStore } from 'react';
import type { Ack, ClientEventName, ClientEventResults, ClientPayload, ErrorBody, ErrorCode } from '../protocol';
import { isModerator, type Role } from '../permissions';
import { MediaSession, layerForWidth, type MediaConstraintsConfig, type MediaSnapshot } from './media-session';
import { MeetingConnection, type ConnectionState } from './meeting-socket';
import { preloadDevice, type DevicePreload } from './device-preload';
import type { DeviceChoice } from './use-devices';
import { INITIAL_ROOM_STATE, roomReducer, type RoomState } from './room-state';
import { useNetworkQuality, type NetworkQualityView } from './use-network-quality';

export type MeetingPhase = 'prejoin' | 'joining' | 'waiting' | 'joined' | 'left' | 'removed' | 'ended' | 'refused';

export interface MeetingView extends RoomState {
  phase: MeetingPhase;
  error: ErrorBody | null;
  /** The reason a host gave when removing us. */
  removedReason: string | null;
  connection: ConnectionState;
  media: MediaSnapshot;
  /** Network quality per tile and whether my own connection is unstable (from getStats()). */
  network: NetworkQualityView;
}

export interface MeetingActions {
  /**
   * Join with the pre-join choices: the mic is sent muted when `mic` is false; the camera
   * is not captured at all when `camera` is false (no camera light) until turned on.
   */
  join: (displayName: string, setup?: { mic?: boolean; camera?: boolean; devices?: DeviceChoice }) => Promise<void>;
  /** Switch the mic or camera to another device (live tracks are replaced, mute state kept). */
  setDevices: (devices: DeviceChoice) => Promise<void>;
  leave: () => Promise<void>;
  /** Stop knocking and go back to the pre-join page. */
  cancelKnock: () => Promise<void>;
  toggleMic: () => Promise<void>;
  /** Hosts and co-hosts: load the ban list (later changes arrive as bans-updated). */
  refreshBans: () => Promise<void>;
  /** Answer a host's "please unmute": unmute (if still muted) or just dismiss the prompt. */
  answerUnmute: (unmute: boolean) => Promise<void>;
  toggleCamera: () => Promise<void>;
  shareScreen: () => Promise<void>;
  stopSharing: () => Promise<void>;
  /** Page in the chat messages older than `before` (the oldest one held). */
  loadEarlierMessages: (before: string | undefined) => Promise<void>;
  /** Any protocol request (host controls, chat, hands, reactions); a refusal also becomes a toast unless `quiet`. */
  send: <E extends ClientEventName>(
    event: E,
    payload: ClientPayload<E>,
    opts?: { quiet?: boolean },
  ) => Promise<Ack<ClientEventResults[E]>>;
  /** A remote video tile scrolled in or out of view. */
  setVideoVisible: (consumerId: string, visible: boolean) => void;
  /** A remote video tile changed size (CSS pixels). */
  setVideoWidth: (consumerId: string, width: number) => void;
}

/** join-room refusals that get their own page rather than a message on the pre-join form. */
const FINAL_REFUSALS: ReadonlySet<ErrorCode> = new Set(['BANNED', 'ROOM_LOCKED', 'DENIED', 'MEETING_ENDED']);
const TOAST_MS = 5_000;
/** The longest the meeting screen waits for the media session to set up receiving (see showMeeting). */
const RECEIVE_WAIT_MS = 250;
const REACTION_MS = 4_000;

const IDLE: MediaSnapshot = { status: 'idle', local: {}, remote: {}, notice: null };
const noop = () => () => {};

/** Follow a MediaSession's snapshots (or an idle one before joining). */
export function useMediaSnapshot(session: MediaSession | null): MediaSnapshot {
  return useSyncExternalStore(
    session?.subscribe ?? noop,
    () => session?.snapshot ?? IDLE,
    () => IDLE,
  );
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
    /**
     * Set by the join bench only (bench/join): 'legacy' joins the way Convene did
     * before issue 15 (socket opened on the click, router fetched after the join,
     * transports one after another), so both flows are measured in one run.
     */
    __CONVENE_JOIN_FLOW__?: 'legacy';
  }
}

/** First reconnect after 0.25–0.75 s, not Socket.IO's 0.5–1.5 s: when a node dies, its participants
 * come back through the front door as soon as the room has moved (issue 13: media back within 3 s). */
const openConnection = () => new MeetingConnection(undefined, { transports: ['websocket'], reconnectionDelay: 500 });

export function useMeeting(
  roomCode: string,
  options: { constraints?: MediaConstraintsConfig } = {},
): [MeetingView, MeetingActions] {
  const [phase, setPhase] = useState<MeetingPhase>('prejoin');
  const [state, dispatch] = useReducer(roomReducer, INITIAL_ROOM_STATE);
  const [error, setError] = useState<ErrorBody | null>(null);
  const [removedReason, setRemovedReason] = useState<string | null>(null);
  const [connection, setConnection] = useState<ConnectionState>('connecting');
  const [live, setLive] = useState<Live | null>(null);
  const liveRef = useRef<Live | null>(null);
  /** Opened on the pre-join so the click sends join-room at once (a socket in no meeting may only join or leave). */
  const warmRef = useRef<MeetingConnection | null>(null);
  /** The media device loaded on the pre-join through that connection (device-preload.ts). */
  const preloadRef = useRef<DevicePreload | null>(null);
  const constraints = useRef(options.constraints);
  const media = useMediaSnapshot(live?.media ?? null);
  const network = useNetworkQuality(phase === 'joined' ? (live?.media ?? null) : null);

  const teardown = useCallback(() => {
    const l = liveRef.current;
    liveRef.current = null;
    l?.media.close();
    l?.connection.close();
  }, []);
  useEffect(() => teardown, [teardown]);
  useEffect(() => {
    if (window.__CONVENE_JOIN_FLOW__ === 'legacy') return;
    const warm = openConnection();
    warmRef.current = warm;
    preloadRef.current = preloadDevice(warm);
    return () => {
      // Still unused (never joined with it): nobody else will close it.
      if (warmRef.current === warm) warm.close();
      warmRef.current = null;
    };
  }, []);

  // Toasts and reactions fade on their own.
  useEffect(() => {
    const timers = state.toasts.map((t) => setTimeout(() => dispatch({ type: 'expire-toast', id: t.id }), TOAST_MS));
    return () => timers.forEach(clearTimeout);
  }, [state.toasts]);
  useEffect(() => {
    const timers = state.reactions.map((r) =>
      setTimeout(() => dispatch({ type: 'expire-reaction', id: r.id }), REACTION_MS),
    );
    return () => timers.forEach(clearTimeout);
  }, [state.reactions]);

  const refuse = useCallback(
    (e: ErrorBody) => {
      teardown();
      setError(e);
      setPhase(FINAL_REFUSALS.has(e.code) ? 'refused' : 'prejoin');
    },
    [teardown],
  );

  const join = useCallback<MeetingActions['join']>(
    async (displayName, setup = {}) => {
      teardown();
      dispatch({ type: 'reset' });
      setPhase('joining');
      setError(null);
      // The pre-join's connection, once; a second join (after leaving) opens its own.
      const conn = warmRef.current ?? openConnection();
      // Its device too: loaded for this deployment's routers, it serves a second join as well.
      const preload = preloadRef.current;
      warmRef.current = null;
      // Created before join-room is sent so it hears room-joined and every producer after it.
      const legacy = window.__CONVENE_JOIN_FLOW__ === 'legacy';
      const session = new MediaSession(conn, {
        ...(constraints.current && { constraints: constraints.current }),
        legacyJoin: legacy,
        preload,
      });
      const l = { connection: conn, media: session };
      liveRef.current = l;
      setLive(l);
      if (window.__CONVENE_TEST__) window.__convene = l;
      const startMedia = async () => {
        await Promise.all([
          session.setDevice('mic', setup.devices?.micId ?? null),
          session.setDevice('camera', setup.devices?.cameraId ?? null),
        ]);
        await Promise.all([
          session.publishMic(undefined, { muted: setup.mic === false }),
          setup.camera !== false && session.publishCamera(),
        ]);
      };
      /**
       * The meeting screen's first render holds the main thread for ~100 ms on a slow machine,
       * and the media session's few SDP steps each need a turn of it before ICE can start: the
       * screen comes once the session set up what it receives (then with the shares in it), or
       * after RECEIVE_WAIT_MS at most. The flow from before issue 15 (bench only) shows it at once.
       */
      const showMeeting = async () => {
        if (!legacy) await Promise.race([session.received, new Promise((r) => setTimeout(r, RECEIVE_WAIT_MS))]);
        if (liveRef.current === l) setPhase('joined');
      };
      let entered = false;
      let selfId: string | null = null;
      let selfRole: Role | null = null;
      // Once per join: the ack and an admission's room-joined may both say we are in.
      const enter = async () => {
        if (entered || liveRef.current !== l) return;
        entered = true;
        void showMeeting();
        // The audience watches: it sends nothing until a host brings it on stage. The capture
        // starts once receiving is set up: a publish queues behind that anyway, and opening the
        // devices meanwhile takes turns of the main thread from the SDP steps.
        if (selfRole === 'audience') return;
        if (!legacy) await session.received;
        await startMedia();
      };
      const audienceHands = () =>
        void conn.request('get-audience', { hands: true, limit: 100 }).then((res) => {
          if (res.ok) dispatch({ type: 'audience-hands', members: res.members });
        });

      const s = conn.socket;
      s.on('room-joined', (d) => {
        selfId = d.self.participantId;
        selfRole = d.self.role;
        if (isModerator(d.self.role) && d.room.audience.mode !== 'off') audienceHands();
        dispatch({ type: 'joined', data: d });
        // An admission from the waiting room arrives here, without an ack (so no caller to reject to).
        enter().catch((err: unknown) => console.warn('[media]', err));
      });
      s.on('user-joined', (d) => dispatch({ type: 'user-joined', participant: d.participant }));
      s.on('user-left', (d) => dispatch({ type: 'user-left', ...d }));
      s.on('media-toggled', (d) => dispatch({ type: 'media', ...d }));
      s.on('role-changed', (d) => {
        dispatch({ type: 'role', ...d });
        if (d.participantId !== selfId) return;
        const was = selfRole;
        selfRole = d.role;
        // Brought on stage: the mic is ready, muted; the camera waits for its button.
        if (was === 'audience' && d.role !== 'audience')
          session.publishMic(undefined, { muted: true }).catch((err: unknown) => console.warn('[media]', err));
        if (isModerator(d.role)) audienceHands();
      });
      s.on('hand-raised', (d) => {
        dispatch({ type: 'hand', ...d });
        // Only hosts and co-hosts hear the audience's hands; the event carries no name, the page does.
        if (d.raisedAt !== null && selfRole && isModerator(selfRole)) audienceHands();
      });
      s.on('audience-updated', ({ count }) => dispatch({ type: 'audience-count', count }));
      s.on('new-message', (message) => dispatch({ type: 'message', message }));
      s.on('message-deleted', ({ messageId }) => dispatch({ type: 'message-deleted', messageId }));
      s.on('message-pinned', ({ message }) => dispatch({ type: 'pinned', message }));
      s.on('typing', (d) => dispatch({ type: 'typing', ...d }));
      s.on('room-updated', ({ room }) => dispatch({ type: 'room', room }));
      s.on('lobby-updated', ({ waiting }) => dispatch({ type: 'lobby', waiting }));
      s.on('knock-added', ({ entry }) => dispatch({ type: 'knock-added', entry }));
      s.on('knock-removed', ({ participantIds }) => dispatch({ type: 'knock-removed', participantIds }));
      s.on('lobby-status', (status) => dispatch({ type: 'lobby-position', ...status }));
      s.on('reaction', (d) => dispatch({ type: 'reaction', ...d }));
      s.on('you-were-muted', ({ kind }) =>
        dispatch({ type: 'toast', message: { key: kind === 'audio' ? 'mutedByHost' : 'cameraOffByHost' } }),
      );
      s.on('producer-paused', (p) => {
        if (p.by === 'host' && p.participantId === selfId) {
          dispatch({ type: 'toast', message: { key: p.source === 'mic' ? 'mutedByHost' : 'cameraOffByHost' } });
        }
      });
      s.on('unmute-requested', ({ by }) => dispatch({ type: 'unmute-requested', by }));
      s.on('active-speaker', ({ participantId }) => dispatch({ type: 'active-speaker', participantId }));
      s.on('spotlight-changed', ({ participantId }) => dispatch({ type: 'spotlight', participantId }));
      s.on('bans-updated', ({ bans }) => dispatch({ type: 'bans', bans }));
      s.on('recording-state', (state) => dispatch({ type: 'recording', state }));
      s.on('recording-error', ({ problem }) => dispatch({ type: 'recording-error', problem }));
      // A failed join, a denied knock, or a failed automatic rejoin after a blip (e.g. banned meanwhile).
      s.on('join-error', (e) => {
        // A refused resume the connection tries again (the meeting is moving to another node) is not the end.
        if (liveRef.current === l && !conn.resuming) refuse(e);
      });
      s.on('force-disconnect', ({ reason }) => {
        teardown();
        setRemovedReason(reason);
        setPhase('removed');
      });
      s.on('meeting-ended', () => {
        teardown();
        setPhase('ended');
      });
      conn.onStateChange(setConnection);
      // The pre-join's connection may be up already: its 'connected' came before we listened.
      setConnection(conn.state);

      const res = await conn.join(roomCode, displayName, session.joinRequest());
      // Torn down meanwhile (join-error, unmount, another join): nothing left to do.
      if (liveRef.current !== l) return;
      if (!res.ok) return refuse(res.error);
      if ('pending' in res) {
        dispatch({ type: 'lobby-position', position: res.position, noModerator: res.noModerator });
        return setPhase('waiting');
      }
      await enter();
    },
    [roomCode, teardown, refuse],
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
      async cancelKnock() {
        const l = liveRef.current;
        if (l) await l.connection.leave();
        teardown();
        setPhase('prejoin');
      },
      async setDevices(devices) {
        const m = current();
        if (!m) return;
        await m.setDevice('mic', devices.micId);
        await m.setDevice('camera', devices.cameraId);
      },
      async refreshBans() {
        const res = await liveRef.current?.connection.request('get-bans', {});
        if (res?.ok) dispatch({ type: 'bans', bans: res.bans });
      },
      async answerUnmute(unmute) {
        dispatch({ type: 'dismiss-unmute-request' });
        const m = current();
        if (!unmute || !m) return;
        if (!m.snapshot.local.mic) await m.publishMic();
        else if (m.snapshot.local.mic.paused) await m.setMuted('mic', false);
      },
      toggleMic: toggle('mic'),
      toggleCamera: toggle('camera'),
      async shareScreen() {
        await current()?.shareScreen();
      },
      async stopSharing() {
        await current()?.stopScreenShare();
      },
      async loadEarlierMessages(before) {
        const res = await liveRef.current?.connection.request('get-chat-history', before ? { before } : {});
        if (res?.ok) dispatch({ type: 'older-messages', messages: res.messages, hasMore: res.hasMore });
        // The oldest message we hold left the server's history (deleted, or aged out): nothing older to fetch.
        else if (res?.error.code === 'NOT_FOUND') dispatch({ type: 'older-messages', messages: [], hasMore: false });
        else if (res) dispatch({ type: 'toast', message: { key: 'error', error: res.error } });
      },
      async send(event, payload, opts) {
        const conn = liveRef.current?.connection;
        if (!conn) return { ok: false, error: { code: 'NOT_IN_ROOM', message: 'You are not in the meeting' } };
        const res = await conn.request(event, payload);
        if (!res.ok && !opts?.quiet) dispatch({ type: 'toast', message: { key: 'error', error: res.error } });
        return res;
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

  return [{ ...state, phase, error, removedReason, connection, media, network }, actions];
}
