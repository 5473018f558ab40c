'use client';
import { useEffect, useState } from 'react';
import type { ErrorCode } from '@/lib/protocol';
import { useMeeting, type MeetingActions } from '@/lib/client/use-meeting';
import { useKnockSound } from '@/lib/client/use-knock-sound';
import { useMeetingShortcuts } from '@/lib/client/use-shortcuts';
import { ChatPanel } from '@/components/meeting/ChatPanel';
import { ControlBar, type SidePanel } from '@/components/meeting/ControlBar';
import { HostControls } from '@/components/meeting/HostControls';
import { MeetingRoom } from '@/components/meeting/MeetingRoom';
import { ParticipantList, type PersonCommand } from '@/components/meeting/ParticipantList';
import { PreJoin } from '@/components/meeting/PreJoin';
import { StatusPage } from '@/components/meeting/StatusPage';
import { Reactions, Toasts } from '@/components/meeting/Toasts';

const NAME_KEY = 'convene:display-name';

const REFUSAL_PAGES: Partial<Record<ErrorCode, { title: string; detail: string }>> = {
  BANNED: { title: "You can't join this meeting", detail: 'A host removed you and banned you from coming back.' },
  ROOM_LOCKED: { title: 'This meeting is locked', detail: 'A host has locked the meeting. Ask them to unlock it, then try again.' },
  DENIED: { title: 'Your request to join was declined', detail: 'Someone in the meeting declined your request.' },
  MEETING_ENDED: { title: 'The meeting has ended', detail: 'The host ended the meeting for everyone.' },
};

/** The protocol request behind each entry of a person's menu. */
function runCommand(send: MeetingActions['send'], command: PersonCommand, participantId: string): void {
  switch (command) {
    case 'mute': return void send('mute-participant', { participantId, kind: 'audio' });
    case 'stop-video': return void send('mute-participant', { participantId, kind: 'video' });
    case 'stop-share': return void send('stop-screen-share', { participantId });
    case 'lower-hand': return void send('lower-hand', { participantId });
    case 'make-cohost': return void send('set-role', { participantId, role: 'cohost' });
    case 'remove-cohost': return void send('set-role', { participantId, role: 'participant' });
    case 'transfer-host': return void send('transfer-host', { participantId });
    case 'remove': return void send('kick-participant', { participantId });
    case 'ban': return void send('kick-participant', { participantId, ban: true });
  }
}

