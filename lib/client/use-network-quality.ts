'use client';
/**
 * Samples the MediaSession's getStats() counters every couple of seconds and
 * turns them into a level per tile, and "unstable" once my own link has stayed
 * poor for a few seconds (network-quality.ts holds the rules).
 */
import { useEffect, useState } from 'react';
import type { MediaSession } from './media-session';
import { isUnstable, linkQuality, poorSince, type LinkCounters, type LinkQuality } from './network-quality';

export interface NetworkQualityView {
  /** My own link (what I send), null before anything is sent. */
  self: LinkQuality | null;
  /** Each remote participant's, as their streams reach me. */
  remote: Record<string, LinkQuality>;
  /** My own link has been poor for a few seconds: say so. */
  unstable: boolean;
}

const EMPTY: NetworkQualityView = { self: null, remote: {}, unstable: false };
export const SAMPLE_MS = 2_000;

export function useNetworkQuality(session: MediaSession | null, intervalMs = SAMPLE_MS): NetworkQualityView {
  const [view, setView] = useState<NetworkQualityView>(EMPTY);
  useEffect(() => {
    setView(EMPTY);
    if (!session) return;
    let previous: { self: LinkCounters | null; remote: Record<string, LinkCounters> } = { self: null, remote: {} };
    let since: number | null = null;
    let stopped = false;
    const sample = async () => {
      const now = await session.networkCounters().catch(() => null);
      if (stopped || !now) return;
      const self = now.self && linkQuality(previous.self, now.self);
      const remote: Record<string, LinkQuality> = {};
      for (const [id, c] of Object.entries(now.remote)) remote[id] = linkQuality(previous.remote[id] ?? null, c);
      previous = now;
      since = poorSince(since, self?.level ?? null, Date.now());
      setView({ self, remote, unstable: isUnstable(since, Date.now()) });
    };
    const timer = setInterval(() => void sample(), intervalMs);
    void sample();
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [session, intervalMs]);
  return view;
}
