'use client';
import * as Menu from '@radix-ui/react-dropdown-menu';
import {
  EllipsisVertical,
  Hand,
  Info,
  MessageSquareText,
  Mic,
  MicOff,
  MonitorUp,
  MonitorX,
  PhoneOff,
  Settings,
  ShieldCheck,
  SmilePlus,
  Users,
  Video,
  VideoOff,
} from 'lucide-react';
import { useId, type ReactNode } from 'react';
import { useTranslations } from 'use-intl';
import { useNarrow } from '@/lib/client/use-narrow';
import { shortcutLabel } from '@/lib/client/use-shortcuts';
import { REACTIONS } from '@/lib/protocol/schemas';
import styles from './meeting.module.css';

export type SidePanel = 'people' | 'chat' | 'host' | 'info';

export interface ControlBarProps {
  /** In the audience: nothing to send, so no mic, camera or share buttons. */
  watching?: boolean;
  micOn: boolean;
  cameraOn: boolean;
  sharing: boolean;
  /** Who presents while only one share is allowed: Share screen is off, and says why. */
  presenterName?: string | null;
  handRaised: boolean;
  panel: SidePanel | null;
  unreadChat: number;
  /** People knocking (shown to hosts and co-hosts only). */
  waiting: number;
  /** The host controls panel exists for this role. */
  hostControls: boolean;
  onToggleMic: () => void;
  onToggleCamera: () => void;
  onShareScreen: () => void;
  onStopSharing: () => void;
  onToggleHand: () => void;
  onReact: (emoji: (typeof REACTIONS)[number]) => void;
  onPanel: (panel: SidePanel) => void;
  onSettings: () => void;
  onLeave: () => void;
  /** The moderators' recording control (components/meeting/Recording.tsx); on phones it is in the host controls panel. */
  recording?: ReactNode;
}

interface ControlProps {
  label: string;
  icon: ReactNode;
  /** Shown after the label in the tooltip, e.g. "Ctrl+D". */
  shortcut?: { text: string; aria: string };
  /** Why the control does nothing now: the tooltip and the accessible description. */
  blockedBecause?: string | null;
  pressed?: boolean;
  tone?: 'off' | 'on' | 'leave';
  badge?: { count: number; label: string };
  testId?: string;
  panel?: SidePanel;
  onClick?: () => void;
}

/**
 * One round icon button with a tooltip (shown on hover and keyboard focus;
 * hidden from screen readers, which read the label, aria-keyshortcuts and
 * the description instead). A blocked control stays focusable so its reason
 * can be read: aria-disabled, not disabled.
 */
function Control({
  label,
  icon,
  shortcut,
  blockedBecause,
  pressed,
  tone,
  badge,
  testId,
  panel,
  onClick,
}: ControlProps) {
  const descId = useId();
  const t = useTranslations('controls');
  return (
    <span className={styles.tipWrap}>
      <button
        type="button"
        className={`${styles.control} ${tone ? styles[tone] : ''}`}
        // The badge's figure is visible text, so it is part of the name too ("Chat, 1 unread message").
        aria-label={badge && badge.count > 0 ? `${label}, ${badge.label}` : label}
        {...(pressed !== undefined && { 'aria-pressed': pressed })}
        {...(shortcut && { 'aria-keyshortcuts': shortcut.aria })}
        {...(blockedBecause && { 'aria-disabled': true, 'aria-describedby': descId })}
        {...(panel && { 'data-panel-opener': panel })}
        data-testid={testId}
        onClick={blockedBecause ? undefined : onClick}
      >
        {icon}
        {badge && badge.count > 0 && (
          <span className={styles.count} aria-hidden="true">
            {badge.count}
          </span>
        )}
      </button>
      <span className={styles.tip} aria-hidden="true">
        {blockedBecause ?? (shortcut ? t('withShortcut', { label, shortcut: shortcut.text }) : label)}
      </span>
      {blockedBecause && (
        <span id={descId} className="visually-hidden">
          {blockedBecause}
        </span>
      )}
    </span>
  );
}

const ICON = { size: 20, 'aria-hidden': true } as const;

/**
 * Meet-style controls: mic, camera and share show their state (a crossed icon
 * on red when off), with the panels on the right. On phones it stays one row:
 * hand, reactions, meeting info and host controls move into "More options".
 */
