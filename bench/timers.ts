import IORedis from 'ioredis';
import { Client } from 'pg';
import { SystemClock } from '#shouhu/engine';
import { Database, SqlDispatchStore } from '#shouhu/persistence';
import { DispatchQueues, Reconciler, RedisConnections } from '#shouhu/queue';
import { cloneCases } from './floor';
import { cpuGroups, cpuMeter, openCases, seedToken, waitReady } from './load';
import { collectProfile, type ProfileSummary } from './cpu-profile';
import {
  appEnv,
  type BenchDatabase,
  createDatabase,
  deletePrefix,
  freePort,
  intEnv,
  log,
  newPrefix,
  REDIS_URL,
  sleep,
  profileDir,
  spawnApp,
  waitFor,
  waitForOutput,
} from './support';

/*
 * Metrics 3 and 4: many pending deadlines written straight into PostgreSQL, armed only by the
 * reconciler. Lateness is measured from the rows (settled_at - due_at of fired timers); recovery
 * is the time one reconcile pass takes to put every pending timer back after our keys are deleted.
 */

export const TIMER_SETTINGS = {
  latenessTimers: intEnv('BENCH_LATENESS_TIMERS', 20_000),
  /** Further pending deadlines due days later (beyond TIMER_HORIZON_MS): the database holds them, Redis does not. */
  latenessBackground: intEnv('BENCH_LATENESS_BACKGROUND', 0),
  spreadMs: intEnv('BENCH_LATENESS_SPREAD_MS', 60_000),
  leadMs: intEnv('BENCH_LATENESS_LEAD_MS', 10_000),
  tailMs: intEnv('BENCH_LATENESS_TAIL_MS', 60_000),
  reconcileIntervalMs: intEnv('BENCH_RECONCILE_INTERVAL_MS', 5_000),
  /** The lateness worker's WORKER_CONCURRENCY (jobs in flight per queue). */
  workerConcurrency: intEnv('BENCH_TIMER_WORKER_CONCURRENCY', 32),
  recoveryTimers: intEnv('BENCH_RECOVERY_TIMERS', 100_000),
  cpuProfile: process.env.BENCH_CPU_PROF === '1',
};

export interface Template {
  db: BenchDatabase;
  caseId: string;
}

/** A migrated database holding one kernel case (opened over HTTP) whose rows the benchmarks copy. */
export async function prepareTemplate(): Promise<Template> {
  const db = await createDatabase('tpl');
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const api = spawnApp('api', appEnv({ DATABASE_URL: db.url, PORT: String(port), QUEUE_PREFIX: newPrefix('tpl'), KERNEL_ACCEPT_WITHIN_MS: '86400000' }));
  await waitReady(baseUrl);
  const token = await seedToken(db.url);
  const [caseId] = await openCases(baseUrl, token, 1);
  await api.stop();
  return { db, caseId: caseId! };
}

async function withSql<T>(url: string, f: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return await f(c);
  } finally {
    await c.end();
  }
}

/** `n` pending copies of the template's deadline, on `caseIds` round-robin, due evenly over [from, from + spread). */
async function insertTimers(url: string, templateCaseId: string, caseIds: readonly string[] | null, n: number, fromMs: number, spreadMs: number): Promise<void> {
  await withSql(url, async (c) => {
    const batch = 200_000;
    for (let start = 0; start < n; start += batch) {
      const count = Math.min(batch, n - start);
      await c.query(
        `insert into timers (id, case_id, send_id, name, event, due_at, status, created_seq, created_at)
         select gen_random_uuid(), coalesce(($6::uuid[])[1 + (g % greatest(cardinality($6::uuid[]), 1))], t.case_id), t.send_id, t.name, t.event,
                to_timestamp(($3::float8 + (g::float8 / $5) * $4) / 1000), 'pending', 1, now()
         from timers t, generate_series($7::int, $7::int + $2::int - 1) g
         where t.case_id = $1 and t.name = 'acceptDeadline'`,
        [templateCaseId, count, fromMs, spreadMs, n, caseIds, start],
      );
    }
  });
}

export interface LatenessResult {
  timers: number;
  /** Pending deadlines due days later, beside `timers` (never due during the run). */
  background: number;
  fired: number;
  /** Still pending when the wait ended: their lateness is counted as (end - due), a lower bound. */
  unfired: number;
  notified: number;
  /** Notifications still queued when the worker was stopped (a cut-off run). */
  effectsPending: number;
  armedMs: number;
  p50: number;
  p99: number;
  max: number;
  /** Median lateness of the earliest and the latest tenth: growing lateness means too few fires per second. */
  firstTenthP50: number;
  lastTenthP50: number;
  /** Deadlines fired per second (first to last firing) against the rate they fell due. */
  fireRate: number;
  dueRate: number;
  cores: Record<string, number>;
  profile?: ProfileSummary;
}

