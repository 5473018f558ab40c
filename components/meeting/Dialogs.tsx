'use client';
import * as Dialog from '@radix-ui/react-dialog';
import { useEffect, useState, type ReactNode } from 'react';
import { useTranslations } from 'use-intl';
import { THEMES, loadTheme, saveTheme, type Theme } from '@/lib/client/theme';
import type { DeviceChoice, DeviceLists } from '@/lib/client/use-devices';
import { LanguageSelect } from '../LanguageSelect';
import { DevicePickers } from './DevicePickers';
import styles from './meeting.module.css';
import states from './states.module.css';

/**
 * What focus goes back to when a dialog closes: the element that had it when
 * the dialog was asked for, or, for an item of a menu (gone by then), the
 * button that opened the menu. Call it in the click or select handler.
 */
export function rememberOpener(): HTMLElement | null {
  const active = document.activeElement as HTMLElement | null;
  const menu = active?.closest('[role="menu"]');
  const trigger = menu?.getAttribute('aria-labelledby');
  return (trigger && document.getElementById(trigger)) || active;
}

interface ShellProps {
  open: boolean;
  /** From rememberOpener(); Radix's own choice (the element focused before it opened) otherwise. */
  returnFocus?: HTMLElement | null;
  onOpenChange: (open: boolean) => void;
  title: string;
  description?: string;
  children: ReactNode;
  testId: string;
  /** Where focus goes on close, when the element that opened it is gone (e.g. an item of a closed menu). */
  returnFocusTo?: () => HTMLElement | null;
}

/** A modal Radix dialog: focus moves in and stays, Esc and the overlay close it, title and description label it. */
function Shell(p: ShellProps) {
  const { open, onOpenChange, title, description, children, testId } = p;
  return (
    <Dialog.Root open={open} onOpenChange={onOpenChange}>
      <Dialog.Portal>
        <Dialog.Overlay className={styles.overlay} />
        <Dialog.Content
          className={styles.dialog}
          data-testid={testId}
          {...(!description && { 'aria-describedby': undefined })}
          onCloseAutoFocus={(e) => {
            // The opener may be gone (the person was removed, the menu closed): then the fallback, else Radix decides.
            const target = [p.returnFocus, p.returnFocusTo?.()].find((el) => el?.isConnected);
            if (!target) return;
            e.preventDefault();
            target.focus();
          }}
        >
          <Dialog.Title>{title}</Dialog.Title>
          {description && <Dialog.Description>{description}</Dialog.Description>}
          {children}
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

export interface ConfirmDialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description: string;
  confirmLabel: string;
  onConfirm: () => void;
  returnFocus?: HTMLElement | null;
}

/** "Are you sure?" for actions that cannot be undone from here (transfer host, remove, remove and ban, end for all). */
export function ConfirmDialog(p: ConfirmDialogProps) {
  const tc = useTranslations('common');
  return (
    <Shell
      open={p.open}
      onOpenChange={p.onOpenChange}
      title={p.title}
      description={p.description}
      testId="confirm-dialog"
      returnFocus={p.returnFocus ?? null}
    >
      <div className={styles.dialogActions}>
        <Dialog.Close asChild>
          <button type="button" className="secondary">
            {tc('cancel')}
          </button>
        </Dialog.Close>
        <button
          type="button"
          className={styles.danger}
          onClick={() => {
            p.onOpenChange(false);
            p.onConfirm();
          }}
        >
          {p.confirmLabel}
        </button>
      </div>
    </Shell>
  );
}

export interface LeaveDialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** Who the server would make host, from get-successor; null: nobody; undefined: still asking. */
  successor: string | null | undefined;
  onLeave: () => void;
  onEndForAll: () => void;
  returnFocus?: HTMLElement | null;
}

/** The host's Leave: leave (naming who takes over) or end the meeting for everyone. */
export function LeaveDialog(p: LeaveDialogProps) {
  const t = useTranslations('leave');
  const tc = useTranslations('common');
  const description =
    p.successor === undefined
      ? t('checking')
      : p.successor === null
        ? t('noSuccessor')
        : t('successor', { name: p.successor });
  return (
    <Shell
      open={p.open}
      onOpenChange={p.onOpenChange}
      title={t('title')}
      description={description}
      testId="leave-dialog"
      returnFocus={p.returnFocus ?? null}
    >
      <div className={styles.dialogActions}>
        <Dialog.Close asChild>
          <button type="button" className="secondary">
            {tc('cancel')}
          </button>
        </Dialog.Close>
        <button
          type="button"
          className={styles.danger}
          onClick={() => {
            p.onOpenChange(false);
            p.onEndForAll();
          }}
        >
          {t('endForAll')}
        </button>
        <button
          type="button"
          className={states.primary}
          onClick={() => {
            p.onOpenChange(false);
            p.onLeave();
          }}
        >
          {t('leave')}
        </button>
      </div>
    </Shell>
  );
}

export interface SettingsDialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  lists: DeviceLists;
  choice: DeviceChoice;
  onChange: (choice: DeviceChoice) => void;
  returnFocusTo?: () => HTMLElement | null;
  /** More settings below the devices (e.g. notices). */
  children?: ReactNode;
}

/** Devices during the meeting: a change applies at once (the sent track is replaced). */
export function SettingsDialog(p: SettingsDialogProps) {
  const t = useTranslations('settings');
  return (
    <Shell
      open={p.open}
      onOpenChange={p.onOpenChange}
      title={t('title')}
      description={t('description')}
      testId="settings-dialog"
      {...(p.returnFocusTo && { returnFocusTo: p.returnFocusTo })}
    >
      <DevicePickers lists={p.lists} choice={p.choice} onChange={p.onChange} />
      <ThemePicker open={p.open} />
      <div className={styles.field}>
        <LanguageSelect />
      </div>
      {p.children}
      <div className={styles.dialogActions}>
        <Dialog.Close asChild>
          <button type="button">{t('done')}</button>
        </Dialog.Close>
      </div>
    </Shell>
  );
}

/** System, Light or Dark: applies at once and is remembered in this browser (lib/client/theme.ts). */
function ThemePicker({ open }: { open: boolean }) {
  const t = useTranslations('settings');
  const [theme, setTheme] = useState<Theme>('system');
  useEffect(() => {
    if (open) setTheme(loadTheme());
  }, [open]);
  return (
    <fieldset className={styles.fieldset} data-testid="theme-picker">
      <legend>{t('theme')}</legend>
      <div className={styles.segmented}>
        {THEMES.map((choice) => (
          <label key={choice} className={styles.check}>
            <input
              type="radio"
              name="theme"
              value={choice}
              checked={theme === choice}
              onChange={() => {
                setTheme(choice);
                saveTheme(choice);
              }}
            />
            {t(choice)}
          </label>
        ))}
      </div>
    </fieldset>
  );
}
