import { randomBytes } from 'node:crypto';
import { DefinitionRegistry, ManualClock, SYSTEM_ACTOR, timerJobId, WorkflowEngine } from '#shouhu/engine';
import { Database, SqlCaseStore, SqlDispatchStore } from '#shouhu/persistence';
import { DispatchQueues, Reconciler, RedisConnections } from '#shouhu/queue';
import { deadlineCaseV1 } from '../fixtures/deadline-case';

/*
 * The reconciler on embedded PGlite and the real Redis (a queue prefix of its own, deleted after):
 * pages of pending deadlines (id and due time) re-armed, only those Redis lacks, across several pages.
 */

jest.setTimeout(60_000);

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `it-reconcile-${randomBytes(4).toString('hex')}`;

let db: Database;
let connections: RedisConnections;
let queues: DispatchQueues;
const clock = new ManualClock('2026-05-01T09:00:00+08:00');

beforeAll(async () => {
  db = await Database.open({ kind: 'pglite', dataDir: null });
  await db.migrate();
  await db.em().execute(`insert into units (id, name, kind, jurisdiction_path) values ('station', 'Station', 'police', 'county/town')`);
  connections = new RedisConnections(REDIS_URL);
  queues = new DispatchQueues(connections, prefix);
});

afterAll(async () => {
  const redis = connections.producer();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await queues.close();
  await connections.closeAll();
  await db.close();
});

it('re-arms every pending deadline in the horizon, page by page, adding only what Redis lacks', async () => {
  const engine = new WorkflowEngine(new DefinitionRegistry([deadlineCaseV1]), new SqlCaseStore(db), clock);
  const timerIds: string[] = [];
  for (let i = 0; i < 7; i++) {
    const opened = await engine.open({ type: 'kernel-deadline', subject: {}, data: {}, ownerUnitId: 'station', jurisdictionPath: 'county/town', actor: SYSTEM_ACTOR });
    timerIds.push(opened.timers[0]!.id);
    clock.advance(1); // distinct due times; pages of 3 cross them
  }
  const store = new SqlDispatchStore(db);
  const reconciler = new Reconciler(store, queues, clock, { horizonMs: 60_000, outboxGraceMs: 0, pageSize: 3 });
  const exists = async (id: string) => (await queues.timers.getJob(timerJobId(id))) !== undefined;

  expect(await reconciler.rearmTimers()).toBe(7);
  expect(await Promise.all(timerIds.map(exists))).toEqual(timerIds.map(() => true));
  const dues = await store.pendingTimerDuesBefore(new Date(clock.now().getTime() + 60_000), null, 100);
  expect(dues.map((d) => d.id).sort()).toEqual([...timerIds].sort());

  // Everything armed: no addJob at all this round.
  expect(await queues.rearmTimers(dues, clock.now())).toBe(0);

  // Two jobs lost (Redis flushed, say): exactly those two come back.
  const lost = [timerIds[1]!, timerIds[5]!];
  for (const id of lost) await (await queues.timers.getJob(timerJobId(id)))!.remove();
  expect(await Promise.all(timerIds.map(exists))).toEqual(timerIds.map((id) => !lost.includes(id)));
  expect(await queues.rearmTimers(dues, clock.now())).toBe(2);
  expect(await Promise.all(timerIds.map(exists))).toEqual(timerIds.map(() => true));
  expect(await reconciler.rearmTimers()).toBe(7); // rows seen (all), whether or not added
});
