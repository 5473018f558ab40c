'use client';
import { useState } from 'react';
import { useFormatter, useTranslations } from 'use-intl';
import type { AudienceMemberInfo, AudiencePage } from '@/lib/protocol';
import styles from './meeting.module.css';

export interface AudiencePanelProps {
  count: number;
  /** Hosts and co-hosts see the audience's hands and may page through it. */
  moderator: boolean;
  hands: AudienceMemberInfo[];
  onPromote: (participantId: string) => void;
  onLowerHand: (participantId: string) => void;
  onRemove: (participantId: string) => void;
  /** One page of the audience after `after` (null when refused). */
  onLoadPage: (after: string | undefined) => Promise<AudiencePage | null>;
}

/** The audience in the people panel: a count for everyone; hands, paging and "Bring on stage" for moderators. */
export function AudiencePanel(p: AudiencePanelProps) {
  const t = useTranslations('audience');
  const tCommon = useTranslations('common');
  const format = useFormatter();
  const [members, setMembers] = useState<AudienceMemberInfo[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const load = async (after: string | undefined) => {
    const page = await p.onLoadPage(after);
    if (!page) return;
    setMembers((held) => [...(after ? (held ?? []) : []), ...page.members]);
    setNext(page.next);
  };
  const row = (m: AudienceMemberInfo, hand: boolean) => (
    <li key={m.participantId} data-testid={`audience-${m.participantId}`}>
      <span className={styles.personName}>
        {hand && (
          <span role="img" aria-label={t('handRaised')} className={styles.hand}>
            ✋{' '}
          </span>
        )}
        {m.displayName}
      </span>
      {p.moderator && (
        <span className={styles.rowActions}>
          <button
            type="button"
            onClick={() => p.onPromote(m.participantId)}
            aria-label={t('bringNameOnStage', { name: m.displayName })}
          >
            {t('bringOnStage')}
          </button>
          {hand ? (
            <button type="button" className="secondary" onClick={() => p.onLowerHand(m.participantId)}>
              {t('lowerHand')}
            </button>
          ) : (
            <button type="button" className="secondary" onClick={() => p.onRemove(m.participantId)}>
              {tCommon('remove')}
            </button>
          )}
        </span>
      )}
    </li>
  );
  return (
    <section className={styles.panelSection} aria-labelledby="audience-heading" data-testid="audience-panel">
      <h2 id="audience-heading">
        {t.rich('heading', {
          count: p.count,
          countText: format.number(p.count),
          n: (chunks) => <span data-testid="audience-count">{chunks}</span>,
        })}
      </h2>
      {p.moderator && p.hands.length > 0 && (
        <div className={styles.lobby} aria-label={t('handsLabel')}>
          <h3>{t('hands', { count: format.number(p.hands.length) })}</h3>
          <ul>{p.hands.map((m) => row(m, true))}</ul>
        </div>
      )}
      {p.moderator && members === null && p.count > 0 && (
        <button type="button" className="secondary" onClick={() => void load(undefined)}>
          {t('show')}
        </button>
      )}
      {p.moderator && members && (
        <>
          <ul className={styles.peopleList}>{members.map((m) => row(m, m.handRaisedAt !== null))}</ul>
          {next && (
            <button type="button" className="secondary" onClick={() => void load(next)}>
              {tCommon('more')}
            </button>
          )}
        </>
      )}
    </section>
  );
}

/** What an audience member sees over the stage: they are watching, and may ask to speak. */
export function WatchingBanner({ handRaised, onToggleHand }: { handRaised: boolean; onToggleHand: () => void }) {
  const t = useTranslations('audience');
  return (
    <div role="status" className={styles.watching} data-testid="watching">
      <span>
        {t('watching')} {handRaised ? t('watchingHandRaised') : ''}
      </span>{' '}
      <button
        type="button"
        className="secondary"
        onClick={onToggleHand}
        data-testid="watching-hand"
        aria-pressed={handRaised}
      >
        {handRaised ? t('lowerHand') : t('raiseHand')}
      </button>
    </div>
  );
}
