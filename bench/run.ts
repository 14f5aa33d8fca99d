import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { formatProfile } from './cpu-profile';
import { EMBEDDED_SETTINGS, embedded } from './embedded';
import { engineOverHttp, HTTP_SETTINGS } from './engine-http';
import { table, type Results } from './report';
import { cleanupAll, log, serverVersions } from './support';
import { deadlineLateness, prepareTemplate, recovery, type Template, TIMER_SETTINGS } from './timers';

/*
 * `npm run bench`: transitions per second, latency at half load, deadline lateness, recovery and
 * the embedded mode, each beside its floor or target, in one table. Sizes come from BENCH_* (see
 * BENCHMARKS.md); BENCH_ONLY=http,lateness,recovery,embedded picks phases; BENCH_CPU_PROF=1 profiles
 * the API (phase 1), the worker (phase 3) and the embedded process (phase 5); BENCH_JSON=<file> also writes the raw results.
 */

const PHASES = ['http', 'lateness', 'recovery', 'embedded'] as const;
type Phase = (typeof PHASES)[number];

function wanted(): Set<Phase> {
  const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim()).filter(Boolean);
  if (!only || only.length === 0) return new Set(PHASES);
  const bad = only.filter((p) => !(PHASES as readonly string[]).includes(p));
  if (bad.length > 0) throw new Error(`BENCH_ONLY: unknown phase ${bad.join(', ')} (phases: ${PHASES.join(', ')})`);
  return new Set(only as Phase[]);
}

async function attempt<T>(phase: string, f: () => Promise<T>): Promise<T | Error> {
  const t = Date.now();
  try {
    const r = await f();
    log(`${phase}: done in ${((Date.now() - t) / 1000).toFixed(0)} s`);
    return r;
  } catch (err) {
    log(`${phase}: FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return err instanceof Error ? err : new Error(String(err));
  }
}

async function main(): Promise<void> {
  const phases = wanted();
  const started = Date.now();
  const versions = await serverVersions();
  const machine = `${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, PostgreSQL ${versions.postgres}, Redis ${versions.redis}`;
  const loadAtStart = loadavg().map((x) => x.toFixed(2)).join(' ');
  log(`machine: ${machine}; load average ${loadAtStart}`);
  log(`settings: ${JSON.stringify({ http: HTTP_SETTINGS, timers: TIMER_SETTINGS, embedded: EMBEDDED_SETTINGS })}`);

  const results: Results = {};
  if (phases.has('http')) results.http = await attempt('http', engineOverHttp);
  let template: Template | Error | undefined;
  if (phases.has('lateness') || phases.has('recovery')) template = await attempt('template', prepareTemplate);
  const withTemplate = <T>(f: (t: Template) => Promise<T>) => () => {
    if (!template || template instanceof Error) throw template ?? new Error('no template');
    return f(template);
  };
  if (phases.has('lateness')) results.lateness = await attempt('lateness', withTemplate(deadlineLateness));
  if (phases.has('recovery')) results.recovery = await attempt('recovery', withTemplate(recovery));
  if (template && !(template instanceof Error)) await template.db.drop();
  if (phases.has('embedded')) results.embedded = await attempt('embedded', embedded);

  const out: string[] = ['', `Shouhu benchmarks — ${new Date().toISOString()} — ${machine}`, '', table(results), ''];
  const http = results.http instanceof Error ? undefined : results.http;
  const late = results.lateness instanceof Error ? undefined : results.lateness;
  const emb = results.embedded instanceof Error ? undefined : results.embedded;
  if (http) out.push(`cores used at max load (CPU s / wall s): ${JSON.stringify(http.cores)}`);
  if (http) out.push(`cores used by the SQL floor: ${JSON.stringify(http.floorCores)}`);
  if (late) out.push(`cores used while deadlines fired: ${JSON.stringify(late.cores)}`);
  const rec = results.recovery instanceof Error ? undefined : results.recovery;
  if (rec) out.push(`cores used by the re-arm after the flush: ${JSON.stringify(rec.cores)}`);
  if (emb) out.push(`cores used by the embedded run: ${JSON.stringify(emb.cores)}`);
  for (const p of [http?.profile, late?.profile, emb?.profile]) if (p) out.push('', formatProfile(p));
  out.push('', `load average at start ${loadAtStart}, at end ${loadavg().map((x) => x.toFixed(2)).join(' ')} (other processes share this machine)`);
  out.push(`total ${((Date.now() - started) / 1000).toFixed(0)} s`);
  process.stdout.write(`${out.join('\n')}\n`);
  if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify({ machine, results }, (_k, v: unknown) => (v instanceof Error ? v.message : v), 2));
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: cleaning up`);
    void cleanupAll().finally(() => process.exit(130));
  });
}

main()
  .catch((err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(async () => {
    await cleanupAll();
    // Nothing may keep the process alive: every child and connection is closed by now.
    setTimeout(() => process.exit(), 1000).unref();
  });
