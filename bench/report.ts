import type { EngineHttpResult } from './engine-http';
import type { EmbeddedResult } from './embedded';
import type { LatenessResult, RecoveryResult } from './timers';

/* The one table: each metric, what was measured, its target, and pass / miss. */

export interface Results {
  http?: EngineHttpResult | Error;
  lateness?: LatenessResult | Error;
  recovery?: RecoveryResult | Error;
  embedded?: EmbeddedResult | Error;
}

interface Row {
  metric: string;
  measured: string;
  target: string;
  result: 'pass' | 'MISS' | 'info' | 'ERROR' | 'skipped';
}

const n0 = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : String(x));
const ms = (x: number) => `${Number.isFinite(x) ? x.toFixed(x < 100 ? 1 : 0) : x} ms`;
const judge = (ok: boolean): Row['result'] => (ok ? 'pass' : 'MISS');

/** CPU milliseconds per operation of the named process groups, from cores used (CPU s / wall s) and the rate. */
function cpuPer(cores: Record<string, number>, rate: number, groups: string[], floorCores?: Record<string, number>, floorRate?: number): string {
  const per = (c: Record<string, number>, g: string, r: number) => ((c[g] ?? 0) * 1000 / r).toFixed(2);
  const engine = groups.map((g) => per(cores, g, rate)).join('; ');
  return floorCores && floorRate ? `${engine} (${per(floorCores, 'postgres', floorRate)})` : engine;
}

function httpRows(r: EngineHttpResult): Row[] {
  const ratio = r.max.rate / r.sqlFloor.rate;
  const other = Object.entries(r.max.statuses).filter(([k]) => k !== '200').map(([k, v]) => `${v}x${k}`);
  return [
    { metric: '1. engine transitions/s over HTTP (PostgreSQL)', measured: `${n0(r.max.rate)}/s (${n0(r.max.ok)} in ${r.max.seconds.toFixed(1)} s${other.length ? `; ${other.join(', ')}` : ''})`, target: '>= 2,000/s', result: judge(r.max.rate >= 2000) },
    { metric: '1. history rows = 200 responses', measured: `${n0(r.verified.historyRows)} rows, expected ${n0(r.verified.expected)}`, target: 'exact', result: judge(r.verified.ok) },
    { metric: '1. floor: plain SQL transactions/s', measured: `${n0(r.sqlFloor.rate)}/s`, target: '', result: 'info' },
    { metric: '1. floor: plain BullMQ add+process jobs/s', measured: `${n0(r.bullFloor.rate)}/s`, target: '', result: 'info' },
    { metric: '1. floor: bare node:http POST/s (no DB)', measured: `${n0(r.httpFloor.rate)}/s`, target: '', result: 'info' },
    { metric: '1. PostgreSQL transactions per NOTE', measured: `${r.xactsPerNote} (the SQL floor: 1)`, target: '', result: 'info' },
    { metric: '1. engine / SQL floor', measured: ratio.toFixed(2), target: '>= 0.5', result: judge(ratio >= 0.5) },
    // CPU time, unlike a rate, hardly depends on what else the machine runs: the number to compare across runs.
    { metric: '1. CPU ms per NOTE: api; postgres (SQL floor: postgres)', measured: cpuPer(r.cores, r.max.rate, ['api', 'postgres'], r.floorCores, r.sqlFloor.rate), target: '', result: 'info' },
    {
      metric: '2. latency at half load (autocannon overallRate)',
      measured: `p50 ${ms(r.half.latency.p50)}, p95 ${ms(r.half.latency.p95)}, p99 ${ms(r.half.latency.p99)} at ${n0(r.half.rate)}/s`,
      target: 'p99 < 50 ms',
      result: judge(r.half.latency.p99 < 50),
    },
    {
      metric: '2. latency at half load (evenly paced)',
      measured: `p50 ${ms(r.paced.latency.p50)}, p95 ${ms(r.paced.latency.p95)}, p99 ${ms(r.paced.latency.p99)} at ${n0(r.paced.rate)}/s`,
      target: 'p99 < 50 ms',
      result: judge(r.paced.latency.p99 < 50),
    },
  ];
}

