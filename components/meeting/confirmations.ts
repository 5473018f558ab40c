/** The words of each host confirmation (transfer host, remove, remove and ban, end for all). */
import type { PersonCommand } from './ParticipantList';

/** A host action waiting for "Are you sure?". */
export type Confirm =
  { kind: 'end' } | { kind: 'ban' | 'remove' | 'transfer-host'; participantId: string; name: string };

/** What each confirmation says; `ban` adds what a ban can and cannot stop. */
export function confirmText(c: Confirm | null, banNote: string) {
  switch (c?.kind) {
    case 'ban':
      return { title: `Remove and ban ${c.name}?`, description: banNote, label: 'Remove and ban' };
    case 'remove':
      return {
        title: `Remove ${c.name}?`,
        description: `${c.name} leaves the meeting now. They can ask to join again.`,
        label: 'Remove',
      };
    case 'transfer-host':
      return {
        title: `Make ${c.name} the host?`,
        description: `${c.name} gets every host control and you become a co-host. Only they can give the role back.`,
        label: 'Make host',
      };
    case 'end':
    case undefined:
      return {
        title: 'End the meeting for everyone?',
        description: 'Everyone, including you, leaves the meeting now.',
        label: 'End meeting for all',
      };
  }
}

/** The people-menu commands that ask first. */
export const CONFIRMED: ReadonlySet<PersonCommand> = new Set(['ban', 'remove', 'transfer-host']);
