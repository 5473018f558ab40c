'use client';
import * as Menu from '@radix-ui/react-dropdown-menu';
import { useTranslations } from 'use-intl';
import { can, canTarget, type Role } from '@/lib/permissions';
import type { LobbyEntryInfo, ParticipantInfo } from '@/lib/protocol';
import { peopleOrder } from '@/lib/client/room-state';
import styles from './meeting.module.css';

/** What a host or co-host can do to one person from the menu. */
export type PersonCommand =
  | 'mute'
  | 'ask-unmute'
  | 'stop-video'
  | 'stop-share'
  | 'make-cohost'
  | 'remove-cohost'
  | 'lower-hand'
  | 'remove'
  | 'ban'
  | 'transfer-host'
  | 'demote';

export interface ParticipantListProps {
  participants: ParticipantInfo[];
  selfId: string | null;
  selfRole: Role;
  lobby: LobbyEntryInfo[];
  onCommand: (command: PersonCommand, participantId: string) => void;
  onAdmit: (participantId: string) => void;
  onDeny: (participantId: string) => void;
  onAdmitAll: () => void;
}

/** Each menu entry's words (in `people`). */
const COMMAND_LABEL = {
  mute: 'mute',
  'ask-unmute': 'askUnmute',
  'stop-video': 'stopVideo',
  'stop-share': 'stopShare',
  'lower-hand': 'lowerHand',
  'make-cohost': 'makeCohost',
  'remove-cohost': 'removeCohost',
  'transfer-host': 'transferHost',
  demote: 'demote',
  remove: 'remove',
  ban: 'ban',
} as const satisfies Record<PersonCommand, string>;

/** The menu entries one actor may use on one target, straight from the permission table. */
export function commandsFor(actor: Role, target: ParticipantInfo, isSelf: boolean): PersonCommand[] {
  if (isSelf) return [];
  const aim = canTarget(actor, target.role);
  const out: PersonCommand[] = [];
  if (aim && can(actor, 'mute') && target.media.audio) out.push('mute');
  if (aim && can(actor, 'request-unmute') && !target.media.audio) out.push('ask-unmute');
  if (aim && can(actor, 'mute') && target.media.video) out.push('stop-video');
  if (aim && can(actor, 'stop-screen-share') && target.media.screen) out.push('stop-share');
  if (aim && can(actor, 'lower-hand') && target.handRaisedAt !== null) out.push('lower-hand');
  if (can(actor, 'set-role') && target.role === 'participant') out.push('make-cohost');
  if (can(actor, 'set-role') && target.role === 'cohost') out.push('remove-cohost');
  if (can(actor, 'transfer-host')) out.push('transfer-host');
  if (aim && can(actor, 'demote')) out.push('demote');
  if (aim && can(actor, 'kick')) out.push('remove');
  if (aim && can(actor, 'ban')) out.push('ban');
  return out;
}

export function ParticipantList(p: ParticipantListProps) {
  const t = useTranslations('people');
  const tp = useTranslations('panels');
  const tt = useTranslations('tile');
  const moderator = can(p.selfRole, 'admit');
  return (
    <section className={styles.panelSection} aria-labelledby="people-heading">
      {moderator && p.lobby.length > 0 && (
        <div className={styles.lobby} data-testid="lobby" aria-label={t('waiting')}>
          <h3>{t('waitingCount', { count: p.lobby.length })}</h3>
          <ul>
            {p.lobby.map((k) => (
              <li key={k.participantId} data-testid={`knock-${k.participantId}`}>
                <span className={styles.personName}>
                  {k.displayName}
                  {k.isGuest && <span className={styles.role}> {t('guest')}</span>}
                </span>
                <span className={styles.rowActions}>
                  <button
                    type="button"
                    onClick={() => p.onAdmit(k.participantId)}
                    aria-label={t('admitName', { name: k.displayName })}
                  >
                    {t('admit')}
                  </button>
                  <button
                    type="button"
                    className="secondary"
                    onClick={() => p.onDeny(k.participantId)}
                    aria-label={t('denyName', { name: k.displayName })}
                  >
                    {t('deny')}
                  </button>
                </span>
              </li>
            ))}
          </ul>
          {p.lobby.length > 1 && (
            <button type="button" onClick={p.onAdmitAll}>
              {t('admitAll')}
            </button>
          )}
        </div>
      )}
      <h2 id="people-heading">{tp('peopleCount', { count: p.participants.length })}</h2>
      <ul data-testid="participant-list" className={styles.peopleList}>
        {peopleOrder(p.participants).map((person) => {
          const isSelf = person.participantId === p.selfId;
          const commands = commandsFor(p.selfRole, person, isSelf);
          const role = person.role === 'host' ? t('host') : person.role === 'cohost' ? t('cohost') : null;
          return (
            <li key={person.participantId} data-testid={`participant-${person.participantId}`}>
              <span className={styles.personName}>
                {person.handRaisedAt !== null && (
                  <span role="img" aria-label={tt('handRaised')} className={styles.hand}>
                    ✋{' '}
                  </span>
                )}
                {isSelf ? tt('you', { name: person.displayName }) : person.displayName}
                {role && <span className={styles.role}> {role}</span>}
              </span>
              <span className={styles.rowActions}>
                {!person.media.audio && (
                  <span role="img" aria-label={tt('micOff')} className={styles.badge} data-testid="muted-icon">
                    {tt('micOffBadge')}
                  </span>
                )}
                {commands.length > 0 && (
                  <PersonMenu
                    name={person.displayName}
                    commands={commands}
                    onPick={(c) => p.onCommand(c, person.participantId)}
                  />
                )}
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function PersonMenu({
  name,
  commands,
  onPick,
}: {
  name: string;
  commands: PersonCommand[];
  onPick: (c: PersonCommand) => void;
}) {
  const t = useTranslations('people');
  return (
    <Menu.Root modal={false}>
      <Menu.Trigger asChild>
        <button type="button" className={`secondary ${styles.iconButton}`} aria-label={t('actionsFor', { name })}>
          ⋮
        </button>
      </Menu.Trigger>
      <Menu.Portal>
        <Menu.Content className={styles.menu} align="end" sideOffset={4}>
          {commands.map((command) => (
            <Menu.Item
              key={command}
              className={styles.menuItem}
              onSelect={() => onPick(command)}
              data-danger={command === 'remove' || command === 'ban' ? '' : undefined}
            >
              {t(COMMAND_LABEL[command])}
            </Menu.Item>
          ))}
        </Menu.Content>
      </Menu.Portal>
    </Menu.Root>
  );
}
