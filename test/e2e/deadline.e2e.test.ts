import IORedis from 'ioredis';
import { Client } from 'pg';
import {
  ApiClient,
  createTestDatabase,
  freePort,
  prepareDatabase,
  REDIS_URL,
  stackEnv,
  type StackProcess,
  startProcess,
  TOKENS,
  waitFor,
} from '../support/stack';

/*
 * The kernel end to end over HTTP with the real PostgreSQL and Redis: a case whose state has a
 * 2-second deadline that notifies the owning unit. Deadlines fire once: with a worker, after the
 * worker is killed, after Redis is flushed; never after the state is left; and one writer wins a race.
 */
jest.setTimeout(60_000);

let db: { url: string; drop: () => Promise<void> };
let env: Record<string, string>;
let api: StackProcess;
let worker: StackProcess | undefined;
let client: ApiClient;
let sql: Client;
let redis: IORedis;

async function openCase(requestId?: string) {
  const res = await client.call(
    'POST',
    '/cases',
    TOKENS.school,
    { type: 'kernel-deadline', subject: { childId: 'c-0001' }, ownerUnitId: 'maluguo-police' },
    requestId ? { 'x-request-id': requestId } : {},
  );
  expect(res.status).toBe(201);
  return res.body as { id: string; state: string; version: number; deadlines: { id: string; name: string; dueAt: string }[] };
}

async function rows<T = Record<string, unknown>>(query: string, params: unknown[]): Promise<T[]> {
  return (await sql.query(query, params)).rows as T[];
}

const inboxOf = (caseId: string) => rows<{ unit_id: string; reason: string }>('select unit_id, reason from inbox where case_id = $1', [caseId]);
const stateOf = async (caseId: string) => (await rows<{ state: string }>('select state from cases where id = $1', [caseId]))[0]!.state;
const timerJobKey = (timerId: string) => `${env.QUEUE_PREFIX}:shouhu-timers:timer-${timerId}`;

async function startWorker(): Promise<StackProcess> {
  const w = startProcess('worker', env);
  await waitFor('the worker to start', async () => w.output().includes('worker started'));
  return w;
}

async function stopWorker(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (!worker) return null;
  worker.child.kill(signal);
  const code = await worker.exited;
  worker = undefined;
  return code;
}

beforeAll(async () => {
  db = await createTestDatabase('e2e');
  await prepareDatabase(db.url);
  env = stackEnv(db.url, await freePort(), { KERNEL_ACCEPT_WITHIN_MS: '2000' });
  api = startProcess('api', env);
  client = new ApiClient(`http://127.0.0.1:${env.PORT}`);
  await waitFor('the API to be ready', async () => (await client.call('GET', '/health/ready', null)).status === 200, 30_000);
  sql = new Client({ connectionString: db.url });
  await sql.connect();
  redis = new IORedis(REDIS_URL);
});

afterEach(async () => {
  await stopWorker();
});

afterAll(async () => {
  await stopWorker('SIGKILL');
  api?.child.kill('SIGTERM');
  await api?.exited;
  await sql?.end();
  const keys = await redis.keys(`${env.QUEUE_PREFIX}:*`);
  if (keys.length) await redis.del(...keys);
  redis?.disconnect();
  await db?.drop();
});

it('(a) the deadline fires: the state moves and the owning unit has exactly one notification', async () => {
  worker = await startWorker();
  const opened = await openCase('req-e2e-a');
  expect(opened.state).toBe('awaitingAcceptance');
  expect(opened.deadlines.map((d) => d.name)).toEqual(['acceptDeadline']);

  await waitFor('the case to become overdue', async () => (await stateOf(opened.id)) === 'overdue');
  await waitFor('the notification', async () => (await inboxOf(opened.id)).length > 0);
  await new Promise((r) => setTimeout(r, 1500)); // anything doubled would show by now
  expect(await inboxOf(opened.id)).toEqual([{ unit_id: 'maluguo-police', reason: 'not accepted within the deadline' }]);

  const inbox = await client.call('GET', '/inbox', TOKENS.police);
  const mine = inbox.body.items.filter((n: { caseId: string }) => n.caseId === opened.id);
  expect(mine).toHaveLength(1);
  expect(mine[0].deadline).toBe(opened.deadlines[0]!.dueAt);
  expect((await client.call('POST', `/inbox/${mine[0].id}/ack`, TOKENS.police)).body.ackedBy).toBe('officer-wang');
  expect((await client.call('POST', `/inbox/${mine[0].id}/ack`, TOKENS.school)).status).toBe(404);

  const history = await client.call('GET', `/cases/${opened.id}/history`, TOKENS.police);
  expect(history.body.verification).toEqual({ valid: true });
  expect(history.body.entries.map((e: { toState: string }) => e.toState)).toEqual(['awaitingAcceptance', 'overdue']);
  // The request id of the command that armed the deadline travels into the firing and its effect.
  expect(history.body.entries.map((e: { requestId: string }) => e.requestId)).toEqual(['req-e2e-a', 'req-e2e-a']);
  expect(await rows('select request_id from outbox where case_id = $1', [opened.id])).toEqual([{ request_id: 'req-e2e-a' }]);
});

