'use client';
import { useEffect, useState } from 'react';
import { useMeeting } from '@/lib/client/use-meeting';
import { MeetingRoom } from '@/components/meeting/MeetingRoom';
import { PreJoin } from '@/components/meeting/PreJoin';
import { StatusPage } from '@/components/meeting/StatusPage';

const NAME_KEY = 'convene:display-name';

/** The page's one client boundary: pre-join, the room, and the pages after it. */
export function MeetingClient({ roomCode }: { roomCode: string }) {
  const [view, actions] = useMeeting(roomCode);
  const [rememberedName, setRememberedName] = useState('');
  useEffect(() => setRememberedName(localStorage.getItem(NAME_KEY) ?? ''), []);

  const join = (name: string) => {
    localStorage.setItem(NAME_KEY, name);
    setRememberedName(name);
    void actions.join(name);
  };

  switch (view.phase) {
    case 'prejoin':
    case 'joining':
      return <PreJoin roomCode={roomCode} defaultName={rememberedName} busy={view.phase === 'joining'} error={view.error?.message ?? null} onJoin={join} />;
    case 'waiting':
      return <StatusPage title="Asking to join…" detail="You'll join as soon as someone lets you in." />;
    case 'left':
      return <StatusPage title="You left the meeting" action={{ label: 'Rejoin', onClick: () => join(rememberedName || 'Guest') }} />;
    case 'removed':
      return <StatusPage title="You were removed from the meeting" />;
    case 'joined':
      return (
        <MeetingRoom
          roomCode={roomCode}
          selfId={view.self?.participantId ?? null}
          participants={view.participants}
          media={view.media}
          reconnecting={view.connection === 'reconnecting'}
          onToggleMic={() => void actions.toggleMic()}
          onToggleCamera={() => void actions.toggleCamera()}
          onShareScreen={() => void actions.shareScreen()}
          onStopSharing={() => void actions.stopSharing()}
          onLeave={() => void actions.leave()}
          onVideoVisible={actions.setVideoVisible}
          onVideoWidth={actions.setVideoWidth}
        />
      );
  }
}
