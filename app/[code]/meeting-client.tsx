'use client';
import { useEffect, useState } from 'react';
import { can } from '@/lib/permissions';
import type { ErrorCode } from '@/lib/protocol';
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
import { AudiencePanel, WatchingBanner } from '@/components/meeting/AudiencePanel';
import { ChatPanel } from '@/components/meeting/ChatPanel';
import { ControlBar, type SidePanel } from '@/components/meeting/ControlBar';
import { ConfirmDialog, SettingsDialog } from '@/components/meeting/Dialogs';
import { HostControls, banWarning } from '@/components/meeting/HostControls';
import { MeetingRoom } from '@/components/meeting/MeetingRoom';
import { ParticipantList, type PersonCommand } from '@/components/meeting/ParticipantList';
import { PreJoin, type JoinSetup } from '@/components/meeting/PreJoin';
import { RecordingControl, RecordingError, RecordingIndicator } from '@/components/meeting/Recording';
import { StatusPage } from '@/components/meeting/StatusPage';
import { Reactions, Toasts } from '@/components/meeting/Toasts';
import { UnmutePrompt } from '@/components/meeting/UnmutePrompt';

const NAME_KEY = 'convene:display-name';

const REFUSAL_PAGES: Partial<Record<ErrorCode, { title: string; detail: string }>> = {
  BANNED: { title: "You can't join this meeting", detail: 'A host removed you and banned you from coming back.' },
  ROOM_LOCKED: {
    title: 'This meeting is locked',
    detail: 'A host has locked the meeting. Ask them to unlock it, then try again.',
  },
  DENIED: { title: 'Your request to join was declined', detail: 'Someone in the meeting declined your request.' },
  MEETING_ENDED: { title: 'The meeting has ended', detail: 'The host ended the meeting for everyone.' },
};

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

type Confirm = { kind: 'end' } | { kind: 'ban'; participantId: string; name: string };

/**
 * The page's one client boundary: pre-join, the room, and the pages after it.
 * `defaultName` (e.g. the signed-in name) wins over the last name used here.
 */
