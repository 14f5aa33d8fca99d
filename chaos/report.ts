import type { FaultKind, FaultRecord } from './faults';
import type { InvariantReport } from './invariants';
import type { LoadRecord, Outcome } from './load';

/* The table `npm run chaos` prints, and the list of what failed (exit 1 if any). */

export interface RunSummary {
  settings: Record<string, unknown> & { recoverWithinMs: number; quietLimitMs: number; profile: string };
  loadSeconds: number;
  totalSeconds: number;
  record: LoadRecord;
  faults: FaultRecord[];
  workers: { started: number; killed: number; failedStarts: number; crashes: string[]; maxReadyAtOnce: number };
  quiet: { quiet: boolean; ms: number; last: string };
  invariants: InvariantReport;
  apiAlive: string | null;
  apiErrorLines: string[];
}

function table(head: string[], rows: (string | number)[][]): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const width = head.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(width[i]!)).join(' | ')} |`;
  return [line(head), `|${width.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.slice(1).map(line)].join('\n');
}

/** Responses whose answer came while a fault of these kinds was on (until the API was ready again). */
function during(record: LoadRecord, faults: FaultRecord[], kinds: FaultKind[]): Record<Outcome, number> {
  const windows = faults.filter((f) => kinds.includes(f.kind)).map((f) => f.window);
  const out: Record<Outcome, number> = { '2xx': 0, '503': 0, '500': 0, '409': 0, '4xx': 0, 'other-5xx': 0, 'no-answer': 0 };
  for (const r of record.responses) if (windows.some(([a, b]) => r.at >= a && r.at <= b)) out[r.outcome]++;
  return out;
}

