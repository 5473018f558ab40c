'use client';
/**
 * What a tile offers besides showing someone: pin (for me only), spotlight
 * (hosts and co-hosts, for everyone) and the network indicator. Given through
 * context so the layouts that place tiles need not carry these props.
 */
import { createContext, useContext } from 'react';
import type { LinkQuality } from '@/lib/client/network-quality';

export interface TileActions {
  pinnedId: string | null;
  spotlightId: string | null;
  /** Whether I may spotlight (from the permission table); the server decides again. */
  canSpotlight: boolean;
  /** Pin someone for me, or unpin with null. */
  onPin: (participantId: string | null) => void;
  /** Spotlight someone for everyone, or end it with null. */
  onSpotlight: (participantId: string | null) => void;
  /** Per participant; `self` for my own tile. */
  quality: (participantId: string, isSelf: boolean) => LinkQuality | null;
}

export const TileActionsContext = createContext<TileActions | null>(null);

export function useTileActions(): TileActions | null {
  return useContext(TileActionsContext);
}