it('(b) a worker killed during the wait: the next worker fires the deadline once, late but not lost', async () => {
  worker = await startWorker();
  const opened = await openCase();
  await new Promise((r) => setTimeout(r, 500));
  await stopWorker('SIGKILL');
  await new Promise((r) => setTimeout(r, 2500)); // past due with no worker alive
  expect(await stateOf(opened.id)).toBe('awaitingAcceptance');

  worker = await startWorker();
  await waitFor('the late deadline', async () => (await stateOf(opened.id)) === 'overdue');
  await waitFor('the notification', async () => (await inboxOf(opened.id)).length > 0);
  await new Promise((r) => setTimeout(r, 1500));
  expect(await inboxOf(opened.id)).toHaveLength(1);
  expect(await rows('select status from timers where case_id = $1', [opened.id])).toEqual([{ status: 'fired' }]);
  expect(await stopWorker('SIGTERM')).toBe(0); // graceful drain exits cleanly
});

it('(c) FLUSHALL during the wait: reconcile re-arms the deadline from PostgreSQL and it fires once', async () => {
  worker = await startWorker();
  const opened = await openCase();
  const timerId = opened.deadlines[0]!.id;
  await waitFor('the delayed job in Redis', async () => (await redis.exists(timerJobKey(timerId))) === 1, 3000, 20);
  await redis.flushall();
  expect(await redis.exists(timerJobKey(timerId))).toBe(0);

  await waitFor('the re-armed deadline', async () => (await stateOf(opened.id)) === 'overdue', 15_000);
  await waitFor('the notification', async () => (await inboxOf(opened.id)).length > 0);
  await new Promise((r) => setTimeout(r, 1500));
  expect(await inboxOf(opened.id)).toHaveLength(1);
  expect(await rows('select count(*)::int as n from case_events where case_id = $1', [opened.id])).toEqual([{ n: 2 }]);
});

it('(d) leaving the state before the deadline: nothing fires', async () => {
  worker = await startWorker();
  const opened = await openCase();
  const accepted = await client.call('POST', `/cases/${opened.id}/events`, TOKENS.police, { type: 'ACCEPT', expectedVersion: 1 });
  expect(accepted.status).toBe(200);
  expect(accepted.body).toMatchObject({ state: 'accepted', version: 2 });
  await new Promise((r) => setTimeout(r, 3500));
  expect(await stateOf(opened.id)).toBe('accepted');
  expect(await inboxOf(opened.id)).toHaveLength(0);
  expect(await rows('select name, status from timers where case_id = $1 order by created_seq', [opened.id])).toEqual([
    { name: 'acceptDeadline', status: 'cancelled' },
    { name: 'reminder', status: 'pending' },
  ]);
});

it('(e) 20 concurrent events with the same expectedVersion: one 200, nineteen 409, one history row', async () => {
  const opened = await openCase();
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      client.call('POST', `/cases/${opened.id}/events`, TOKENS.police, { type: 'NOTE', payload: { text: `note ${i}` }, expectedVersion: 1 }),
    ),
  );
  const statuses = results.map((r) => r.status).sort();
  expect(statuses.filter((s) => s === 200)).toHaveLength(1);
  expect(statuses.filter((s) => s === 409)).toHaveLength(19);
  expect(await rows('select seq, event_type from case_events where case_id = $1 order by seq', [opened.id])).toEqual([
    { seq: 1, event_type: 'case.opened' },
    { seq: 2, event_type: 'NOTE' },
  ]);
});
