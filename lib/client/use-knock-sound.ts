'use client';
import { useEffect, useRef } from 'react';

/** A short two-tone chime when the waiting-room queue grows (hosts and co-hosts only get a queue). */
export function useKnockSound(waiting: number): void {
  const previous = useRef(waiting);
  useEffect(() => {
    const grew = waiting > previous.current;
    previous.current = waiting;
    if (!grew || typeof AudioContext === 'undefined') return;
    try {
      const ctx = new AudioContext();
      const gain = ctx.createGain();
      gain.gain.setValueAtTime(0.08, ctx.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + 0.5);
      gain.connect(ctx.destination);
      for (const [freq, at] of [
        [660, 0],
        [880, 0.15],
      ] as const) {
        const osc = ctx.createOscillator();
        osc.frequency.value = freq;
        osc.connect(gain);
        osc.start(ctx.currentTime + at);
        osc.stop(ctx.currentTime + at + 0.15);
      }
      setTimeout(() => void ctx.close(), 800);
    } catch {
      // Autoplay policy or no audio device: the badge still shows the knock.
    }
  }, [waiting]);
}
