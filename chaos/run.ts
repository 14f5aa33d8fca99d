import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { appEnv, cleanupAll, freePort, intEnv, sleep, spawnApp } from '../bench/support';
import { seedToken, waitReady } from '../bench/load';
import { FaultInjector, type FaultKind, WorkerPool } from './faults';
import { checkInvariants, waitQuiet } from './invariants';
import { LoadDriver, LoadRecord } from './load';
import { log } from './log';
import { type RunSummary, summarise } from './report';
import { PrivatePostgres, PrivateRedis } from './services';

/*
 * `npm run chaos` (and `npm run chaos:short`, the CI size): the kernel's promises under faults.
 * A private PostgreSQL cluster and a private Redis (never the shared ones), the built API and two
 * workers; cases opened and driven over HTTP while workers are killed, Redis is flushed and
 * restarted and PostgreSQL is restarted; then the invariants, from the database alone. See RELIABILITY.md.
 */

const SHORT = process.argv.includes('--short');

export const SETTINGS = {
  profile: SHORT ? 'short' : 'full',
  cases: intEnv('CHAOS_CASES', SHORT ? 300 : 2000),
  /** Cases are opened evenly over this many seconds; the fault schedule is laid over the same span. */
  seconds: intEnv('CHAOS_SECONDS', SHORT ? 50 : 240),
  deadlineMs: intEnv('CHAOS_DEADLINE_MS', SHORT ? 3000 : 5000),
  killEveryMs: intEnv('CHAOS_KILL_EVERY_MS', SHORT ? 5000 : 7000),
  downMs: intEnv('CHAOS_DOWN_MS', 4000),
  maxClients: intEnv('CHAOS_CLIENTS', 48),
  quietLimitMs: intEnv('CHAOS_QUIET_LIMIT_MS', SHORT ? 90_000 : 180_000),
  recoverWithinMs: intEnv('CHAOS_RECOVER_WITHIN_MS', 60_000),
  /** A request unanswered this long counts as "no answer" (a failure). Large: a starved machine is slow, not wrong. */
  requestTimeoutMs: intEnv('CHAOS_REQUEST_TIMEOUT_MS', 120_000),
  reconcileIntervalMs: intEnv('CHAOS_RECONCILE_INTERVAL_MS', 2000),
  seed: intEnv('CHAOS_SEED', 7),
  /** Fault cycles: the short run has one; the full run repeats them (and the kills) while the load runs. */
  cycles: intEnv('CHAOS_CYCLES', SHORT ? 1 : 1000),
};

/** One cycle of the schedule, every 60 s: a FLUSHALL, Redis stopped and started empty, PostgreSQL restarted (fast, then a crash). */
const CYCLE: { atSec: number; kind: FaultKind }[] = [
  { atSec: 8, kind: 'redis-flushall' },
  { atSec: 18, kind: 'redis-restart' },
  { atSec: 28, kind: 'pg-restart' },
  { atSec: 40, kind: 'pg-crash' },
];
const CYCLE_SECONDS = 60;

/** A small seeded generator, so that one seed picks the same victims in the same order. */
function rng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

