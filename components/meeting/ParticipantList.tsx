'use client';
import * as Menu from '@radix-ui/react-dropdown-menu';
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

const ROLE_LABEL: Record<Role, string | null> = { host: 'Host', cohost: 'Co-host', participant: null, audience: null };

/** The menu entries one actor may use on one target, straight from the permission table. */
export function commandsFor(actor: Role, target: ParticipantInfo, isSelf: boolean): Array<[PersonCommand, string]> {
  if (isSelf) return [];
  const aim = canTarget(actor, target.role);
  const out: Array<[PersonCommand, string]> = [];
  if (aim && can(actor, 'mute') && target.media.audio) out.push(['mute', 'Mute']);
  if (aim && can(actor, 'request-unmute') && !target.media.audio) out.push(['ask-unmute', 'Ask to unmute']);
  if (aim && can(actor, 'mute') && target.media.video) out.push(['stop-video', 'Stop video']);
  if (aim && can(actor, 'stop-screen-share') && target.media.screen) out.push(['stop-share', 'Stop share']);
  if (aim && can(actor, 'lower-hand') && target.handRaisedAt !== null) out.push(['lower-hand', 'Lower hand']);
  if (can(actor, 'set-role') && target.role === 'participant') out.push(['make-cohost', 'Make co-host']);
  if (can(actor, 'set-role') && target.role === 'cohost') out.push(['remove-cohost', 'Remove co-host']);
  if (can(actor, 'transfer-host')) out.push(['transfer-host', 'Transfer host']);
  if (aim && can(actor, 'demote')) out.push(['demote', 'Move to audience']);
  if (aim && can(actor, 'kick')) out.push(['remove', 'Remove from meeting']);
  if (aim && can(actor, 'ban')) out.push(['ban', 'Remove and ban']);
  return out;
}

export function ParticipantList(p: ParticipantListProps) {
  const moderator = can(p.selfRole, 'admit');
  return (
    <section className={styles.panelSection} aria-labelledby="people-heading">
      {moderator && p.lobby.length > 0 && (
        <div className={styles.lobby} data-testid="lobby" aria-label="Waiting to join">
          <h3>Waiting to join ({p.lobby.length})</h3>
          <ul>
            {p.lobby.map((k) => (
              <li key={k.participantId} data-testid={`knock-${k.participantId}`}>
                <span className={styles.personName}>
                  {k.displayName}
                  {k.isGuest && <span className={styles.role}> guest</span>}
                </span>
                <span className={styles.rowActions}>
                  <button
                    type="button"
                    onClick={() => p.onAdmit(k.participantId)}
                    aria-label={`Admit ${k.displayName}`}
                  >
                    Admit
                  </button>
                  <button
                    type="button"
                    className="secondary"
                    onClick={() => p.onDeny(k.participantId)}
                    aria-label={`Deny ${k.displayName}`}
                  >
                    Deny
                  </button>
                </span>
              </li>
            ))}
          </ul>
          {p.lobby.length > 1 && (
            <button type="button" onClick={p.onAdmitAll}>
              Admit all
            </button>
          )}
        </div>
      )}
      <h2 id="people-heading">People ({p.participants.length})</h2>
      <ul data-testid="participant-list" className={styles.peopleList}>
        {peopleOrder(p.participants).map((person) => {
          const isSelf = person.participantId === p.selfId;
          const commands = commandsFor(p.selfRole, person, isSelf);
          const role = ROLE_LABEL[person.role];
          return (
            <li key={person.participantId} data-testid={`participant-${person.participantId}`}>
              <span className={styles.personName}>
                {person.handRaisedAt !== null && (
                  <span role="img" aria-label="Hand raised" className={styles.hand}>
                    ✋{' '}
                  </span>
                )}
                {isSelf ? `${person.displayName} (you)` : person.displayName}
                {role && <span className={styles.role}> {role}</span>}
              </span>
              <span className={styles.rowActions}>
                {!person.media.audio && (
                  <span role="img" aria-label="Microphone off" className={styles.badge} data-testid="muted-icon">
                    mic off
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
  commands: Array<[PersonCommand, string]>;
  onPick: (c: PersonCommand) => void;
}) {
  return (
    <Menu.Root modal={false}>
      <Menu.Trigger asChild>
        <button type="button" className={`secondary ${styles.iconButton}`} aria-label={`Actions for ${name}`}>
          ⋮
        </button>
      </Menu.Trigger>
      <Menu.Portal>
        <Menu.Content className={styles.menu} align="end" sideOffset={4}>
          {commands.map(([command, label]) => (
            <Menu.Item
              key={command}
              className={styles.menuItem}
              onSelect={() => onPick(command)}
              data-danger={command === 'remove' || command === 'ban' ? '' : undefined}
            >
              {label}
            </Menu.Item>
          ))}
        </Menu.Content>
      </Menu.Portal>
    </Menu.Root>
  );
}
