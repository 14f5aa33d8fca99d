import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/*
 * Where the time goes: self time per function and per module from a V8 .cpuprofile (written by
 * `node --cpu-prof`). Also a command: `node dist/bench/cpu-profile.js <file.cpuprofile> [top]`.
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileRow {
  name: string;
  ms: number;
  pct: number;
}

export interface ProfileSummary {
  process: string;
  file: string;
  totalMs: number;
  /** Non-idle time: what the percentages below are of. */
  busyMs: number;
  functions: ProfileRow[];
  modules: ProfileRow[];
  /** The hottest leaves with the application frames that called them (innermost first). */
  stacks: ProfileRow[];
}

const IDLE = new Set(['(idle)']);

/** The package (node_modules), the repo folder (dist/…), node's own code, or V8's pseudo-frames. */
export function moduleOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native / V8 builtins)';
  if (url.startsWith('node:')) return 'node: (core)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const dist = url.indexOf('/dist/');
  if (dist >= 0) {
    const parts = url.slice(dist + 6).split('/');
    return `shouhu ${parts.slice(0, 2).join('/')}`;
  }
  return url.replace(/^file:\/\//, '');
}

export function summarize(profile: CpuProfile, processName: string, file: string, top = 15): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  }
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const frame = (id: number) => {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    return `${functionName || '(anonymous)'} [${moduleOf(url, functionName)}${url ? `:${lineNumber + 1}` : ''}]`;
  };
  /** The leaf, then up to three callers outside node's core (where the work was asked for). */
  const stackOf = (id: number) => {
    const out = [frame(id)];
    for (let p = parent.get(id); p !== undefined && out.length < 4; p = parent.get(p)) {
      const url = byId.get(p)!.callFrame.url;
      if (url && !url.startsWith('node:')) out.push(frame(p));
    }
    return out.join(' <- ');
  };
  const stacks = new Map<string, number>();
  const fns = new Map<string, number>();
  const mods = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, ms] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    total += ms;
    if (IDLE.has(functionName)) {
      idle += ms;
      continue;
    }
    const mod = moduleOf(url, functionName);
    const fn = `${functionName || '(anonymous)'} [${mod}${url ? `:${lineNumber + 1}` : ''}]`;
    fns.set(fn, (fns.get(fn) ?? 0) + ms);
    const st = stackOf(id);
    stacks.set(st, (stacks.get(st) ?? 0) + ms);
    mods.set(mod, (mods.get(mod) ?? 0) + ms);
  }
  const busy = total - idle;
  const rows = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => ({ name, ms: Math.round(ms), pct: Math.round((ms / busy) * 1000) / 10 }));
  return { process: processName, file, totalMs: Math.round(total), busyMs: Math.round(busy), functions: rows(fns), modules: rows(mods), stacks: rows(stacks).slice(0, 8) };
}

/** The newest .cpuprofile in `dir`, summarized. */
export function collectProfile(dir: string, processName: string, top = 15): ProfileSummary | undefined {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort();
  if (files.length === 0) return undefined;
  const file = join(dir, files[files.length - 1]!);
  return summarize(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, processName, file, top);
}

export function formatProfile(p: ProfileSummary): string {
  const lines = [`CPU profile of the ${p.process}: ${(p.busyMs / 1000).toFixed(1)} s busy of ${(p.totalMs / 1000).toFixed(1)} s sampled`];
  lines.push('  self time by module:');
  for (const r of p.modules) lines.push(`    ${r.pct.toFixed(1).padStart(5)}%  ${String(r.ms).padStart(7)} ms  ${r.name}`);
  lines.push('  self time by function:');
  for (const r of p.functions) lines.push(`    ${r.pct.toFixed(1).padStart(5)}%  ${String(r.ms).padStart(7)} ms  ${r.name}`);
  lines.push('  hottest stacks (leaf <- callers outside node core):');
  for (const r of p.stacks) lines.push(`    ${r.pct.toFixed(1).padStart(5)}%  ${String(r.ms).padStart(7)} ms  ${r.name}`);
  return lines.join('\n');
}

if (require.main === module) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: node dist/bench/cpu-profile.js <file.cpuprofile> [top]\n');
    process.exit(2);
  }
  const p = summarize(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, file, file, Number(top ?? 20));
  process.stdout.write(`${formatProfile(p)}\n`);
}
