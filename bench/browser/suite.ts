/** Suite (c): browser end to end. Placeholder until the page-level measurements land. */
export async function runBrowserSuite(o: { runs: number; log: (line: string) => void }) {
  o.log('  browser suite: not yet measured');
  return { measured: false, headline: ['| Browser: share → first remote frame, glass-to-glass | | not yet measured | | p50 ≤ 300 ms; ≤ P2P + 20 ms | n/a |'], detail: ['Not yet measured.'] };
}
