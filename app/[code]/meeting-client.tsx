'use client';
import { useEffect, useState } from 'react';
import { useTranslations } from 'use-intl';
import { can } from '@/lib/permissions';
import type { LayoutMode } from '@/lib/client/layout';
import {
  loadDeviceChoice,
  saveDeviceChoice,
  useDeviceLists,
  useRoomSummary,
  type DeviceChoice,
} from '@/lib/client/use-devices';
import { useMeeting, type MeetingActions } from '@/lib/client/use-meeting';
import { useKnockSound } from '@/lib/client/use-knock-sound';
import { useMeetingShortcuts } from '@/lib/client/use-shortcuts';
import { useNarrow } from '@/lib/client/use-narrow';
import { AudiencePanel, WatchingBanner } from '@/components/meeting/AudiencePanel';
import { ChatPanel } from '@/components/meeting/ChatPanel';
import { ControlBar, type SidePanel } from '@/components/meeting/ControlBar';
import { ConfirmDialog, LeaveDialog, SettingsDialog, rememberOpener } from '@/components/meeting/Dialogs';
import { HostControls, hasHostControls } from '@/components/meeting/HostControls';
import { MeetingInfo } from '@/components/meeting/MeetingInfo';
import { MeetingRoom } from '@/components/meeting/MeetingRoom';
import { ParticipantList, type PersonCommand } from '@/components/meeting/ParticipantList';
import { PreJoin, type JoinSetup } from '@/components/meeting/PreJoin';
import { NoticeSettings } from '@/components/meeting/NoticeSettings';
import { RecordingControl, RecordingError, RecordingIndicator } from '@/components/meeting/Recording';
import { PhasePage, type OutsidePhase } from '@/components/meeting/PhasePage';
import type { RecordingProblem } from '@/lib/protocol';
import { CONFIRMED, confirmText, type Confirm } from '@/components/meeting/confirmations';
import { Announcer, Notices, Reactions, Toasts } from '@/components/meeting/Toasts';
import { MutedHint, UnmutePrompt } from '@/components/meeting/UnmutePrompt';
import { useMeetingNotices, useNoticePrefs } from '@/lib/client/use-notices';
import { useSpeakingWhileMuted } from '@/lib/client/use-muted-speech';
import type { TileActions } from '@/components/meeting/tile-actions';
import { UnstableBanner } from '@/components/meeting/UnstableBanner';

const NAME_KEY = 'convene:display-name';

/** The protocol request behind each entry of a person's menu. */
function runCommand(send: MeetingActions['send'], command: PersonCommand, participantId: string): void {
  switch (command) {
    case 'mute':
      return void send('mute-participant', { participantId, kind: 'audio' });
    case 'stop-video':
      return void send('mute-participant', { participantId, kind: 'video' });
    case 'stop-share':
      return void send('stop-screen-share', { participantId });
    case 'lower-hand':
      return void send('lower-hand', { participantId });
    case 'make-cohost':
      return void send('set-role', { participantId, role: 'cohost' });
    case 'remove-cohost':
      return void send('set-role', { participantId, role: 'participant' });
    case 'transfer-host':
      return void send('transfer-host', { participantId });
    case 'remove':
      return void send('kick-participant', { participantId });
    case 'ask-unmute':
      return void send('request-unmute', { participantId });
    case 'ban':
      return void send('kick-participant', { participantId, ban: true });
    case 'demote':
      return void send('demote', { participantId });
  }
}

/**
 * The page's one client boundary: pre-join, the room, and the pages after it.
 * `defaultName` (e.g. the signed-in name) wins over the last name used here.
 */
