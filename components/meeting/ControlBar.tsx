'use client';
import * as Menu from '@radix-ui/react-dropdown-menu';
import type { ReactNode } from 'react';
import { REACTIONS } from '@/lib/protocol/schemas';
import styles from './meeting.module.css';

export type SidePanel = 'people' | 'chat';

export interface ControlBarProps {
  /** In the audience: nothing to send, so no mic, camera or share buttons. */
  watching?: boolean;
  micOn: boolean;
  cameraOn: boolean;
  sharing: boolean;
  /** Someone else is presenting and only one share is allowed. */
  shareBlocked?: boolean;
  handRaised: boolean;
  panel: SidePanel | null;
  unreadChat: number;
  /** People knocking (shown to hosts and co-hosts only). */
  waiting: number;
  onToggleMic: () => void;
  onToggleCamera: () => void;
  onShareScreen: () => void;
  onStopSharing: () => void;
  onToggleHand: () => void;
  onReact: (emoji: (typeof REACTIONS)[number]) => void;
  onPanel: (panel: SidePanel) => void;
  onSettings: () => void;
  onLeave: () => void;
  /** The moderators' recording control (components/meeting/Recording.tsx). */
  recording?: ReactNode;
}

export function ControlBar(p: ControlBarProps) {
  return (
    <nav className={styles.controls} aria-label="Meeting controls">
      {!p.watching && (
        <>
          <button
            type="button"
            className={p.micOn ? 'secondary' : styles.off}
            onClick={p.onToggleMic}
            data-testid="toggle-mic"
            aria-keyshortcuts="Control+D Meta+D"
          >
            {p.micOn ? 'Turn off microphone' : 'Turn on microphone'}
          </button>
          <button
            type="button"
            className={p.cameraOn ? 'secondary' : styles.off}
            onClick={p.onToggleCamera}
            data-testid="toggle-camera"
            aria-keyshortcuts="Control+E Meta+E"
          >
            {p.cameraOn ? 'Turn off camera' : 'Turn on camera'}
          </button>
          {p.sharing ? (
            <button type="button" onClick={p.onStopSharing}>
              Stop sharing
            </button>
          ) : (
            <button type="button" className="secondary" onClick={p.onShareScreen} disabled={p.shareBlocked}>
              Share screen
            </button>
          )}
        </>
      )}
      <button type="button" className="secondary" aria-pressed={p.handRaised} onClick={p.onToggleHand}>
        {p.handRaised ? 'Lower hand' : 'Raise hand'}
      </button>
      <Menu.Root modal={false}>
        <Menu.Trigger asChild>
          <button type="button" className="secondary" aria-label="Send a reaction">
            😊
          </button>
        </Menu.Trigger>
        <Menu.Portal>
          <Menu.Content className={`${styles.menu} ${styles.reactionMenu}`} side="top" sideOffset={6}>
            {REACTIONS.map((emoji) => (
              <Menu.Item
                key={emoji}
                className={styles.menuItem}
                onSelect={() => p.onReact(emoji)}
                aria-label={`React ${emoji}`}
              >
                {emoji}
              </Menu.Item>
            ))}
          </Menu.Content>
        </Menu.Portal>
      </Menu.Root>
      <button
        type="button"
        className="secondary"
        aria-pressed={p.panel === 'chat'}
        onClick={() => p.onPanel('chat')}
        data-testid="toggle-chat"
      >
        Chat
        {p.unreadChat > 0 && (
          <span className={styles.count} aria-label={`${p.unreadChat} unread`}>
            {p.unreadChat}
          </span>
        )}
      </button>
      <button
        type="button"
        className="secondary"
        aria-pressed={p.panel === 'people'}
        onClick={() => p.onPanel('people')}
        data-testid="toggle-people"
      >
        People
        {p.waiting > 0 && (
          <span className={styles.count} aria-label={`${p.waiting} waiting to join`}>
            {p.waiting}
          </span>
        )}
      </button>
      {p.recording}
      <button type="button" className="secondary" onClick={p.onSettings} aria-haspopup="dialog">
        Settings
      </button>
      <button type="button" className={styles.leave} onClick={p.onLeave}>
        Leave call
      </button>
    </nav>
  );
}