export function MeetingClient({ roomCode, defaultName }: { roomCode: string; defaultName?: string }) {
  const [view, actions] = useMeeting(roomCode);
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
  const [panel, setPanel] = useState<SidePanel | null>('people');
  /** When the newest message read was sent: deletions and pages of older messages leave it meaningful. */
  const [seenChat, setSeenChat] = useState(0);
  const [copied, setCopied] = useState(false);
  const [seenRecordingError, setSeenRecordingError] = useState<string | null>(null);
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

  const join = (name: string, next: JoinSetup = setup) => {
    localStorage.setItem(NAME_KEY, name);
    saveDeviceChoice(next.devices);
    setRememberedName(name);
    setSetup(next);
    void actions.join(name, next);
  };
  const rejoin = { label: 'Rejoin', onClick: () => join(rememberedName || defaultName || 'Guest') };
  const changeDevices = (devices: DeviceChoice) => {
    saveDeviceChoice(devices);
    setSetup((s) => ({ ...s, devices }));
    void actions.setDevices(devices);
  };

  switch (view.phase) {
    case 'prejoin':
    case 'joining':
      if (summary.status === 'not-found') {
        return (
          <StatusPage
            title="Check your meeting code"
            detail={`There is no meeting at ${roomCode}. Make sure you entered the right code or link.`}
          />
        );
      }
      return (
        <PreJoin
          roomCode={roomCode}
          summary={summary}
          askToJoin={summary.askToJoin}
          defaultName={defaultName || rememberedName}
          initialSetup={setup}
          busy={view.phase === 'joining'}
          error={view.error?.message ?? null}
          onJoin={join}
        />
      );
    case 'waiting':
      return (
        <StatusPage
          title="Asking to join…"
          detail={`${
            view.lobbyNoModerator
              ? 'No host or co-host is here yet to let you in. Keep this page open: they will see you when they arrive.'
              : "You'll join as soon as someone lets you in."
          }${view.lobbyPosition ? ` You are number ${view.lobbyPosition} in line.` : ''}`}
          action={{ label: 'Cancel', onClick: () => void actions.cancelKnock() }}
          busy
        />
      );
    case 'left':
      return <StatusPage title="You left the meeting" action={rejoin} />;
    case 'removed':
      return (
        <StatusPage
          title="You were removed from the meeting"
          {...(view.removedReason && { detail: view.removedReason })}
        />
      );
    case 'ended':
      return <StatusPage title="The meeting has ended" detail="The host ended the meeting for everyone." />;
    case 'refused': {
      const page = (view.error && REFUSAL_PAGES[view.error.code]) ?? {
        title: "You can't join this meeting",
        detail: view.error?.message ?? '',
      };
      const retry =
        view.error?.code === 'ROOM_LOCKED' || view.error?.code === 'MEETING_ENDED'
          ? { action: { label: 'Try again', onClick: rejoin.onClick } }
          : {};
      return <StatusPage title={page.title} detail={page.detail} {...retry} />;
    }
    case 'joined':
      break;
  }

  const selfId = view.self?.participantId ?? null;
  const role = view.self?.role ?? 'participant';
  const moderator = can(role, 'start-recording');
  const me = view.participants.find((x) => x.participantId === selfId);
  const unread =
    panel === 'chat' ? 0 : view.chat.filter((m) => m.sentAt > seenChat && m.from.participantId !== selfId).length;
  const nameOf = (id: string) => view.participants.find((x) => x.participantId === id)?.displayName ?? 'Someone';
  const send = actions.send;
  const watching = role === 'audience';
  const handRaised = watching ? view.selfHandRaisedAt !== null : me?.handRaisedAt != null;
  const toggleHand = () => void send('raise-hand', { raised: !handRaised });
  const hasAudience = (view.room?.audience.mode ?? 'off') !== 'off' || view.audienceCount > 0;

  const aside =
    panel === 'chat' ? (
      <ChatPanel
        messages={view.chat}
        participants={view.participants}
        selfId={selfId}
        typing={view.typing}
        onSend={async (text, to) => {
          const res = await send('send-message', { text, ...(to && { to }) }, { quiet: true });
          return res.ok ? null : res.error.message;
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
            command === 'ban'
              ? setConfirm({ kind: 'ban', participantId: id, name: nameOf(id) })
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
            onEndMeeting={() => setConfirm({ kind: 'end' })}
          />
        )}
      </>
    ) : null;

  return (
    <MeetingRoom
      roomCode={roomCode}
      selfId={selfId}
      participants={view.participants}
      media={view.media}
      reconnecting={view.connection === 'reconnecting'}
      linkCopied={copied}
      status={
        <>
          <RecordingIndicator recording={view.recording} />
          {moderator && (
            <RecordingError
              message={view.recordingError === seenRecordingError ? null : view.recordingError}
              onDismiss={() => setSeenRecordingError(view.recordingError)}
            />
          )}
        </>
      }
      onCopyLink={() =>
        void (navigator.clipboard as Clipboard | undefined)?.writeText(`${location.origin}/${roomCode}`).then(
          () => setCopied(true),
          () => undefined,
        )
      }
      aside={aside}
      activeSpeaker={view.activeSpeaker}
      layout={layout}
      onLayout={setLayout}
      speakerId={setup.devices.speakerId}
      overlay={
        <>
          <Toasts toasts={view.toasts} />
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
          />
          <ConfirmDialog
            open={confirm !== null}
            onOpenChange={(open) => !open && setConfirm(null)}
            title={confirm?.kind === 'ban' ? `Remove and ban ${confirm.name}?` : 'End the meeting for everyone?'}
            description={
              confirm?.kind === 'ban'
                ? banWarning(
                    view.participants.find((x) => x.participantId === confirm.participantId)?.isGuest ?? true,
                    view.room?.banShield ?? true,
                  )
                : 'Everyone, including you, leaves the meeting now.'
            }
            confirmLabel={confirm?.kind === 'ban' ? 'Remove and ban' : 'End meeting for all'}
            onConfirm={() => {
              if (confirm?.kind === 'ban') runCommand(send, 'ban', confirm.participantId);
              else if (confirm?.kind === 'end') void send('end-meeting', {});
            }}
          />
        </>
      }
      controls={
        <ControlBar
          watching={watching}
          micOn={Boolean(view.media.local.mic && !view.media.local.mic.paused)}
          cameraOn={Boolean(view.media.local.camera && !view.media.local.camera.paused)}
          sharing={Boolean(view.media.local.screen)}
          shareBlocked={
            Object.values(view.media.remote).some((s) => s.screen) && (view.room?.maxScreenShares ?? 1) <= 1
          }
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
          onLeave={() => void actions.leave()}
          recording={
            <RecordingControl
              recording={view.recording}
              available={view.recordingAvailable}
              moderator={moderator}
              onStart={() => void send('start-recording', {})}
              onStop={() => void send('stop-recording', {})}
            />
          }
        />
      }
      onVideoVisible={actions.setVideoVisible}
      onVideoWidth={actions.setVideoWidth}
    />
  );
}
