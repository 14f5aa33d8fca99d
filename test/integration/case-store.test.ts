import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { type Actor, type CaseDefinition, CaseQueries, ConflictError, DefinitionRegistry, type HistoryRow, ManualClock } from '#shouhu/engine';
import { type OutboxRow, SYSTEM_ACTOR, type TimerRow, verifyChain, WorkflowEngine } from '#shouhu/engine';
import { Database, MIGRATIONS, SqlCaseStore, SqlDispatchStore } from '#shouhu/persistence';
import { deadlineCaseV1 } from '../fixtures/deadline-case';

/*
 * One persistence contract, run against embedded PGlite and against the real PostgreSQL server of
 * this machine (a throwaway database per run). Every assertion reads rows back with plain SQL.
 */

jest.setTimeout(60_000);

/** Server URL without a database; the `test` database must exist (it is only used to create/drop ours). */
const PG_SERVER = process.env.SHOUHU_IT_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';

type Harness = { db: Database; dispose(): Promise<void> };

async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: `${PG_SERVER}/test` });
  await client.connect();
  await client.query(sql).finally(() => client.end());
}

function within<T>(ms: number, work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms)));
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

const targets: Array<[string, () => Promise<Harness>]> = [
  ['PGlite (in memory)', async () => {
    const db = await Database.open({ kind: 'pglite', dataDir: null });
    return { db, dispose: () => within(10_000, db.close(), 'db.close()') };
  }],
  ['PostgreSQL (127.0.0.1:5432)', async () => {
    const name = `shouhu_it_${randomBytes(6).toString('hex')}`;
    const drop = () => admin(`drop database if exists ${name} with (force)`);
    await admin(`create database ${name}`);
    const db = await Database.open({ kind: 'postgres', url: `${PG_SERVER}/${name}` }).catch((err) => drop().then(() => Promise.reject(err)));
    return { db, dispose: () => within(10_000, db.close(), 'db.close()').finally(drop) }; // drop even if close hangs
  }],
];

type Row = Record<string, any>;
const ms = (d: unknown) => new Date(d as string).getTime();
const camel = (r: Row): Row => Object.fromEntries(Object.entries(r).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), v]));

const police: Actor = { userId: 'p1', unitId: 'station-a', role: 'police', jurisdictionPath: 'county/town-a' };
const school: Actor = { userId: 's1', unitId: 'school-a', role: 'school', jurisdictionPath: 'county/town-a/school-a' };
const otherType: CaseDefinition = { ...deadlineCaseV1, id: 'kernel-other' };

/** Follows a keyset cursor to the end; fails instead of looping forever on a cursor that does not advance. */
async function pageAll<T>(fetch: (after: T | null) => Promise<T[]>, limit: number): Promise<T[]> {
  const all: T[] = [];
  let after: T | null = null;
  for (let i = 0; i < 200; i++) {
    const page = await fetch(after);
    expect(page.length).toBeLessThanOrEqual(limit);
    all.push(...page);
    if (page.length < limit) return all;
    after = page[page.length - 1]!;
  }
  throw new Error('the cursor never reached the end');
}