export async function deadlineLateness(tpl: Template): Promise<LatenessResult> {
  const s = TIMER_SETTINGS;
  const db = await createDatabase('late', tpl.db.name);
  const prefix = newPrefix('late');
  log(`timers: ${s.latenessTimers} cases and deadlines due over ${s.spreadMs / 1000} s from ${s.leadMs / 1000} s on`);
  const cases = await cloneCases(db.url, tpl.caseId, s.latenessTimers);
  const from = Date.now() + s.leadMs;
  await insertTimers(db.url, tpl.caseId, cases, s.latenessTimers, from, s.spreadMs);
  if (s.latenessBackground > 0) {
    log(`timers: ${s.latenessBackground} more pending deadlines due 2-3 days from now (outside the horizon)`);
    await insertTimers(db.url, tpl.caseId, null, s.latenessBackground, Date.now() + 2 * 86_400_000, 86_400_000);
  }
  await withSql(db.url, (c) => c.query('analyze'));

  const profDir = s.cpuProfile ? profileDir('prof-worker') : undefined;
  const env = appEnv({
    DATABASE_URL: db.url,
    QUEUE_PREFIX: prefix,
    RECONCILE_INTERVAL_MS: String(s.reconcileIntervalMs),
    WORKER_CONCURRENCY: String(s.workerConcurrency),
    TIMER_HORIZON_MS: String(s.leadMs + s.spreadMs + 60_000),
  });
  const worker = spawnApp('worker', env, { nodeArgs: profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [] });
  await waitForOutput(worker, 'worker started', 'the worker to start');
  const redis = new IORedis(REDIS_URL, { maxRetriesPerRequest: 3 });
  const sql = new Client({ connectionString: db.url });
  await sql.connect();
  try {
    const armStart = Date.now();
    // The first reconcile round runs before "worker started"; every deadline is in Redis by now or soon.
    await waitFor('the deadlines to be armed', async () => (await redis.zcard(`${prefix}:shouhu-timers:delayed`)) + (await fired(sql)) >= s.latenessTimers, 120_000, 200);
    const armedMs = Date.now() - armStart;
    log(`timers: armed (${armedMs} ms after the worker said it started); waiting for them to fire`);
    const cores = cpuMeter(cpuGroups({ worker: worker.child.pid }));
    const until = from + s.spreadMs + s.tailMs;
    while (Date.now() < until) {
      const left = Number((await sql.query(`select count(*) from timers where status = 'pending' and due_at < now() + interval '1 hour'`)).rows[0].count);
      const outbox = Number((await sql.query(`select count(*) from outbox where status = 'pending'`)).rows[0].count);
      if (left === 0 && outbox === 0) break;
      await sleep(1000);
    }
    const coresUsed = cores();
    // Stop firing, then measure; a deadline still pending counts as late by at least (end - due).
    await worker.stop();
    const end = new Date();
    const q = (await sql.query(
      `with l as (
         select status, extract(epoch from (case when status = 'fired' then settled_at else $1::timestamptz end) - due_at) * 1000 as late
         from timers where due_at < $1 and status in ('fired', 'pending'))
       select count(*) filter (where status = 'fired')::int as fired, count(*) filter (where status = 'pending')::int as censored,
              percentile_cont(0.5) within group (order by late) as p50, percentile_cont(0.99) within group (order by late) as p99, max(late) as max
       from l`,
      [end],
    )).rows[0] as { fired: number; censored: number; p50: number; p99: number; max: number };
    // Throughput-bound or not: lateness of the first and last tenth (by due time), and the rate at which they fired.
    const shape = (await sql.query(
      `with f as (select due_at, settled_at, ntile(10) over (order by due_at) as tenth from timers where status = 'fired')
       select (select percentile_cont(0.5) within group (order by extract(epoch from settled_at - due_at) * 1000) from f where tenth = 1) as first,
              (select percentile_cont(0.5) within group (order by extract(epoch from settled_at - due_at) * 1000) from f where tenth = 10) as last,
              (select count(*) / greatest(extract(epoch from max(settled_at) - min(settled_at)), 0.001) from f) as rate`,
    )).rows[0] as { first: number; last: number; rate: number };
    const notified = Number((await sql.query(`select count(*) from inbox`)).rows[0].count);
    const effectsPending = Number((await sql.query(`select count(*) from outbox where status = 'pending'`)).rows[0].count);
    const profile = profDir ? collectProfile(profDir, 'worker (deadline firing)') : undefined;
    log(`timers: ${q.fired} fired, ${q.censored} still pending at the end, lateness p50 ${Number(q.p50).toFixed(1)} ms, p99 ${Number(q.p99).toFixed(1)} ms; ${notified} notifications; ` +
        `${Number(shape.rate).toFixed(0)} fired/s; median lateness first tenth ${Number(shape.first).toFixed(0)} ms, last tenth ${Number(shape.last).toFixed(0)} ms`);
    return {
      timers: s.latenessTimers,
      background: s.latenessBackground,
      fired: q.fired,
      unfired: q.censored,
      notified,
      effectsPending,
      armedMs,
      p50: Number(q.p50),
      p99: Number(q.p99),
      max: Number(q.max),
      firstTenthP50: Number(shape.first),
      lastTenthP50: Number(shape.last),
      fireRate: Number(shape.rate),
      dueRate: s.latenessTimers / (s.spreadMs / 1000),
      cores: coresUsed,
      profile,
    };
  } finally {
    redis.disconnect();
    await sql.end();
    await worker.stop();
    await db.drop();
  }
}

