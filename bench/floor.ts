import { createHash } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { Pool } from 'pg';
import { driveNotes } from './load';
import { freePort, newPrefix, REDIS_URL, spawnApp, waitForOutput } from './support';

/*
 * The floor: what the same work costs without the engine. Plain SQL transactions write the same
 * rows a NOTE writes (the case's UPDATE with its grown snapshot, version and hash, and one
 * history row), and plain BullMQ jobs are added one at a time and processed by a no-op worker.
 */

export interface FloorResult {
  count: number;
  seconds: number;
  rate: number;
}

/** `n` fresh cases in the same state as `templateCaseId` (notes emptied, history row 1 copied). */
export async function cloneCases(databaseUrl: string, templateCaseId: string, n: number): Promise<string[]> {
  const pool = new Pool({ connectionString: databaseUrl, max: 1 });
  try {
    const { rows } = await pool.query<{ id: string }>(
      `with made as (
         insert into cases (id, type, machine_id, machine_version, policy_version, owner_unit_id, jurisdiction_path, subject, data,
                            snapshot, state_value, state, status, version, last_seq, last_hash, created_by, created_at, updated_at)
         select gen_random_uuid(), type, machine_id, machine_version, policy_version, owner_unit_id, jurisdiction_path, subject, data,
                jsonb_set(snapshot, '{context,notes}', '[]'::jsonb), state_value, state, status, 1, 1, last_hash, created_by, now(), now()
         from cases, generate_series(1, $2) where id = $1
         returning id)
       select id from made`,
      [templateCaseId, n],
    );
    await pool.query(
      `insert into case_events (case_id, seq, event_type, payload, actor_user_id, actor_unit_id, actor_role, from_state, to_state, at, request_id, prev_hash, hash)
       select c.id, 1, e.event_type, e.payload, e.actor_user_id, e.actor_unit_id, e.actor_role, e.from_state, e.to_state, e.at, e.request_id, e.prev_hash, e.hash
       from cases c, case_events e where c.id = any($1::uuid[]) and e.case_id = $2 and e.seq = 1`,
      [rows.map((r) => r.id), templateCaseId],
    );
    return rows.map((r) => r.id);
  } finally {
    await pool.end();
  }
}

/** `count` NOTE-equivalent transactions by `concurrency` clients, round-robin over `caseIds`. */
export async function sqlFloor(
  databaseUrl: string,
  caseIds: readonly string[],
  count: number,
  concurrency: number,
  meter?: () => () => Record<string, number>,
): Promise<FloorResult & { cores?: Record<string, number> }> {
  const pool = new Pool({ connectionString: databaseUrl, max: concurrency });
  // Every connection first, so that their server processes exist while CPU time is counted.
  const clients = await Promise.all(Array.from({ length: concurrency }, () => pool.connect()));
  const stopMeter = meter?.();
  let next = 0;
  const started = Date.now();
  let cores: Record<string, number> | undefined;
  let seconds = 0;
  try {
    await Promise.all(
      clients.map(async (client) => {
        try {
          for (let i = next++; i < count; i = next++) {
            const caseId = caseIds[i % caseIds.length]!;
            const text = `floor note ${i}`;
            const at = new Date().toISOString();
            const hash = createHash('sha256').update(`${caseId}|${i}|${text}|${at}`).digest('hex');
            await client.query('begin');
            const { rows } = await client.query<{ last_seq: number; prev: string | null }>(
              `update cases c set snapshot = jsonb_set(c.snapshot, '{context,notes}', coalesce(c.snapshot #> '{context,notes}', '[]'::jsonb) || to_jsonb($2::text)),
                 version = c.version + 1, last_seq = c.last_seq + 1, last_hash = $3, updated_at = now()
               from cases old where c.id = $1 and old.id = c.id
               returning c.last_seq, old.last_hash as prev`,
              [caseId, text, hash],
            );
            const row = rows[0]!;
            await client.query(
              `insert into case_events (case_id, seq, event_type, payload, actor_user_id, actor_unit_id, actor_role, from_state, to_state, at, request_id, prev_hash, hash)
               values ($1, $2, 'NOTE', $3, 'bench-police', 'bench-unit', 'police', 'awaitingAcceptance', 'awaitingAcceptance', $4, $5, $6, $7)`,
              [caseId, row.last_seq, JSON.stringify({ text }), at, `floor-${i}`, row.prev, hash],
            );
            await client.query('commit');
          }
        } catch (err) {
          await client.query('rollback').catch(() => undefined);
          throw err;
        }
      }),
    );
  } finally {
    seconds = (Date.now() - started) / 1000;
    cores = stopMeter?.();
    for (const c of clients) c.release();
    await pool.end();
  }
  return { count, seconds, rate: count / seconds, cores };
}

/** `count` jobs added one at a time by `producers` concurrent callers, processed by a no-op worker. */
export async function bullFloor(count: number, producers: number, workerConcurrency: number): Promise<FloorResult> {
  const prefix = newPrefix('floor');
  const producer = new IORedis(REDIS_URL, { maxRetriesPerRequest: 3 });
  const consumer = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('bench-floor', { connection: producer, prefix });
  let processed = 0;
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((r) => (resolveDone = r));
  const worker = new Worker(
    'bench-floor',
    async () => {
      if (++processed === count) resolveDone();
      return 'ok';
    },
    { connection: consumer, prefix, concurrency: workerConcurrency },
  );
  await worker.waitUntilReady();
  let next = 0;
  const started = Date.now();
  try {
    await Promise.all(
      Array.from({ length: producers }, async () => {
        for (let i = next++; i < count; i = next++) {
          await queue.add('floor', { outboxId: `floor-${i}` }, { jobId: `floor-${i}`, removeOnComplete: true, removeOnFail: true });
        }
      }),
    );
    await done;
  } finally {
    await worker.close();
    await queue.close();
    producer.disconnect();
    consumer.disconnect();
  }
  const seconds = (Date.now() - started) / 1000;
  return { count, seconds, rate: count / seconds };
}

/** `count` POSTs of the same shape to a bare node:http server (no framework, auth or database). */
export async function httpFloor(count: number, connections: number): Promise<FloorResult> {
  const port = await freePort();
  const server = spawnApp('floor', { PORT: String(port) });
  try {
    await waitForOutput(server, 'floor server listening', 'the HTTP floor server');
    const r = await driveNotes({ baseUrl: `http://127.0.0.1:${port}`, token: 'none', caseIds: ['floor'], connections, amount: count, label: 'floor' });
    return { count: r.ok, seconds: r.seconds, rate: r.rate };
  } finally {
    await server.stop();
  }
}