export function MeetingClient({ roomCode, defaultName }: { roomCode: string; defaultName?: string }) {
  const [view, actions] = useMeeting(roomCode);
  const tPanels = useTranslations('panels');
  const tConfirm = useTranslations('confirm');
  const tPrejoin = useTranslations('prejoin');
  const tErrors = useTranslations('errors');
  const someone = useTranslations('common')('someone');
  const summary = useRoomSummary(roomCode);
  const [rememberedName, setRememberedName] = useState('');
  const [setup, setSetup] = useState<JoinSetup>({
    mic: true,
    camera: true,
    devices: { micId: null, cameraId: null, speakerId: null },
  });
  const [layout, setLayout] = useState<LayoutMode>('grid');
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [confirm, setConfirm] = useState<Confirm | null>(null);
  const deviceLists = useDeviceLists(settingsOpen);
  const [panel, setPanel] = useState<SidePanel | null>(null);
  /** When the newest message read was sent: deletions and pages of older messages leave it meaningful. */
  const [seenChat, setSeenChat] = useState(0);
  const [copied, setCopied] = useState(false);
  /** The host's Leave dialog, and who would take over (undefined while asking the server). */
  const [leaving, setLeaving] = useState(false);
  const [successor, setSuccessor] = useState<string | null | undefined>(undefined);
  const [noticePrefs, setNoticePrefs] = useNoticePrefs();
  /** Pinned for me only: nobody else sees it, the server never hears of it. */
  const [pinnedId, setPinnedId] = useState<string | null>(null);
  /** Where focus returns when a confirmation closes. */
  const [opener, setOpener] = useState<HTMLElement | null>(null);
  const [seenRecordingError, setSeenRecordingError] = useState<RecordingProblem | null>(null);
  const narrow = useNarrow();
  useEffect(() => {
    setRememberedName(localStorage.getItem(NAME_KEY) ?? '');
    setSetup((s) => ({ ...s, devices: loadDeviceChoice() }));
  }, []);
  const joined = view.phase === 'joined';
  const moderatorRole = view.self?.role ?? 'participant';
  const { refreshBans } = actions;
  useEffect(() => {
    if (joined && can(moderatorRole, 'view-bans')) void refreshBans();
  }, [joined, moderatorRole, refreshBans]);
  useKnockSound(view.lobby.length);
  // The audience has no mic or camera to toggle.
  useMeetingShortcuts(joined && moderatorRole !== 'audience', {
    mic: () => void actions.toggleMic(),
    camera: () => void actions.toggleCamera(),
  });
  // Messages count as read while the chat is open, and history counts as read on arrival.
  const newestSentAt = view.chat.at(-1)?.sentAt ?? 0;
  useEffect(() => {
    if (panel === 'chat' || !joined) setSeenChat(newestSentAt);
  }, [panel, joined, newestSentAt]);
  useEffect(() => {
    if (!copied) return;
    const t = setTimeout(() => setCopied(false), 2_000);
    return () => clearTimeout(t);
  }, [copied]);

  const selfMic = view.media.local.mic;
  const talkingMuted = useSpeakingWhileMuted(selfMic?.track ?? null, Boolean(joined && selfMic?.paused));
  const notices = useMeetingNotices(
    {
      joined,
      selfId: view.self?.participantId ?? null,
      role: moderatorRole,
      participants: view.participants,
      chat: view.chat,
      lobby: view.lobby,
      audienceHands: view.audienceHands,
      toasts: view.toasts,
      panel,
    },
    noticePrefs,
  );

  const join = (name: string, next: JoinSetup = setup) => {
    localStorage.setItem(NAME_KEY, name);
    saveDeviceChoice(next.devices);
    setRememberedName(name);
    setSetup(next);
    void actions.join(name, next);
  };
  const rejoin = () => join(rememberedName || defaultName || tPrejoin('defaultName'));
  const changeDevices = (devices: DeviceChoice) => {
    saveDeviceChoice(devices);
    setSetup((s) => ({ ...s, devices }));
    void actions.setDevices(devices);
  };

  const outside = (phase: OutsidePhase) => (
    <PhasePage
      phase={phase}
      roomCode={roomCode}
      error={view.error}
      lobbyNoModerator={view.lobbyNoModerator}
      lobbyPosition={view.lobbyPosition}
      removedReason={view.removedReason}
      onRejoin={rejoin}
      onCancelKnock={() => void actions.cancelKnock()}
    />
  );
  switch (view.phase) {
    case 'prejoin':
    case 'joining':
      if (summary.status === 'not-found') return outside('not-found');
      if (summary.banned) return outside('banned');
      if (view.error?.code === 'ROOM_FULL') return outside('full');
      return (
        <PreJoin
          roomCode={roomCode}
          summary={summary}
          askToJoin={summary.askToJoin}
          defaultName={defaultName || rememberedName}
          initialSetup={setup}
          busy={view.phase === 'joining'}
          error={view.error ? tErrors(view.error.code) : null}
          onJoin={join}
        />
      );
    case 'joined':
      break;
    case 'waiting':
    case 'left':
    case 'removed':
    case 'ended':
    case 'refused':
      return outside(view.phase);
  }

  const selfId = view.self?.participantId ?? null;
  const role = view.self?.role ?? 'participant';
  const moderator = can(role, 'start-recording');
  const recordingControl = (
    <RecordingControl
      recording={view.recording}
      available={view.recordingAvailable}
      moderator={moderator}
      onStart={() => void send('start-recording', {})}
      onStop={() => void send('stop-recording', {})}
    />
  );
  const me = view.participants.find((x) => x.participantId === selfId);
  const unread =
    panel === 'chat' ? 0 : view.chat.filter((m) => m.sentAt > seenChat && m.from.participantId !== selfId).length;
  const nameOf = (id: string) => view.participants.find((x) => x.participantId === id)?.displayName ?? someone;
  const send = actions.send;
  const watching = role === 'audience';
  const handRaised = watching ? view.selfHandRaisedAt !== null : me?.handRaisedAt != null;
  const toggleHand = () => void send('raise-hand', { raised: !handRaised });
  const hasAudience = (view.room?.audience.mode ?? 'off') !== 'off' || view.audienceCount > 0;
  const confirmTarget = confirm && confirm.kind !== 'end' ? confirm.participantId : null;
  const confirming = confirmText(tConfirm, confirm, {
    isGuest: view.participants.find((x) => x.participantId === confirmTarget)?.isGuest ?? true,
    banShield: view.room?.banShield ?? true,
  });
  // The host's Leave hands the role on: ask first, naming who the server would make host.
  const askFirst = (c: Confirm) => {
    setOpener(rememberOpener());
    setConfirm(c);
  };
  const requestLeave = () => {
    if (role !== 'host') return void actions.leave();
    setOpener(rememberOpener());
    setSuccessor(undefined);
    setLeaving(true);
    void send('get-successor', {}, { quiet: true }).then((res) => {
      if (res.ok) setSuccessor(res.successor?.displayName ?? null);
    });
  };

  const content =
    panel === 'chat' ? (
      <ChatPanel
        messages={view.chat}
        participants={view.participants}
        selfId={selfId}
        typing={view.typing}
        onSend={async (text, to) => {
          const res = await send('send-message', { text, ...(to && { to }) }, { quiet: true });
          return res.ok ? null : tErrors(res.error.code);
        }}
        onTyping={(active) => void send('typing', { active }, { quiet: true })}
        hasMore={view.chatHasMore}
        onLoadEarlier={() => actions.loadEarlierMessages(view.chat[0]?.id)}
        pinned={view.pinned}
        canDeleteAny={can(role, 'delete-message')}
        canPin={can(role, 'pin-message')}
        onDelete={(messageId) => void send('delete-message', { messageId })}
        onPin={(messageId) => void send('pin-message', { messageId })}
      />
    ) : panel === 'people' ? (
      <>
        <ParticipantList
          participants={view.participants}
          selfId={selfId}
          selfRole={role}
          lobby={view.lobby}
          onCommand={(command, id) =>
            CONFIRMED.has(command)
              ? askFirst({ kind: command as 'ban', participantId: id, name: nameOf(id) })
              : runCommand(send, command, id)
          }
          onAdmit={(participantId) => void send('admit', { participantId })}
          onDeny={(participantId) => void send('deny', { participantId })}
          onAdmitAll={() => void send('admit-all', {})}
        />
        {hasAudience && (
          <AudiencePanel
            count={view.audienceCount}
            moderator={can(role, 'view-audience')}
            hands={view.audienceHands}
            onPromote={(participantId) => void send('promote', { participantId })}
            onLowerHand={(participantId) => void send('lower-hand', { participantId })}
            onRemove={(participantId) => void send('kick-participant', { participantId })}
            onLoadPage={async (after) => {
              const res = await send('get-audience', after ? { after } : {});
              return res.ok ? res : null;
            }}
          />
        )}
      </>
    ) : panel === 'info' ? (
      <MeetingInfo
        roomCode={roomCode}
        link={`${location.origin}/${roomCode}`}
        participantCount={view.participants.length + view.audienceCount}
        copied={copied}
        onCopy={() =>
          void (navigator.clipboard as Clipboard | undefined)?.writeText(`${location.origin}/${roomCode}`).then(
            () => setCopied(true),
            () => undefined,
          )
        }
        room={view.room}
        {...(hasHostControls(role) && { onOpenHostControls: () => setPanel('host') })}
        {...(can(role, 'view-recordings') && { recordings: { active: view.recording.active } })}
      />
    ) : panel === 'host' ? (
      <>
        {/* On phones the control bar has no room for it: the recording control is here. */}
        {narrow && recordingControl}
        {view.room && (
          <HostControls
            role={role}
            room={view.room}
            bans={view.bans}
            onMuteAll={(kind) => void send('mute-all', { kind })}
            onUnban={(identityId) => void send('unban', { identityId })}
            onLock={(locked) => void send('lock-room', { locked })}
            onWaitingRoom={(mode) => void send('set-waiting-room', { mode })}
            onBanShield={(enabled) => void send('set-ban-shield', { enabled })}
            onPermission={(key, value) => void send('set-permissions', { [key]: value })}
            onAudience={(mode, stageLimit) =>
              void send('set-audience', { mode, ...(stageLimit !== undefined && { stageLimit }) })
            }
            onEndMeeting={() => askFirst({ kind: 'end' })}
          />
        )}
      </>
    ) : null;
  const aside = panel && {
    panel,
    title: panel === 'people' ? tPanels('peopleCount', { count: view.participants.length }) : tPanels(panel),
    content,
  };

  const tileActions: TileActions = {
    pinnedId,
    spotlightId: view.spotlight,
    canSpotlight: can(role, 'spotlight'),
    onPin: setPinnedId,
    onSpotlight: (participantId: string | null) => void send('set-spotlight', { participantId }),
    quality: (id: string, isSelf: boolean) => (isSelf ? view.network.self : (view.network.remote[id] ?? null)),
  };

  return (
    <MeetingRoom
      roomCode={roomCode}
      pinnedId={pinnedId}
      spotlightId={view.spotlight}
      tileActions={tileActions}
      selfId={selfId}
      participants={view.participants}
      media={view.media}
      title={view.room?.title ?? null}
      reconnecting={view.connection === 'reconnecting'}
      status={
        <>
          <RecordingIndicator recording={view.recording} />
          {moderator && (
            <RecordingError
              problem={view.recordingError === seenRecordingError ? null : view.recordingError}
              onDismiss={() => setSeenRecordingError(view.recordingError)}
            />
          )}
        </>
      }
      aside={aside}
      onClosePanel={() => setPanel(null)}
      onStopSharing={() => void actions.stopSharing()}
      // A muted self is not speaking, whatever the last active-speaker said.
      activeSpeaker={view.activeSpeaker === selfId && selfMic?.paused ? null : view.activeSpeaker}
      layout={layout}
      onLayout={setLayout}
      speakerId={setup.devices.speakerId}
      overlay={
        <>
          <Toasts toasts={view.toasts} popups={noticePrefs.popups} />
          {view.network.unstable && <UnstableBanner />}
          <Notices notices={notices.notices} onOpen={setPanel} onDismiss={notices.dismiss} />
          <Announcer messages={notices.announced} />
          {talkingMuted && !watching && <MutedHint onUnmute={() => void actions.toggleMic()} />}
          {watching && <WatchingBanner handRaised={handRaised} onToggleHand={toggleHand} />}
          <Reactions reactions={view.reactions} nameOf={nameOf} />
          {view.unmuteRequestBy && (
            <UnmutePrompt by={nameOf(view.unmuteRequestBy)} onAnswer={(yes) => void actions.answerUnmute(yes)} />
          )}
          <SettingsDialog
            open={settingsOpen}
            onOpenChange={setSettingsOpen}
            lists={deviceLists}
            choice={setup.devices}
            onChange={changeDevices}
            // Opened from the More menu, whose item is gone by then: focus returns to More itself.
            returnFocusTo={() => document.querySelector<HTMLElement>('[data-testid="more-options"]')}
          >
            <NoticeSettings prefs={noticePrefs} onChange={setNoticePrefs} />
          </SettingsDialog>
          <ConfirmDialog
            open={confirm !== null}
            onOpenChange={(open) => !open && setConfirm(null)}
            title={confirming.title}
            description={confirming.description}
            confirmLabel={confirming.label}
            returnFocus={opener}
            onConfirm={() => {
              if (!confirm) return;
              if (confirm.kind === 'end') void send('end-meeting', {});
              else runCommand(send, confirm.kind, confirm.participantId);
            }}
          />
          <LeaveDialog
            open={leaving}
            onOpenChange={setLeaving}
            successor={successor}
            returnFocus={opener}
            onLeave={() => void actions.leave()}
            onEndForAll={() => void send('end-meeting', {})}
          />
        </>
      }
      controls={
        <ControlBar
          watching={watching}
          micOn={Boolean(view.media.local.mic && !view.media.local.mic.paused)}
          cameraOn={Boolean(view.media.local.camera && !view.media.local.camera.paused)}
          sharing={Boolean(view.media.local.screen)}
          presenterName={(() => {
            const presenter = Object.entries(view.media.remote).find(([, s]) => s.screen)?.[0];
            return presenter && (view.room?.maxScreenShares ?? 1) <= 1 ? nameOf(presenter) : null;
          })()}
          hostControls={hasHostControls(role)}
          handRaised={handRaised}
          panel={panel}
          unreadChat={unread}
          waiting={view.lobby.length}
          onToggleMic={() => void actions.toggleMic()}
          onToggleCamera={() => void actions.toggleCamera()}
          onShareScreen={() => void actions.shareScreen()}
          onStopSharing={() => void actions.stopSharing()}
          onToggleHand={toggleHand}
          onReact={(emoji) => void send('react', { emoji })}
          onPanel={(next) => setPanel((cur) => (cur === next ? null : next))}
          onSettings={() => setSettingsOpen(true)}
          onLeave={requestLeave}
          recording={recordingControl}
        />
      }
      onVideoVisible={actions.setVideoVisible}
      onVideoWidth={actions.setVideoWidth}
    />
  );
}