async function fired(sql: Client): Promise<number> {
  return Number((await sql.query(`select count(*) from timers where status <> 'pending'`)).rows[0].count);
}

export interface RecoveryResult {
  timers: number;
  insertMs: number;
  firstArmMs: number;
  recoverMs: number;
  noopRoundMs: number;
  flushMs: number;
  bytesPerTimer: number;
  cores: Record<string, number>;
}

async function usedMemory(redis: IORedis): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? NaN);
}

export async function recovery(tpl: Template): Promise<RecoveryResult> {
  const n = TIMER_SETTINGS.recoveryTimers;
  const db = await createDatabase('recover', tpl.db.name);
  const prefix = newPrefix('recover');
  log(`recovery: inserting ${n} pending deadlines (due 10-50 minutes from now)`);
  let t = Date.now();
  await insertTimers(db.url, tpl.caseId, null, n, Date.now() + 600_000, 2_400_000);
  await withSql(db.url, (c) => c.query('analyze timers'));
  const insertMs = Date.now() - t;

  // The worker's own Reconciler, queues and store, in this process so that one pass can be timed exactly.
  const database = await Database.open({ kind: 'postgres', url: db.url });
  const connections = new RedisConnections(REDIS_URL);
  const queues = new DispatchQueues(connections, prefix);
  const reconciler = new Reconciler(new SqlDispatchStore(database), queues, new SystemClock(), { horizonMs: 3_600_000, outboxGraceMs: 2000 });
  const redis = new IORedis(REDIS_URL, { maxRetriesPerRequest: 3 });
  const delayedKey = `${prefix}:shouhu-timers:delayed`;
  try {
    await queues.timers.waitUntilReady();
    const memBefore = await usedMemory(redis);
    t = Date.now();
    const armed = await reconciler.rearmTimers();
    const firstArmMs = Date.now() - t;
    const inRedis = await redis.zcard(delayedKey);
    await sleep(500);
    const memAfter = await usedMemory(redis);
    log(`recovery: first arm ${armed} in ${firstArmMs} ms, ${inRedis} delayed jobs, +${((memAfter - memBefore) / 1e6).toFixed(1)} MB`);

    t = Date.now();
    await reconciler.rearmTimers();
    const noopRoundMs = Date.now() - t;
    log(`recovery: a round with everything still in Redis: ${noopRoundMs} ms`);

    t = Date.now();
    const deleted = await deletePrefix(prefix);
    const flushMs = Date.now() - t;
    if ((await redis.zcard(delayedKey)) !== 0) throw new Error('the delayed set survived the flush');
    const meter = cpuMeter(cpuGroups({}));
    t = Date.now();
    const rearmed = await reconciler.rearmTimers();
    const recoverMs = Date.now() - t;
    const cores = meter();
    log(`recovery: cores used by the re-arm (the reconciler runs in the bench process): ${JSON.stringify(cores)}`);
    const back = await redis.zcard(delayedKey);
    log(`recovery: deleted ${deleted} keys in ${flushMs} ms; re-armed ${rearmed} in ${recoverMs} ms; ${back} delayed jobs`);
    if (back !== n || inRedis !== n) throw new Error(`expected ${n} delayed jobs, found ${inRedis} then ${back}`);
    return { timers: n, insertMs, firstArmMs, recoverMs, noopRoundMs, flushMs, bytesPerTimer: (memAfter - memBefore) / n, cores };
  } finally {
    redis.disconnect();
    await queues.close();
    await connections.closeAll();
    await database.close();
    await deletePrefix(prefix);
    await db.drop();
  }
}