/** The API's error-level log lines, shortened to what went wrong (pino JSON: msg and err). */
function errorLines(output: string): string[] {
  const seen = new Map<string, number>();
  for (const line of output.split('\n')) {
    if (!line.includes('"level":50')) continue;
    try {
      const j = JSON.parse(line) as { msg?: string; err?: { type?: string; message?: string; code?: string } };
      const key = `${j.msg ?? ''}: ${j.err?.type ?? ''} ${j.err?.code ?? ''} ${(j.err?.message ?? '').slice(0, 200)}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    } catch {
      seen.set(line.slice(0, 200), (seen.get(line.slice(0, 200)) ?? 0) + 1);
    }
  }
  return [...seen].map(([k, n]) => `${n} × ${k}`);
}

async function main(): Promise<number> {
  const s = SETTINGS;
  const runId = randomBytes(3).toString('hex');
  const started = Date.now();
  log(`settings: ${JSON.stringify(s)}; ${cpus().length} cores, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);

  const [pg, redis] = await Promise.all([PrivatePostgres.start(), PrivateRedis.start()]);
  log(`private PostgreSQL on 127.0.0.1:${pg.port} (${pg.dir}), private Redis on 127.0.0.1:${redis.port}`);
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env = appEnv({
    DATABASE_URL: pg.url,
    REDIS_URL: redis.url,
    QUEUE_PREFIX: `chaos-${runId}`,
    PORT: String(port),
    KERNEL_ACCEPT_WITHIN_MS: String(s.deadlineMs),
    RECONCILE_INTERVAL_MS: String(s.reconcileIntervalMs),
    OUTBOX_GRACE_MS: '1000',
  });
  const api = spawnApp('api', env);
  let apiExit: string | null = null;
  void api.exited.then((code) => (apiExit = `the API exited with ${code}: ${api.output().slice(-2000)}`));
  await waitReady(baseUrl);
  const token = await seedToken(pg.url);
  const workers = new WorkerPool(env, 2);
  await workers.start();
  log(`API on ${baseUrl} and 2 workers ready; load: ${s.cases} cases over ${s.seconds} s, deadline ${s.deadlineMs} ms`);

  const record = new LoadRecord();
  const t0 = Date.now();
  const driver = new LoadDriver(baseUrl, token, { cases: s.cases, openSeconds: s.seconds, maxClients: s.maxClients, requestTimeoutMs: s.requestTimeoutMs, maxAttempts: 60 }, record, runId);
  const injector = new FaultInjector(pg, redis, baseUrl, { downMs: s.downMs, recoverWithinMs: s.recoverWithinMs }, t0);
  const pick = rng(s.seed);

  let loadDone = false;
  const load = driver.run().finally(() => (loadDone = true));
  const progress = setInterval(() => {
    const o = record.outcomes;
    log(`progress: ${record.casesOpened} cases opened, ${record.commandsAcked} of ${record.commandsSent} commands acknowledged; answers 2xx ${o['2xx']}, 503 ${o['503']}, 500 ${o['500']}, 409 ${o['409']}, 4xx ${o['4xx']}, none ${o['no-answer']}`);
  }, 15_000);
  const faults = (async () => {
    for (let cycle = 0; cycle < s.cycles && (cycle === 0 || !loadDone); cycle++) {
      for (const f of CYCLE) {
        if (cycle > 0 && loadDone) break;
        const wait = t0 + (cycle * CYCLE_SECONDS + f.atSec) * 1000 - Date.now();
        if (wait > 0) await sleep(wait);
        await injector.inject(f.kind);
      }
    }
  })();
  const kills = (async () => {
    // While the load runs, within the fault cycles; the last stalled jobs then have time to come back.
    const killUntil = t0 + Math.max(s.seconds, s.cycles === 1 ? 0 : Infinity) * 1000;
    await sleep(3000);
    while (!loadDone && Date.now() < killUntil) {
      if (await workers.killOne(pick, s.killEveryMs * 2)) log(`fault: worker killed with SIGKILL (${workers.killed} so far); a new one starts`);
      await sleep(s.killEveryMs);
    }
  })();
  await Promise.all([load, faults, kills]);
  clearInterval(progress);
  const loadSeconds = (Date.now() - t0) / 1000;
  log(`load done in ${loadSeconds.toFixed(0)} s: ${record.commandsAcked} of ${record.commandsSent} commands acknowledged; waiting for quiet`);

  const quiet = await waitQuiet(pg.url, s.quietLimitMs);
  log(`quiet: ${quiet.quiet} after ${quiet.ms} ms (${quiet.last})`);
  const invariants = await checkInvariants(pg.url, record.acks);
  const apiAlive = apiExit === null && api.child.exitCode === null;
  await workers.stop();
  await api.stop();

  const summary: RunSummary = {
    settings: s,
    loadSeconds,
    totalSeconds: (Date.now() - started) / 1000,
    record,
    faults: injector.faults,
    workers: { started: workers.started, killed: workers.killed, failedStarts: workers.failedStarts, crashes: workers.crashes, maxReadyAtOnce: workers.maxReadyAtOnce },
    quiet,
    invariants,
    apiAlive: apiAlive ? null : (apiExit ?? 'the API is not running'),
    apiErrorLines: errorLines(api.output()),
  };
  const { text, failures } = summarise(summary);
  process.stdout.write(`${text}\n`);
  return failures.length === 0 ? 0 : 1;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: cleaning up`);
    void cleanupAll().finally(() => process.exit(130));
  });
}

main()
  .then((code) => {
    process.exitCode = code;
  })
  .catch((err: unknown) => {
    process.stderr.write(`chaos failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(async () => {
    await cleanupAll();
    setTimeout(() => process.exit(), 1000).unref();
  });
