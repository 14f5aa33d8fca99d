import IORedis from 'ioredis';
import { Client } from 'pg';
import { bullFloor, cloneCases, type FloorResult, httpFloor, sqlFloor } from './floor';
import { cpuGroups, cpuMeter, driveNotes, type LoadResult, openCases, pacedNotes, seedToken, waitReady } from './load';
import { collectProfile, type ProfileSummary } from './cpu-profile';
import {
  appEnv,
  createDatabase,
  freePort,
  intEnv,
  log,
  newPrefix,
  REDIS_URL,
  profileDir,
  sleep,
  spawnApp,
  waitFor,
  waitForOutput,
} from './support';

/*
 * Metrics 1 and 2: committed transitions per second through the whole stack (HTTP, auth, engine,
 * one PostgreSQL transaction), checked row for row against the database; then latency at half
 * that rate; then the floor (plain SQL transactions, plain BullMQ jobs) in the same run.
 */

export const HTTP_SETTINGS = {
  cases: intEnv('BENCH_CASES', 500),
  connections: intEnv('BENCH_CONNECTIONS', 32),
  warmup: intEnv('BENCH_WARMUP', 1500),
  seconds: intEnv('BENCH_SECONDS', 20),
  latencySeconds: intEnv('BENCH_LATENCY_SECONDS', 15),
  floorConcurrency: intEnv('BENCH_FLOOR_CONCURRENCY', 0), // 0: as many as the engine had (= connections)
  workerConcurrency: intEnv('WORKER_CONCURRENCY', 8),
  cpuProfile: process.env.BENCH_CPU_PROF === '1',
};

