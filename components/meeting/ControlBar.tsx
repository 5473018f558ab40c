'use client';
import styles from './meeting.module.css';

export interface ControlBarProps {
  micOn: boolean;
  cameraOn: boolean;
  sharing: boolean;
  /** Someone else is presenting and only one share is allowed. */
  shareBlocked?: boolean;
  onToggleMic: () => void;
  onToggleCamera: () => void;
  onShareScreen: () => void;
  onStopSharing: () => void;
  onLeave: () => void;
}

export function ControlBar(p: ControlBarProps) {
  return (
    <nav className={styles.controls} aria-label="Meeting controls">
      <button type="button" className={p.micOn ? 'secondary' : styles.off} onClick={p.onToggleMic} data-testid="toggle-mic">
        {p.micOn ? 'Turn off microphone' : 'Turn on microphone'}
      </button>
      <button type="button" className={p.cameraOn ? 'secondary' : styles.off} onClick={p.onToggleCamera} data-testid="toggle-camera">
        {p.cameraOn ? 'Turn off camera' : 'Turn on camera'}
      </button>
      {p.sharing ? (
        <button type="button" onClick={p.onStopSharing}>Stop sharing</button>
      ) : (
        <button type="button" className="secondary" onClick={p.onShareScreen} disabled={p.shareBlocked}>Share screen</button>
      )}
      <button type="button" className={styles.leave} onClick={p.onLeave}>Leave call</button>
    </nav>
  );
}
