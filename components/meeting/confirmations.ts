/** The words of each host confirmation (transfer host, remove, remove and ban, end for all). */
import type { useTranslations } from 'use-intl';
import type { PersonCommand } from './ParticipantList';

/** A host action waiting for "Are you sure?". */
export type Confirm =
  { kind: 'end' } | { kind: 'ban' | 'remove' | 'transfer-host'; participantId: string; name: string };

/** What a ban of this person can and cannot stop: `isGuest` and whether the ban shield is on. */
export interface BanTarget {
  isGuest: boolean;
  banShield: boolean;
}

/** What each confirmation says, from the `confirm` messages; `ban` adds what a ban can and cannot stop. */
export function confirmText(t: ReturnType<typeof useTranslations<'confirm'>>, c: Confirm | null, ban: BanTarget) {
  switch (c?.kind) {
    case 'ban': {
      const note = ban.isGuest
        ? `${t('banGuest')} ${t(ban.banShield ? 'banShieldOn' : 'banShieldOff')}`
        : t('banAccount');
      return { title: t('banTitle', { name: c.name }), description: note, label: t('banLabel') };
    }
    case 'remove':
      return {
        title: t('removeTitle', { name: c.name }),
        description: t('removeDetail', { name: c.name }),
        label: t('removeLabel'),
      };
    case 'transfer-host':
      return {
        title: t('transferTitle', { name: c.name }),
        description: t('transferDetail', { name: c.name }),
        label: t('transferLabel'),
      };
    case 'end':
    case undefined:
      return { title: t('endTitle'), description: t('endDetail'), label: t('endLabel') };
  }
}

/** The people-menu commands that ask first. */
export const CONFIRMED: ReadonlySet<PersonCommand> = new Set(['ban', 'remove', 'transfer-host']);
