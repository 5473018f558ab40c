'use client';
import { X } from 'lucide-react';
import { useEffect, useId, useRef, type ReactNode } from 'react';
import { useTranslations } from 'use-intl';
import type { SidePanel } from './ControlBar';
import styles from './meeting.module.css';

/** Each panel's "Close …" message (panels namespace). */
const CLOSE = { people: 'closePeople', chat: 'closeChat', host: 'closeHost', info: 'closeInfo' } as const;

export interface SideSheetProps {
  panel: SidePanel;
  /** Shown: the panel's name, perhaps with a count. */
  title: string;
  onClose: () => void;
  children: ReactNode;
}

/**
 * One side panel at a time: a sheet beside the call on desktop, a bottom
 * sheet on phones (meeting.module.css). Opening one moves focus to its
 * heading; Escape inside it closes it (MeetingRoom returns focus to the opener).
 */
export function SideSheet({ panel, title, onClose, children }: SideSheetProps) {
  const t = useTranslations('panels');
  const headingId = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [panel]);
  return (
    <aside
      className={styles.sheet}
      aria-labelledby={headingId}
      data-testid="side-panel"
      data-panel={panel}
      onKeyDown={(e) => {
        // Menus inside render in portals: their Escape is theirs, not the sheet's.
        if (e.key === 'Escape' && e.currentTarget.contains(e.target as Node)) onClose();
      }}
    >
      <div className={styles.sheetHead}>
        <h2 id={headingId} ref={heading} tabIndex={-1}>
          {title}
        </h2>
        <button type="button" className={styles.sheetClose} aria-label={t(CLOSE[panel])} onClick={onClose}>
          <X size={20} aria-hidden="true" />
        </button>
      </div>
      <div className={styles.sheetBody}>{children}</div>
    </aside>
  );
}