function latenessRows(r: LatenessResult): Row[] {
  return [
    // With deadlines left unfired at the end, their lateness is a lower bound: shown with ">=".
    { metric: `3. deadline lateness, ${n0(r.timers + r.background)} pending, ${n0(r.timers)} due (median)`, measured: `${r.unfired ? '>= ' : ''}${ms(r.p50)}`, target: '< 50 ms', result: judge(r.p50 < 50) },
    { metric: '3. deadline lateness (p99; max)', measured: `${r.unfired ? '>= ' : ''}${ms(r.p99)}; max ${ms(r.max)}`, target: '< 250 ms', result: judge(r.p99 < 250) },
    {
      metric: '3. fired/s vs due/s; median late first/last 10%',
      measured: `${n0(r.fireRate)}/s vs ${n0(r.dueRate)}/s; ${ms(r.firstTenthP50)} / ${ms(r.lastTenthP50)}`,
      target: '',
      result: 'info',
    },
    // Per deadline fired and notified (the worker runs both the firing and the notify effect).
    { metric: '3. worker CPU ms per fired deadline', measured: cpuPer(r.cores, r.fireRate, ['worker']), target: '', result: 'info' },
    {
      metric: '3. each fired deadline notified once',
      measured:
        `${n0(r.fired)} fired, ${n0(r.notified)} notified` +
        (r.effectsPending ? ` + ${n0(r.effectsPending)} queued` : '') +
        (r.unfired ? `; ${n0(r.unfired)} of ${n0(r.timers)} not fired when the wait ended` : ''),
      target: 'equal',
      result: judge(r.notified + r.effectsPending === r.fired && r.fired + r.unfired === r.timers),
    },
  ];
}

function recoveryRows(r: RecoveryResult): Row[] {
  const perMillion = (r.recoverMs / r.timers) * 1_000_000;
  const measured = r.timers === 1_000_000 ? ms(r.recoverMs) : `${ms(r.recoverMs)} for ${n0(r.timers)} (=> ${(perMillion / 1000).toFixed(1)} s per 1M)`;
  return [
    { metric: '4. reconcile after a flush of our keys', measured, target: '1M < 60 s', result: judge(perMillion < 60_000) },
    { metric: '4. a reconcile round with all still armed', measured: `${ms(r.noopRoundMs)} for ${n0(r.timers)}`, target: '', result: 'info' },
    { metric: '4. Redis memory per pending timer', measured: `${n0(r.bytesPerTimer)} bytes`, target: '', result: 'info' },
  ];
}

function embeddedRows(r: EmbeddedResult): Row[] {
  return [
    { metric: '5. embedded (PGlite) transitions/s', measured: `${n0(r.max.rate)}/s (${n0(r.max.ok)} in ${r.max.seconds.toFixed(1)} s)`, target: '>= 300/s', result: judge(r.max.rate >= 300) },
    { metric: '5. embedded CPU ms per NOTE', measured: cpuPer(r.cores, r.max.rate, ['api + worker (embedded)']), target: '', result: 'info' },
    { metric: '5. embedded history rows = 200 responses', measured: `${n0(r.verified.historyRows)} rows, expected ${n0(r.verified.expected)}`, target: 'exact', result: judge(r.verified.ok) },
  ];
}

function section<T>(label: string, r: T | Error | undefined, rows: (r: T) => Row[]): Row[] {
  if (r === undefined) return [{ metric: label, measured: '', target: '', result: 'skipped' }];
  if (r instanceof Error) return [{ metric: label, measured: r.message.split('\n')[0]!.slice(0, 90), target: '', result: 'ERROR' }];
  return rows(r);
}

export function table(results: Results): string {
  const rows = [
    ...section('1-2. engine over HTTP', results.http, httpRows),
    ...section('3. deadline lateness', results.lateness, latenessRows),
    ...section('4. recovery', results.recovery, recoveryRows),
    ...section('5. embedded', results.embedded, embeddedRows),
  ];
  const head: Row = { metric: 'metric', measured: 'measured', target: 'target', result: 'info' };
  const w = (k: keyof Row) => Math.max(...[head, ...rows].map((r) => r[k].length));
  const line = (r: Row, result: string) => `| ${r.metric.padEnd(w('metric'))} | ${r.measured.padEnd(w('measured'))} | ${r.target.padEnd(w('target'))} | ${result.padEnd(7)} |`;
  return [
    line(head, 'result'),
    `|${'-'.repeat(w('metric') + 2)}|${'-'.repeat(w('measured') + 2)}|${'-'.repeat(w('target') + 2)}|---------|`,
    ...rows.map((r) => line(r, r.result === 'info' ? '' : r.result)),
  ].join('\n');
}