/** The page's one client boundary: pre-join, the room, and the pages after it. */
export function MeetingClient({ roomCode }: { roomCode: string }) {
  const [view, actions] = useMeeting(roomCode);
  const [rememberedName, setRememberedName] = useState('');
  const [panel, setPanel] = useState<SidePanel | null>('people');
  const [seenChat, setSeenChat] = useState(0);
  const [copied, setCopied] = useState(false);
  useEffect(() => setRememberedName(localStorage.getItem(NAME_KEY) ?? ''), []);
  const joined = view.phase === 'joined';
  useKnockSound(view.lobby.length);
  useMeetingShortcuts(joined, { mic: () => void actions.toggleMic(), camera: () => void actions.toggleCamera() });
  // Messages count as read while the chat is open, and history counts as read on arrival.
  useEffect(() => {
    if (panel === 'chat' || !joined) setSeenChat(view.chat.length);
  }, [panel, joined, view.chat.length]);
  useEffect(() => {
    if (!copied) return;
    const t = setTimeout(() => setCopied(false), 2_000);
    return () => clearTimeout(t);
  }, [copied]);

  const join = (name: string) => {
    localStorage.setItem(NAME_KEY, name);
    setRememberedName(name);
    void actions.join(name);
  };
  const rejoin = { label: 'Rejoin', onClick: () => join(rememberedName || 'Guest') };

  switch (view.phase) {
    case 'prejoin':
    case 'joining':
      return <PreJoin roomCode={roomCode} defaultName={rememberedName} busy={view.phase === 'joining'} error={view.error?.message ?? null} onJoin={join} />;
    case 'waiting':
      return (
        <StatusPage
          title="Asking to join…"
          detail={`You'll join as soon as someone lets you in.${view.lobbyPosition ? ` You are number ${view.lobbyPosition} in line.` : ''}`}
          action={{ label: 'Cancel', onClick: () => void actions.cancelKnock() }}
          busy
        />
      );
    case 'left':
      return <StatusPage title="You left the meeting" action={rejoin} />;
    case 'removed':
      return <StatusPage title="You were removed from the meeting" {...(view.removedReason && { detail: view.removedReason })} />;
    case 'ended':
      return <StatusPage title="The meeting has ended" detail="The host ended the meeting for everyone." />;
    case 'refused': {
      const page = (view.error && REFUSAL_PAGES[view.error.code]) ?? { title: "You can't join this meeting", detail: view.error?.message ?? '' };
      const retry = view.error?.code === 'ROOM_LOCKED' || view.error?.code === 'MEETING_ENDED' ? { action: { label: 'Try again', onClick: rejoin.onClick } } : {};
      return <StatusPage title={page.title} detail={page.detail} {...retry} />;
    }
    case 'joined':
      break;
  }

  const selfId = view.self?.participantId ?? null;
  const role = view.self?.role ?? 'participant';
  const me = view.participants.find((x) => x.participantId === selfId);
  const unread = panel === 'chat' ? 0 : view.chat.slice(seenChat).filter((m) => m.from.participantId !== selfId).length;
  const nameOf = (id: string) => view.participants.find((x) => x.participantId === id)?.displayName ?? 'Someone';
  const send = actions.send;

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
      />
    ) : panel === 'people' ? (
      <>
        <ParticipantList
          participants={view.participants}
          selfId={selfId}
          selfRole={role}
          lobby={view.lobby}
          onCommand={(command, id) => runCommand(send, command, id)}
          onAdmit={(participantId) => void send('admit', { participantId })}
          onDeny={(participantId) => void send('deny', { participantId })}
          onAdmitAll={() => void send('admit-all', {})}
        />
        {view.room && (
          <HostControls
            role={role}
            room={view.room}
            onMuteAll={() => void send('mute-all', { kind: 'audio' })}
            onLock={(locked) => void send('lock-room', { locked })}
            onWaitingRoom={(mode) => void send('set-waiting-room', { mode })}
            onPermission={(key, value) => void send('set-permissions', { [key]: value })}
            onEndMeeting={() => {
              if (window.confirm('End the meeting for everyone?')) void send('end-meeting', {});
            }}
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
      onCopyLink={() => void navigator.clipboard?.writeText(`${location.origin}/${roomCode}`).then(() => setCopied(true), () => undefined)}
      aside={aside}
      overlay={<><Toasts toasts={view.toasts} /><Reactions reactions={view.reactions} nameOf={nameOf} /></>}
      controls={
        <ControlBar
          micOn={Boolean(view.media.local.mic && !view.media.local.mic.paused)}
          cameraOn={Boolean(view.media.local.camera && !view.media.local.camera.paused)}
          sharing={Boolean(view.media.local.screen)}
          shareBlocked={Object.values(view.media.remote).some((s) => s.screen) && (view.room?.maxScreenShares ?? 1) <= 1}
          handRaised={me?.handRaisedAt != null}
          panel={panel}
          unreadChat={unread}
          waiting={view.lobby.length}
          onToggleMic={() => void actions.toggleMic()}
          onToggleCamera={() => void actions.toggleCamera()}
          onShareScreen={() => void actions.shareScreen()}
          onStopSharing={() => void actions.stopSharing()}
          onToggleHand={() => void send('raise-hand', { raised: me?.handRaisedAt == null })}
          onReact={(emoji) => void send('react', { emoji })}
          onPanel={(next) => setPanel((cur) => (cur === next ? null : next))}
          onLeave={() => void actions.leave()}
        />
      }
      onVideoVisible={actions.setVideoVisible}
      onVideoWidth={actions.setVideoWidth}
    />
  );
}