export function ControlBar(p: ControlBarProps) {
  const narrow = useNarrow();
  const t = useTranslations('controls');
  const tp = useTranslations('panels');
  const panelButton = (panel: SidePanel, label: string, icon: ReactNode, badge?: ControlProps['badge']) => (
    <Control
      label={label}
      icon={icon}
      pressed={p.panel === panel}
      panel={panel}
      testId={`toggle-${panel}`}
      onClick={() => p.onPanel(panel)}
      {...(badge && { badge })}
    />
  );
  const people = panelButton('people', tp('people'), <Users {...ICON} />, {
    count: p.waiting,
    label: t('waitingBadge', { count: p.waiting }),
  });
  const chat = panelButton('chat', tp('chat'), <MessageSquareText {...ICON} />, {
    count: p.unreadChat,
    label: t('unreadBadge', { count: p.unreadChat }),
  });
  const hand = (
    <Control
      label={p.handRaised ? t('lowerHand') : t('raiseHand')}
      icon={<Hand {...ICON} />}
      pressed={p.handRaised}
      tone={p.handRaised ? 'on' : undefined}
      onClick={p.onToggleHand}
    />
  );

  return (
    <nav className={styles.controls} aria-label={t('bar')}>
      <div className={styles.controlGroup}>
        {!p.watching && (
          <>
            <Control
              label={p.micOn ? t('micOff') : t('micOn')}
              icon={p.micOn ? <Mic {...ICON} /> : <MicOff {...ICON} />}
              shortcut={shortcutLabel('mic', t('ctrlKey'))}
              pressed={p.micOn}
              tone={p.micOn ? undefined : 'off'}
              testId="toggle-mic"
              onClick={p.onToggleMic}
            />
            <Control
              label={p.cameraOn ? t('cameraOff') : t('cameraOn')}
              icon={p.cameraOn ? <Video {...ICON} /> : <VideoOff {...ICON} />}
              shortcut={shortcutLabel('camera', t('ctrlKey'))}
              pressed={p.cameraOn}
              tone={p.cameraOn ? undefined : 'off'}
              testId="toggle-camera"
              onClick={p.onToggleCamera}
            />
            {p.sharing ? (
              <Control
                label={t('stopSharing')}
                icon={<MonitorX {...ICON} />}
                tone="on"
                testId="toggle-share"
                onClick={p.onStopSharing}
              />
            ) : (
              <Control
                label={t('share')}
                icon={<MonitorUp {...ICON} />}
                blockedBecause={p.presenterName ? t('presenterBlocks', { name: p.presenterName }) : null}
                testId="toggle-share"
                onClick={p.onShareScreen}
              />
            )}
          </>
        )}
        {!narrow && hand}
        {!narrow && (
          <Menu.Root modal={false}>
            <span className={styles.tipWrap}>
              <Menu.Trigger asChild>
                <button type="button" className={styles.control} aria-label={t('react')}>
                  <SmilePlus {...ICON} />
                </button>
              </Menu.Trigger>
              <span className={styles.tip} aria-hidden="true">
                {t('react')}
              </span>
            </span>
            <Menu.Portal>
              <Menu.Content className={`${styles.menu} ${styles.reactionMenu}`} side="top" sideOffset={6}>
                <ReactionItems onReact={p.onReact} />
              </Menu.Content>
            </Menu.Portal>
          </Menu.Root>
        )}
        {narrow && chat}
        {narrow && people}
        <MoreMenu {...p} narrow={narrow} />
        <Control
          label={t('leave')}
          icon={<PhoneOff {...ICON} />}
          tone="leave"
          testId="leave-call"
          onClick={p.onLeave}
        />
      </div>
      {!narrow && (
        <div className={`${styles.controlGroup} ${styles.panelGroup}`}>
          {panelButton('info', tp('info'), <Info {...ICON} />)}
          {people}
          {chat}
          {p.hostControls && panelButton('host', tp('host'), <ShieldCheck {...ICON} />)}
          {p.recording}
        </div>
      )}
    </nav>
  );
}

function ReactionItems({ onReact }: Pick<ControlBarProps, 'onReact'>) {
  const t = useTranslations('controls');
  return REACTIONS.map((emoji) => (
    <Menu.Item
      key={emoji}
      className={styles.menuItem}
      onSelect={() => onReact(emoji)}
      aria-label={t('reactWith', { emoji })}
    >
      {emoji}
    </Menu.Item>
  ));
}

/** What does not fit the bar: settings always; on phones also hand, reactions, meeting details and host controls. */
function MoreMenu(p: ControlBarProps & { narrow: boolean }) {
  const t = useTranslations('controls');
  const tp = useTranslations('panels');
  return (
    <Menu.Root modal={false}>
      <span className={styles.tipWrap}>
        <Menu.Trigger asChild>
          <button type="button" className={styles.control} aria-label={t('more')} data-testid="more-options">
            <EllipsisVertical {...ICON} />
          </button>
        </Menu.Trigger>
        <span className={styles.tip} aria-hidden="true">
          {t('more')}
        </span>
      </span>
      <Menu.Portal>
        <Menu.Content className={styles.menu} side="top" align="end" sideOffset={6} data-testid="more-menu">
          {p.narrow && (
            <>
              <Menu.Item className={styles.menuItem} onSelect={p.onToggleHand}>
                <Hand {...ICON} /> {p.handRaised ? t('lowerHand') : t('raiseHand')}
              </Menu.Item>
              <Menu.Group className={styles.reactionMenu} aria-label={t('react')}>
                <ReactionItems onReact={p.onReact} />
              </Menu.Group>
              <Menu.Item className={styles.menuItem} onSelect={() => p.onPanel('info')}>
                <Info {...ICON} /> {tp('info')}
              </Menu.Item>
              {p.hostControls && (
                <Menu.Item className={styles.menuItem} onSelect={() => p.onPanel('host')}>
                  <ShieldCheck {...ICON} /> {tp('host')}
                </Menu.Item>
              )}
            </>
          )}
          <Menu.Item className={styles.menuItem} onSelect={p.onSettings}>
            <Settings {...ICON} /> {t('settings')}
          </Menu.Item>
        </Menu.Content>
      </Menu.Portal>
    </Menu.Root>
  );
}