export function summarise(s: RunSummary): { text: string; failures: string[] } {
  const failures: string[] = [];
  const r = s.record;
  const inv = s.invariants;
  const out: string[] = [`Shouhu chaos run (${s.settings.profile}) — ${new Date().toISOString()} — load ${s.loadSeconds.toFixed(0)} s, total ${s.totalSeconds.toFixed(0)} s`, ''];

  const count = (k: FaultKind) => s.faults.filter((f) => f.kind === k);
  const recovery = (fs: FaultRecord[]) =>
    fs.length === 0 ? '—' : fs.map((f) => (f.readyAfterMs === null ? 'NEVER' : `${(f.readyAfterMs / 1000).toFixed(1)}`)).join(', ');
  out.push('Faults injected', '');
  out.push(
    table(
      ['fault', 'count', 'down (s each)', 'API ready again after (s each)'],
      [
        ['worker killed with SIGKILL and replaced', s.workers.killed, '—', `${s.workers.started} workers started, ${s.workers.failedStarts} failed starts (replaced), max ${s.workers.maxReadyAtOnce} at once`],
        ...(['redis-flushall', 'redis-restart', 'pg-restart', 'pg-crash'] as FaultKind[]).map((k) => [
          { 'redis-flushall': 'Redis FLUSHALL', 'redis-restart': 'Redis stopped (SIGKILL), started empty', 'pg-restart': 'PostgreSQL stopped (fast) and started', 'pg-crash': 'PostgreSQL crashed (immediate) and started' }[k],
          count(k).length,
          count(k).map((f) => (f.downMs / 1000).toFixed(1)).join(', ') || '—',
          recovery(count(k)),
        ]),
      ],
    ),
  );
  if (s.workers.killed === 0) failures.push('no worker was killed (a second worker never became ready): the fault schedule did not run');
  for (const k of ['redis-flushall', 'redis-restart', 'pg-restart', 'pg-crash'] as FaultKind[]) if (count(k).length === 0) failures.push(`the fault ${k} was never injected`);
  for (const f of s.faults) if (f.readyAfterMs === null) failures.push(`the API did not become ready within ${s.settings.recoverWithinMs / 1000} s after ${f.kind} at ${f.atSec.toFixed(0)} s`);
  for (const c of s.workers.crashes) failures.push(`a worker died on its own: ${c.slice(0, 500)}`);
  if (s.apiAlive) failures.push(s.apiAlive);

  const pgOut = during(r, s.faults, ['pg-restart', 'pg-crash']);
  const redisOut = during(r, s.faults, ['redis-restart', 'redis-flushall']);
  out.push('', 'Commands (HTTP attempts; a command is retried on 503, 409, other 5xx or no answer)', '');
  out.push(
    table(
      ['', 'commands', 'acknowledged (2xx)', '503', '500', '409', 'other 4xx', 'other 5xx', 'no answer', 'given up'],
      [
        ['all attempts', r.commandsSent, r.outcomes['2xx'], r.outcomes['503'], r.outcomes['500'], r.outcomes['409'], r.outcomes['4xx'], r.outcomes['other-5xx'], r.outcomes['no-answer'], r.commandsGivenUp],
        ['answered during PostgreSQL faults', '', pgOut['2xx'], pgOut['503'], pgOut['500'], pgOut['409'], pgOut['4xx'], pgOut['other-5xx'], pgOut['no-answer'], ''],
        ['answered during Redis faults', '', redisOut['2xx'], redisOut['503'], redisOut['500'], redisOut['409'], redisOut['4xx'], redisOut['other-5xx'], redisOut['no-answer'], ''],
      ],
    ),
  );
  out.push('', `cases: ${r.casesOpened} opened (${r.flows.lapse} let lapse, ${r.flows.accept} accepted and closed), ${r.casesNotOpened} never opened; status codes ${JSON.stringify(r.statuses)}`);
  if (r.outcomes['500'] + r.outcomes['other-5xx'] > 0) {
    failures.push(`${r.outcomes['500']} responses 500 and ${r.outcomes['other-5xx']} other 5xx (not 503)`);
    out.push('first server errors:', ...r.serverErrors.slice(0, 5).map((e) => `  ${e}`));
  }
  if (r.outcomes['no-answer'] > 0) failures.push(`${r.outcomes['no-answer']} requests had no answer at all (connection refused, reset or timed out)`);

  const t = inv.timers;
  out.push('', 'Timers (from the timers table and the history)', '');
  out.push(
    table(
      ['timers', 'due by the end', 'fired', 'cancelled', 'stale', 'fired twice', 'pending past due', 'lateness of fired p50 / p99 / max (ms)'],
      [[t.total, t.due, t.fired, t.cancelled, t.stale, t.firedTwice, t.pendingPastDue, `${t.latenessMs.p50} / ${t.latenessMs.p99} / ${t.latenessMs.max}`]],
    ),
  );
  out.push(
    '',
    `history: ${inv.history.rows} rows in ${inv.history.cases} cases; ${inv.history.unackedCommitted} rows of attempts that were committed but not acknowledged (their answer was lost or came as an error)`,
    `notifications: outbox ${JSON.stringify(inv.notifications.outbox)}, inbox ${inv.notifications.inbox} rows`,
    `quiet: ${s.quiet.quiet ? `after ${(s.quiet.ms / 1000).toFixed(0)} s` : `NOT within ${s.settings.quietLimitMs / 1000} s`} (${s.quiet.last})`,
  );
  if (!s.quiet.quiet) failures.push(`not quiet within ${s.settings.quietLimitMs / 1000} s: ${s.quiet.last}`);

  out.push('', 'Invariants (SQL against the run\'s own PostgreSQL, after quiet)', '');
  out.push(table(['invariant', 'result', 'numbers'], inv.checks.map((c) => [c.name, c.ok ? 'HELD' : 'VIOLATED', c.detail])));
  for (const c of inv.checks) if (!c.ok) failures.push(`${c.name}: ${c.detail}`);
  if (s.apiErrorLines.length > 0) out.push('', 'API error log lines (count × message):', ...s.apiErrorLines.map((l) => `  ${l.slice(0, 400)}`));

  out.push('', failures.length === 0 ? 'RESULT: every promise held' : `RESULT: ${failures.length} FAILURE(S)`, ...failures.map((f) => `  - ${f}`));
  return { text: out.join('\n'), failures };
}
