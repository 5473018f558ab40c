/** Reads a V8 .cpuprofile (node --cpu-prof) and lists where self time went, by function and by file. */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

export interface ProfileSummary {
  totalMs: number;
  topFunctions: { name: string; where: string; selfMs: number; share: number }[];
  byPackage: { pkg: string; selfMs: number; share: number }[];
}

/** Which package (or our own directory) a script URL belongs to. */
function packageOf(url: string): string {
  if (!url) return '(native/gc/idle)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return 'node core';
  const m = /\/(server|lib|bench)\/([^/]+)/.exec(url);
  return m ? `${m[1]}/${m[2]}` : url;
}

export function summarizeProfile(file: string, top = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const fn = new Map<string, { name: string; where: string; us: number }>();
  const pkg = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)' || functionName === '(program)') continue;
    total += us;
    const where = url ? `${url.replace(/^.*\/(node_modules|server|lib|bench)\//, '$1/')}:${lineNumber + 1}` : '';
    const key = `${functionName}@${where}`;
    const entry = fn.get(key) ?? { name: functionName || '(anonymous)', where, us: 0 };
    entry.us += us;
    fn.set(key, entry);
    const p = functionName === '(garbage collector)' ? '(garbage collector)' : packageOf(url);
    pkg.set(p, (pkg.get(p) ?? 0) + us);
  }
  const ms = (us: number) => Math.round(us / 100) / 10;
  return {
    totalMs: ms(total),
    topFunctions: [...fn.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((f) => ({ name: f.name, where: f.where, selfMs: ms(f.us), share: Math.round((f.us / total) * 1000) / 10 })),
    byPackage: [...pkg.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([p, us]) => ({ pkg: p, selfMs: ms(us), share: Math.round((us / total) * 1000) / 10 })),
  };
}
