'use client';
/**
 * "You're muted": whether the person is talking into a muted microphone. A
 * local Web Audio analyser listens to a copy of the mic track (a muted
 * producer's own track is disabled and so silent); nothing is sent anywhere.
 */
import { useEffect, useState } from 'react';

/** RMS above this counts as sound (speech sits around 0.05–0.2; a quiet room well under 0.01). */
const THRESHOLD = 0.02;
/** Sound this long turns the hint on; silence this long turns it off. */
const ON_MS = 250;
const OFF_MS = 2_000;
const TICK_MS = 50;

export function useSpeakingWhileMuted(track: MediaStreamTrack | null, muted: boolean): boolean {
  const [speaking, setSpeaking] = useState(false);
  useEffect(() => {
    setSpeaking(false);
    if (!track || !muted || track.readyState === 'ended') return;
    const copy = track.clone();
    copy.enabled = true;
    const ctx = new AudioContext();
    const source = ctx.createMediaStreamSource(new MediaStream([copy]));
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 1024;
    source.connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    let loudFor = 0;
    let quietFor = 0;
    let on = false;
    // A timer, not animation frames: the hint matters even when the tab is in the background.
    const timer = setInterval(() => {
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const v of samples) sum += v * v;
      const loud = Math.sqrt(sum / samples.length) > THRESHOLD;
      loudFor = loud ? loudFor + TICK_MS : 0;
      quietFor = loud ? 0 : quietFor + TICK_MS;
      if (!on && loudFor >= ON_MS) setSpeaking((on = true));
      else if (on && quietFor >= OFF_MS) setSpeaking((on = false));
    }, TICK_MS);
    void ctx.resume().catch(() => undefined);
    return () => {
      clearInterval(timer);
      source.disconnect();
      copy.stop();
      void ctx.close();
    };
  }, [track, muted]);
  return speaking;
}