export interface EngineHttpResult {
  opened: number;
  warmup: LoadResult;
  max: LoadResult;
  half: LoadResult & { targetRate: number };
  paced: LoadResult;
  verified: { historyRows: number; expected: number; noteRows: number; notesSent: number; sumLastSeq: number; ok: boolean };
  sqlFloor: FloorResult;
  bullFloor: FloorResult;
  httpFloor: FloorResult;
  /** PostgreSQL transactions (standalone statements count one each) per NOTE, from pg_stat_database. */
  xactsPerNote: number;
  floorCores: Record<string, number>;
  cores: Record<string, number>;
  profile?: ProfileSummary;
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

export async function engineOverHttp(): Promise<EngineHttpResult> {
  const s = HTTP_SETTINGS;
  const db = await createDatabase('http');
  const prefix = newPrefix('http');
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const profDir = s.cpuProfile ? profileDir('prof-api') : undefined;
  // A deadline far away: the cases stay in the state that takes NOTE for the whole run.
  const env = appEnv({ DATABASE_URL: db.url, PORT: String(port), QUEUE_PREFIX: prefix, KERNEL_ACCEPT_WITHIN_MS: '86400000' });
  const api = spawnApp('api', env, { nodeArgs: profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [] });
  await waitReady(baseUrl);
  const worker = spawnApp('worker', env);
  await waitForOutput(worker, 'worker started', 'the worker to start');
  const token = await seedToken(db.url);

  log(`http: opening ${s.cases} cases`);
  const caseIds = await openCases(baseUrl, token, s.cases);
  const load = { baseUrl, token, caseIds, connections: s.connections };

  log(`http: warm-up, ${s.warmup} NOTE events over ${s.connections} connections`);
  const warmup = await driveNotes({ ...load, amount: s.warmup, label: 'warmup' });
  const amount = Math.max(2000, Math.round(warmup.rate * s.seconds));
  log(`http: max throughput, ${amount} NOTE events (~${s.seconds} s at the warm-up rate ${warmup.rate.toFixed(0)}/s)`);
  const xacts = async () =>
    withSql(db.url, async (c) => Number((await c.query(`select xact_commit + xact_rollback as x from pg_stat_database where datname = current_database()`)).rows[0].x));
  await sleep(1500); // let the backends flush their statistics
  const xactsBefore = await xacts();
  const cores = cpuMeter(cpuGroups({ api: api.child.pid, worker: worker.child.pid }));
  const max = await driveNotes({ ...load, amount, label: 'max' });
  const coresUsed = cores();
  await sleep(1500);
  const xactsPerNote = Math.round(((await xacts()) - xactsBefore - 2) / max.ok * 100) / 100;
  log(`http: ${max.ok} x 2xx in ${max.seconds.toFixed(1)} s = ${max.rate.toFixed(0)}/s; statuses ${JSON.stringify(max.statuses)}; cores ${JSON.stringify(coresUsed)}`);

  const targetRate = Math.max(1, Math.floor(max.rate / 2));
  log(`http: latency at half load, ${targetRate}/s for ${s.latencySeconds} s`);
  const half = await driveNotes({ ...load, amount: targetRate * s.latencySeconds, overallRate: targetRate, label: 'half' });
  log(`http: half load (autocannon) p50 ${half.latency.p50} ms, p95 ${half.latency.p95} ms, p99 ${half.latency.p99} ms (${half.rate.toFixed(0)}/s)`);
  const paced = await pacedNotes({ ...load, rate: targetRate, seconds: s.latencySeconds, label: 'paced' });
  log(`http: half load (paced) p50 ${paced.latency.p50} ms, p95 ${paced.latency.p95} ms, p99 ${paced.latency.p99} ms (${paced.rate.toFixed(0)}/s)`);

  // Drain: every opened case's deadline relayed to Redis, no outbox row left; then count rows.
  const sql = new Client({ connectionString: db.url });
  await sql.connect();
  const redis = new IORedis(REDIS_URL, { maxRetriesPerRequest: 3 });
  let verified: EngineHttpResult['verified'];
  try {
    let seen = '';
    await waitFor(
      'the outbox and timers to drain',
      async () => {
        const outbox = Number((await sql.query(`select count(*) from outbox where status = 'pending'`)).rows[0].count);
        const pending = Number((await sql.query(`select count(*) from timers where status = 'pending' and case_id = any($1::uuid[])`, [caseIds])).rows[0].count);
        const delayed = await redis.zcard(`${prefix}:shouhu-timers:delayed`);
        seen = `${outbox} pending outbox rows, ${pending} pending deadlines of our cases, ${delayed} delayed jobs in Redis`;
        return outbox === 0 && pending === caseIds.length && delayed >= caseIds.length;
      },
      60_000,
      250,
    ).catch((err: unknown) => {
      throw new Error(`${String(err)} (last seen: ${seen})`);
    });
    const notesSent = warmup.ok + max.ok + half.ok + paced.ok;
    const q = (await sql.query(
      `select (select count(*) from case_events)::int as history, (select count(*) from case_events where event_type = 'NOTE')::int as notes,
              (select coalesce(sum(last_seq), 0) from cases)::int as seqs`,
    )).rows[0] as { history: number; notes: number; seqs: number };
    const expected = caseIds.length + notesSent;
    verified = { historyRows: q.history, expected, noteRows: q.notes, notesSent, sumLastSeq: q.seqs, ok: q.history === expected && q.seqs === expected && q.notes === notesSent };
    log(`http: verified ${q.history} history rows, expected ${expected} (${verified.ok ? 'exact' : 'MISMATCH'})`);
  } finally {
    redis.disconnect();
    await sql.end();
  }

  await Promise.all([worker.stop(), api.stop()]);
  const profile = profDir ? collectProfile(profDir, 'api') : undefined;

  const floorConcurrency = s.floorConcurrency || s.connections;
  log(`http: floor, ${max.ok} plain SQL transactions over ${floorConcurrency} connections`);
  const floorCases = await cloneCases(db.url, caseIds[0]!, caseIds.length);
  const sqlResult = await sqlFloor(db.url, floorCases, max.ok, floorConcurrency, () => cpuMeter(cpuGroups({})));
  const floorCores = sqlResult.cores ?? {};
  log(`http: SQL floor ${sqlResult.rate.toFixed(0)}/s; BullMQ floor, ${max.ok} jobs`);
  const bullResult = await bullFloor(max.ok, floorConcurrency, s.workerConcurrency);
  log(`http: BullMQ floor ${bullResult.rate.toFixed(0)}/s; HTTP floor, ${max.ok} POSTs to a bare node:http server`);
  const httpResult = await httpFloor(max.ok, s.connections);
  log(`http: HTTP floor ${httpResult.rate.toFixed(0)}/s`);
  await db.drop();
  return { opened: caseIds.length, warmup, max, half: { ...half, targetRate }, paced, verified, sqlFloor: sqlResult, bullFloor: bullResult, httpFloor: httpResult, xactsPerNote, floorCores, cores: coresUsed, profile };
}