describe.each(targets)('case store contract on %s', (_label, openTarget) => {
  let h: Harness | undefined;
  let pendingBefore: string[] = [];
  let firstRun: string[] = [];

  beforeAll(async () => {
    h = await openTarget();
    pendingBefore = await h.db.pendingMigrations();
    firstRun = await h.db.migrate();
    await q(
      `insert into units (id, name, kind, jurisdiction_path) values
       ('station-a', 'Station A', 'police', 'county/town-a'), ('school-a', 'School A', 'school', 'county/town-a/school-a'),
       ('u7-me', 'Unit 7 me', 'police', 'r7/a/b'), ('u7-other', 'Unit 7 other', 'civil_affairs', 'r7')`,
    );
  });

  afterAll(async () => {
    await h?.dispose();
  });

  function q(sql: string, params: unknown[] = []): Promise<Row[]> {
    return h!.db.em().execute(sql, params) as Promise<Row[]>;
  }

  /** Everything the database holds about one case. */
  async function facts(caseId: string) {
    const [row] = await q('select * from cases where id = ?', [caseId]);
    const history = (await q('select * from case_events where case_id = ? order by seq', [caseId])).map(camel) as HistoryRow[];
    const timers = await q('select * from timers where case_id = ? order by created_seq, name', [caseId]);
    const outbox = await q('select * from outbox where case_id = ? order by seq, id', [caseId]);
    return { case: row!, history, timers, outbox };
  }

  function kernel(start = '2026-03-02T09:00:00+08:00') {
    const clock = new ManualClock(start);
    const store = new SqlCaseStore(h!.db);
    const registry = new DefinitionRegistry([deadlineCaseV1, otherType]);
    const engine = new WorkflowEngine(registry, store, clock);
    const queries = new CaseQueries(engine, registry, store, clock);
    const open = () => engine.open({ type: 'kernel-deadline', subject: { child: 'c1' }, data: {}, ownerUnitId: 'station-a', jurisdictionPath: 'county/town-a/school-a', actor: school });
    return { clock, store, registry, engine, queries, open };
  }

  it('applies the migrations on a fresh database; a second migrate applies nothing', async () => {
    const all = MIGRATIONS.map((m) => m.name);
    expect(all[0]).toBe('Migration20261129000000_kernel');
    expect(pendingBefore).toEqual(all);
    expect(firstRun).toEqual(all);
    expect(await h!.db.migrate()).toEqual([]);
    expect(await h!.db.pendingMigrations()).toEqual([]);
    const tables = await q(`select table_name from information_schema.tables where table_schema = 'public' order by table_name`);
    expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['access_tokens', 'case_events', 'cases', 'inbox', 'mikro_orm_migrations', 'outbox', 'timers', 'units']));
    expect((await q('select name from mikro_orm_migrations')).map((r) => r.name)).toEqual(all);
  });

  it('opens a case: case row, history seq 1, one pending timer due 2000 ms after now', async () => {
    const { clock, store, open } = kernel();
    const opened = await open();
    const f = await facts(opened.case.id);
    expect(f.case).toMatchObject({ state: 'awaitingAcceptance', status: 'active', version: 1, last_seq: 1, owner_unit_id: 'station-a' });
    expect(f.history).toHaveLength(1);
    expect(f.history[0]).toMatchObject({ seq: 1, eventType: 'case.opened', fromState: null, toState: 'awaitingAcceptance', prevHash: null, actorUserId: 's1' });
    expect(f.case.last_hash).toBe(f.history[0]!.hash);
    expect(f.case.state_value).toBe('awaitingAcceptance');
    expect((await store.findCase(opened.case.id))!.stateValue).toBe('awaitingAcceptance');
    expect(verifyChain(f.history)).toEqual({ valid: true });
    expect(f.timers).toHaveLength(1);
    expect(f.timers[0]).toMatchObject({ id: opened.timers[0]!.id, name: 'acceptDeadline', status: 'pending', settled_at: null, created_seq: 1 });
    expect(ms(f.timers[0]!.due_at)).toBe(clock.now().getTime() + 2000);
    expect(f.outbox).toEqual([]);
  });

  it('an accepted event moves the case, chains history and cancels the timer in the same commit', async () => {
    const { clock, store, registry, engine, queries, open } = kernel();
    const { case: c, timers } = await open();
    const deadlineId = timers[0]!.id;
    clock.advance(500);
    // The new reminder timer reuses an existing id: the commit fails on its last insert, after the
    // (A duplicate timer id is a bug, not a race: it surfaces as itself, not as a 409.)
    // case update, the history insert and the cancel. Nothing of it may remain.
    const broken = new WorkflowEngine(registry, store, clock, () => deadlineId);
    await expect(broken.apply({ caseId: c.id, type: 'ACCEPT', payload: {}, actor: police })).rejects.toBeInstanceOf(UniqueConstraintViolationException);
    const untouched = await facts(c.id);
    expect(untouched.case).toMatchObject({ version: 1, state: 'awaitingAcceptance' });
    expect(untouched.history).toHaveLength(1);
    expect(untouched.timers.map((t) => [t.id, t.status])).toEqual([[deadlineId, 'pending']]);

    const accepted = await engine.apply({ caseId: c.id, type: 'ACCEPT', payload: {}, actor: police, expectedVersion: 1 });
    const f = await facts(c.id);
    expect(f.case).toMatchObject({ state: 'accepted', version: 2, last_seq: 2, last_hash: f.history[1]?.hash });
    expect(ms(f.case.updated_at)).toBe(clock.now().getTime());
    const steps = [[1, 'case.opened', null, 'awaitingAcceptance'], [2, 'ACCEPT', 'awaitingAcceptance', 'accepted']];
    expect(f.history.map((r) => [r.seq, r.eventType, r.fromState, r.toState])).toEqual(steps);
    expect(f.history[1]!.prevHash).toBe(f.history[0]!.hash);
    expect(verifyChain(f.history)).toEqual({ valid: true });
    expect((await queries.history(c.id, police)).verification).toEqual({ valid: true });
    const deadline = f.timers.find((t) => t.id === deadlineId)!;
    expect(deadline.status).toBe('cancelled');
    expect(ms(deadline.settled_at)).toBe(ms(f.case.updated_at));
    expect(f.timers.filter((t) => t.status === 'pending').map((t) => [t.id, t.name])).toEqual([[accepted.timers[0]!.id, 'reminder']]);
  });

  it('fireTimer after the due time moves the case to overdue once; firing again changes nothing', async () => {
    const { clock, engine, open } = kernel();
    const { case: c, timers } = await open();
    const timerId = timers[0]!.id;
    clock.advance(1999);
    expect(await engine.fireTimer(timerId)).toEqual({ kind: 'early', dueAt: timers[0]!.dueAt });
    expect((await facts(c.id)).case.version).toBe(1);
    clock.advance(1);
    expect((await engine.fireTimer(timerId)).kind).toBe('fired');
    const f = await facts(c.id);
    expect(f.case).toMatchObject({ state: 'overdue', version: 2, last_seq: 2 });
    expect(f.timers).toHaveLength(1);
    expect(f.timers[0]).toMatchObject({ id: timerId, status: 'fired' });
    expect(ms(f.timers[0]!.settled_at)).toBe(clock.now().getTime());
    expect(f.outbox).toHaveLength(1);
    expect(f.outbox[0]).toMatchObject({ seq: 2, action: 'notify', status: 'pending', attempts: 0, params: { to: 'owner', reason: 'not accepted within the deadline' } });
    expect(f.outbox[0]!.meta).toMatchObject({ firedDeadline: { name: 'acceptDeadline', dueAt: timers[0]!.dueAt.toISOString() } });
    expect(f.history[1]).toMatchObject({ eventType: timers[0]!.event.type, actorRole: 'system', fromState: 'awaitingAcceptance', toState: 'overdue' });
    expect(verifyChain(f.history)).toEqual({ valid: true });

    clock.advance(60_000);
    expect(await engine.fireTimer(timerId)).toEqual({ kind: 'settled', status: 'fired' });
    expect(await facts(c.id)).toEqual(f);
  });

  it('optimistic concurrency: of 10 concurrent writers at the same version exactly one wins', async () => {
    const { clock, store, registry, open } = kernel();
    const { case: c } = await open();
    // Every writer reads version 1 before any of them commits, so the store (not the engine's
    // early version check) has to refuse the nine losers.
    let reads = 0;
    let release!: () => void;
    const allRead = new Promise<void>((resolve) => (release = resolve));
    const loadCase = async (id: string) => {
      const loaded = await store.loadCase(id);
      if (++reads === 10) release();
      return allRead.then(() => loaded);
    };
    const gated: SqlCaseStore = Object.create(store, { loadCase: { value: loadCase } });
    const engine = new WorkflowEngine(registry, gated, clock);
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => engine.apply({ caseId: c.id, type: 'NOTE', payload: { text: `note ${i}` }, actor: police, expectedVersion: 1 })),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(9);
    lost.forEach((r) => expect(r.reason).toBeInstanceOf(ConflictError));
    const f = await facts(c.id);
    expect(f.case).toMatchObject({ version: 2, last_seq: 2, last_hash: f.history[1]?.hash });
    expect(f.history).toHaveLength(2);
    expect(f.history[1]!.payload).toEqual(won[0]!.value.history.payload);
    expect(verifyChain(f.history)).toEqual({ valid: true });
    expect(f.timers.map((t) => t.status)).toEqual(['pending']);
    // The store itself refuses a stale version, even when the history row would not collide.
    const head = (await store.findCase(c.id))!;
    const history = { ...f.history[1]!, seq: 3 };
    const stale = { case: { ...head, state: 'forged', version: 3, lastSeq: 3 }, expectedVersion: 1, history, cancelSendIds: [], timers: [], outbox: [] };
    await expect(store.commit(stale)).rejects.toBeInstanceOf(ConflictError);
    expect(await facts(c.id)).toEqual(f);
  });

  it('a firing commit whose timer was settled meanwhile is refused whole (409), though the version still matches', async () => {
    const { clock, store, registry, open } = kernel();
    const { case: c, timers } = await open();
    const timerId = timers[0]!.id;
    clock.advance(2000);
    // The engine reads the pending timer and the case; then, before its commit, the timer is settled elsewhere.
    const gated: SqlCaseStore = Object.create(store, {
      loadTimer: {
        value: async (id: string) => {
          const found = await store.loadTimer(id);
          await q(`update timers set status = 'stale', settled_at = now() where id = ?`, [timerId]);
          return found;
        },
      },
    });
    const before = await facts(c.id);
    const racing = new WorkflowEngine(registry, gated, clock);
    // The first attempt loses (409 inside), the retry sees the timer settled and reports it.
    expect(await racing.fireTimer(timerId)).toEqual({ kind: 'settled', status: 'stale' });
    const after = await facts(c.id);
    expect(after.case).toEqual(before.case);
    expect(after.history).toEqual(before.history);
    expect(after.outbox).toEqual([]);
    expect(after.timers.map((t) => t.status)).toEqual(['stale']);
    // The same refusal, straight at the store: version right, timer no longer pending.
    const head = (await store.findCase(c.id))!;
    const history = { ...before.history[0]!, seq: 2, prevHash: head.lastHash, hash: 'x' };
    const batch = { case: { ...head, version: 2, lastSeq: 2 }, expectedVersion: 1, history, cancelSendIds: ['acceptDeadline'], timers: [], outbox: [], firedTimerId: timerId };
    await expect(store.commit(batch)).rejects.toThrow(new ConflictError(`timer ${timerId} is no longer pending`));
    expect(await facts(c.id)).toEqual(after);
  });

  it('loadCase / loadTimer read the case with its pending deadlines in due order; a commit result lists what stays pending', async () => {
    const { clock, store, engine, open } = kernel();
    const { case: c, timers, pendingTimers } = await open();
    expect(pendingTimers.map((t) => t.id)).toEqual([timers[0]!.id]);
    const loaded = (await store.loadCase(c.id))!;
    expect(loaded.row).toEqual(await store.findCase(c.id));
    expect(loaded.pendingTimers).toEqual(await store.pendingTimers(c.id));
    expect(loaded.pendingTimers).toEqual([expect.objectContaining({ id: timers[0]!.id, dueAt: timers[0]!.dueAt, status: 'pending', settledAt: null })]);
    clock.advance(100);
    const accepted = await engine.apply({ caseId: c.id, type: 'ACCEPT', payload: {}, actor: police });
    const pendingNow = await store.pendingTimers(c.id);
    expect(accepted.pendingTimers.map((t) => [t.id, t.name, t.dueAt.getTime()])).toEqual(pendingNow.map((t) => [t.id, t.name, t.dueAt.getTime()]));
    expect(pendingNow.map((t) => t.name)).toEqual(['reminder']);
    expect(await store.loadCase('00000000-0000-4000-8000-000000000000')).toBeNull();
    const withTimer = (await store.loadTimer(pendingNow[0]!.id))!;
    expect(withTimer.timer).toEqual(pendingNow[0]);
    expect(withTimer.loaded).toEqual(await store.loadCase(c.id));
    expect((await store.loadTimer(timers[0]!.id))!.timer).toEqual(expect.objectContaining({ status: 'cancelled', settledAt: new Date(clock.now()) }));
    expect(await store.loadTimer('00000000-0000-4000-8000-000000000000')).toBeNull();
  });

  it('case_events is append-only: UPDATE, DELETE and TRUNCATE fail in the database itself', async () => {
    const { open } = kernel();
    const { case: c } = await open();
    await expect(q(`update case_events set event_type = 'forged' where case_id = ?`, [c.id])).rejects.toThrow(/append-only/);
    await expect(q(`delete from case_events where case_id = ?`, [c.id])).rejects.toThrow(/append-only/);
    await expect(q('truncate case_events cascade', [])).rejects.toThrow(/append-only/);
    const f = await facts(c.id);
    expect(f.history.map((r) => r.eventType)).toEqual(['case.opened']);
    expect(verifyChain(f.history)).toEqual({ valid: true });
  });

  it('listCases: jurisdiction by whole path segments (or own unit), overdue, type and state filters, total', async () => {
    const { clock, engine, queries, store } = kernel('2026-04-01T09:00:00+08:00');
    const openAt = async (path: string, type = 'kernel-deadline', owner = 'u7-other') =>
      (await engine.open({ type, subject: {}, data: {}, ownerUnitId: owner, jurisdictionPath: path, actor: SYSTEM_ACTOR })).case.id;
    const inB = await openAt('r7/a/b');
    await openAt('r7/a/bc'); // a path-prefix sibling: outside r7/a/b
    await openAt('r7/a'); // the parent: outside
    const deep = await openAt('r7/a/b/c', 'kernel-other');
    const mine = await openAt('r7/x', 'kernel-deadline', 'u7-me'); // outside the path, but owned by the caller's unit
    const underscore = await openAt('r7/a_b/c');
    await openAt('r7/aXb/c'); // `_` is a LIKE wildcard: must not match r7/a_b
    clock.advance(5000); // the deadlines above (due +2000 ms) are now overdue
    const fresh = await openAt('r7/a/b/d');
    const acc = await openAt('r7/a/b');
    clock.advance(1); // acc becomes the most recently updated case
    await engine.apply({ caseId: acc, type: 'ACCEPT', payload: {}, actor: SYSTEM_ACTOR });

    const me: Actor = { userId: 'u7', unitId: 'u7-me', role: 'police', jurisdictionPath: 'r7/a/b' };
    const list = async (filter: { type?: string; state?: string; overdue?: boolean; limit?: number; offset?: number }, actor = me) => {
      const { items, total } = await queries.list({ limit: 50, offset: 0, ...filter }, actor);
      return { ids: items.map((i) => i.id).sort(), total };
    };
    const sorted = (...ids: string[]) => ids.sort();
    expect(await list({})).toEqual({ ids: sorted(inB, deep, mine, fresh, acc), total: 5 });
    expect(await list({ overdue: true })).toEqual({ ids: sorted(inB, deep, mine), total: 3 });
    expect(await list({ overdue: false })).toEqual({ ids: sorted(fresh, acc), total: 2 });
    expect(await list({ type: 'kernel-other' })).toEqual({ ids: [deep], total: 1 });
    expect(await list({ type: 'kernel-deadline', overdue: true })).toEqual({ ids: sorted(inB, mine), total: 2 });
    expect(await list({ state: 'accepted' })).toEqual({ ids: [acc], total: 1 });
    expect(await list({ state: 'awaitingAcceptance', overdue: false })).toEqual({ ids: [fresh], total: 1 });
    expect(await list({}, { ...me, unitId: 'u7-nobody', jurisdictionPath: 'r7/a_b' })).toEqual({ ids: [underscore], total: 1 });

    const pages = await Promise.all([0, 2, 4].map((offset) => list({ limit: 2, offset })));
    expect(pages.map((p) => [p.ids.length, p.total])).toEqual([[2, 5], [2, 5], [1, 5]]);
    expect(pages.flatMap((p) => p.ids).sort()).toEqual(sorted(inB, deep, mine, fresh, acc));
    const newestFirst = await store.listCases({ jurisdictionPath: 'r7/a/b', unitId: 'u7-me', now: clock.now(), limit: 1, offset: 0 });
    expect(newestFirst.items.map((i) => i.id)).toEqual([acc]);
  });

  it('SqlDispatchStore: keyset pages of due timers; outbox pending -> done, retried, failed', async () => {
    const { clock, engine, open } = kernel('2031-01-01T00:00:00Z');
    const dispatch = new SqlDispatchStore(h!.db);
    const tied = [];
    for (let i = 0; i < 7; i++) tied.push((await open()).timers[0]!); // same clock: all due at the same instant
    clock.advance(1000);
    const later = [(await open()).timers[0]!, (await open()).timers[0]!];
    clock.advance(10_000);
    const beyond = (await open()).timers[0]!;
    expect(new Set(tied.map((t) => t.dueAt.getTime())).size).toBe(1);

    const until = new Date(later[0]!.dueAt);
    const expected = (await q(`select id from timers where status = 'pending' and due_at <= ? order by due_at, id`, [until])).map((r) => r.id);
    const paged = await pageAll<TimerRow>((after) => dispatch.pendingTimersDueBefore(until, after && { dueAt: after.dueAt, id: after.id }, 3), 3);
    expect(paged.map((t) => t.id)).toEqual(expected);
    expect(expected).toEqual(expect.arrayContaining([...tied, ...later].map((t) => t.id)));
    expect(expected).not.toContain(beyond.id);

    const outboxIds: string[] = [];
    for (const t of tied.slice(0, 3)) {
      const fired = await engine.fireTimer(t.id);
      if (fired.kind !== 'fired') throw new Error(`timer ${t.id}: ${fired.kind}`);
      outboxIds.push(fired.result.outbox[0]!.id);
    }
    const now = clock.now();
    const pendingIds = async () => (await pageAll<OutboxRow>((after) => dispatch.pendingOutbox(now, after?.id ?? null, 2), 2)).map((o) => o.id);
    const expectedOutbox = (await q(`select id from outbox where status = 'pending' and created_at <= ? order by id`, [now])).map((r) => r.id);
    expect(await pendingIds()).toEqual(expectedOutbox);
    expect(expectedOutbox).toEqual(expect.arrayContaining(outboxIds));
    expect(await dispatch.pendingOutbox(new Date(now.getTime() - 1), null, 100)).not.toContainEqual(expect.objectContaining({ id: outboxIds[0] }));

    const [done, retried, failed] = outboxIds as [string, string, string];
    await dispatch.markOutboxDone(done, now);
    await dispatch.recordOutboxFailure(done, 'too late: already done', true);
    await dispatch.recordOutboxFailure(retried, 'smtp down', false);
    await dispatch.recordOutboxFailure(failed, 'x'.repeat(3000), true);
    const read = async (id: string) => (await q('select status, attempts, last_error, done_at from outbox where id = ?', [id]))[0]!;
    expect(await read(done)).toMatchObject({ status: 'done', attempts: 0, last_error: null });
    expect(ms((await read(done)).done_at)).toBe(now.getTime());
    expect(await read(retried)).toMatchObject({ status: 'pending', attempts: 1, last_error: 'smtp down', done_at: null });
    expect(await read(failed)).toMatchObject({ status: 'failed', attempts: 1, done_at: null });
    expect((await read(failed)).last_error).toHaveLength(2000);
    await dispatch.recordOutboxFailure(retried, 'gave up', true);
    expect(await read(retried)).toMatchObject({ status: 'failed', attempts: 2, last_error: 'gave up' });
    expect(await pendingIds()).toEqual(expectedOutbox.filter((id) => !outboxIds.includes(id)));
  });
});
