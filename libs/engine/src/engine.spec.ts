import { deadlineCaseV1, deadlineCaseV2 } from '../../../test/fixtures/deadline-case';
import { InMemoryCaseStore } from '../../../test/support/in-memory-store';
import type { Actor } from './actor';
import { ManualClock, ShiftedClock } from './clock';
import { DefinitionRegistry } from './definition';
import { WorkflowEngine } from './engine';
import { ConflictError, ForbiddenError, NotFoundError, UnprocessableError } from './errors';
import { verifyChain } from './history-chain';
import { CaseQueries } from './queries';

const police: Actor = { userId: 'p1', unitId: 'station-a', role: 'police', jurisdictionPath: 'county/town-a' };
const school: Actor = { userId: 's1', unitId: 'school-a', role: 'school', jurisdictionPath: 'county/town-a/school-a' };
const outsider: Actor = { userId: 'p2', unitId: 'station-b', role: 'police', jurisdictionPath: 'county/town-b' };

function setup(defs = [deadlineCaseV1]) {
  const clock = new ManualClock('2026-03-02T09:00:00+08:00');
  const store = new InMemoryCaseStore();
  const registry = new DefinitionRegistry(defs);
  let n = 0;
  const engine = new WorkflowEngine(registry, store, clock, () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`);
  const queries = new CaseQueries(engine, registry, store, clock);
  const open = (actor: Actor = school) =>
    engine.open({ type: 'kernel-deadline', subject: { child: 'c1' }, data: {}, ownerUnitId: 'station-a', jurisdictionPath: 'county/town-a/school-a', actor });
  return { clock, store, registry, engine, queries, open };
}

describe('WorkflowEngine', () => {
  it('opens a case in its initial state and plans its deadline from the policy with the injected clock', async () => {
    const { open, store, clock } = setup();
    const { case: c, timers, history } = await open();
    expect(c.state).toBe('awaitingAcceptance');
    expect(c.version).toBe(1);
    expect(history.seq).toBe(1);
    expect(history.fromState).toBeNull();
    expect(timers).toHaveLength(1);
    expect(timers[0]!.name).toBe('acceptDeadline');
    expect(timers[0]!.dueAt.getTime()).toBe(clock.now().getTime() + 2000);
    expect((await store.pendingTimers(c.id)).map((t) => t.id)).toEqual([timers[0]!.id]);
  });

  it('cancels the deadline when the state is left before it, and a late job then does nothing', async () => {
    const { open, engine, store, clock } = setup();
    const { case: c, timers } = await open();
    const accepted = await engine.apply({ caseId: c.id, type: 'ACCEPT', payload: {}, actor: police });
    expect(accepted.case.state).toBe('accepted');
    expect(store.timers.get(timers[0]!.id)!.status).toBe('cancelled');
    clock.advance(5000);
    expect(await engine.fireTimer(timers[0]!.id)).toEqual({ kind: 'settled', status: 'cancelled' });
    expect((await store.history(c.id)).map((h) => h.eventType)).toEqual(['case.opened', 'ACCEPT']);
  });

  it('fires a due timer once: early jobs wait, the case moves, the notify effect lands in the outbox', async () => {
    const { open, engine, store, clock } = setup();
    const { case: c, timers } = await open();
    const timerId = timers[0]!.id;
    clock.advance(1999);
    expect(await engine.fireTimer(timerId)).toEqual({ kind: 'early', dueAt: timers[0]!.dueAt });
    clock.advance(1);
    const fired = await engine.fireTimer(timerId);
    expect(fired.kind).toBe('fired');
    const after = (await store.findCase(c.id))!;
    expect(after.state).toBe('overdue');
    expect(store.timers.get(timerId)!.status).toBe('fired');
    expect(store.outbox).toHaveLength(1);
    expect(store.outbox[0]).toMatchObject({
      action: 'notify',
      params: { to: 'owner', reason: 'not accepted within the deadline' },
      meta: { firedDeadline: { name: 'acceptDeadline', dueAt: timers[0]!.dueAt.toISOString() } },
    });
    const last = (await store.history(c.id)).at(-1)!;
    expect(last).toMatchObject({ actorRole: 'system', fromState: 'awaitingAcceptance', toState: 'overdue' });
    expect(await engine.fireTimer(timerId)).toEqual({ kind: 'settled', status: 'fired' });
    expect(store.outbox).toHaveLength(1);
  });

  it('re-entering a state cancels its old timer and arms a new one', async () => {
    const { open, engine, store, clock } = setup();
    const { case: c } = await open();
    const accepted = await engine.apply({ caseId: c.id, type: 'ACCEPT', payload: {}, actor: police });
    const first = accepted.timers[0]!;
    expect(first.name).toBe('reminder');
    clock.advance(60_000);
    const again = await engine.apply({ caseId: c.id, type: 'REMIND_LATER', payload: {}, actor: police });
    expect(store.timers.get(first.id)!.status).toBe('cancelled');
    expect(again.timers).toHaveLength(1);
    expect(again.timers[0]!.dueAt.getTime()).toBe(clock.now().getTime() + 3_600_000);
    expect((await store.pendingTimers(c.id)).map((t) => t.id)).toEqual([again.timers[0]!.id]);
  });

  it('a timer whose state no longer takes its event is marked stale and changes nothing', async () => {
    const { open, engine, store, clock } = setup();
    const { case: c, timers } = await open();
    await engine.apply({ caseId: c.id, type: 'ACCEPT', payload: {}, actor: police });
    // Simulate a lost cancel: the row is pending again although the case has moved on.
    store.timers.set(timers[0]!.id, { ...store.timers.get(timers[0]!.id)!, status: 'pending' });
    clock.advance(3000);
    expect(await engine.fireTimer(timers[0]!.id)).toEqual({ kind: 'stale' });
    expect(store.timers.get(timers[0]!.id)!.status).toBe('stale');
    expect((await store.findCase(c.id))!.state).toBe('accepted');
  });

  describe('refusals write nothing', () => {
    async function expectNothingWritten(store: InMemoryCaseStore, caseId: string, run: () => Promise<unknown>, error: unknown) {
      const before = structuredClone({ c: store.cases.get(caseId), n: store.events.length, t: store.timers.size, o: store.outbox.length });
      await expect(run()).rejects.toBeInstanceOf(error as never);
      expect({ c: store.cases.get(caseId), n: store.events.length, t: store.timers.size, o: store.outbox.length }).toEqual(before);
    }

    it('422 when the state does not take the event, naming the state and what it takes', async () => {
      const { open, engine, store } = setup();
      const { case: c } = await open();
      await expectNothingWritten(store, c.id, () => engine.apply({ caseId: c.id, type: 'CLOSE', payload: {}, actor: police }), UnprocessableError);
      const err = await engine.apply({ caseId: c.id, type: 'CLOSE', payload: {}, actor: police }).catch((e) => e);
      expect(err.message).toContain('"awaitingAcceptance"');
      expect(err.details).toMatchObject({ state: 'awaitingAcceptance', accepted: ['ACCEPT', 'NOTE'] });
    });

    it('422 when a guard refuses (closing with no notes) and for an event the type does not know', async () => {
      const { open, engine, store } = setup();
      const { case: c } = await open();
      await engine.apply({ caseId: c.id, type: 'ACCEPT', payload: {}, actor: police });
      await expectNothingWritten(store, c.id, () => engine.apply({ caseId: c.id, type: 'CLOSE', payload: {}, actor: police }), UnprocessableError);
      await expectNothingWritten(store, c.id, () => engine.apply({ caseId: c.id, type: 'FLY', payload: {}, actor: police }), UnprocessableError);
      await engine.apply({ caseId: c.id, type: 'NOTE', payload: { text: 'visited' }, actor: police });
      expect((await engine.apply({ caseId: c.id, type: 'CLOSE', payload: {}, actor: police })).case.status).toBe('done');
    });

    it('403 for a role the definition does not allow, and for the machine-only xstate.* events', async () => {
      const { open, engine, store } = setup();
      const { case: c } = await open();
      await expectNothingWritten(store, c.id, () => engine.apply({ caseId: c.id, type: 'ACCEPT', payload: {}, actor: school }), ForbiddenError);
      await expectNothingWritten(
        store,
        c.id,
        () => engine.apply({ caseId: c.id, type: 'xstate.after.acceptDeadline.kernel-deadline.awaitingAcceptance', payload: {}, actor: police }),
        ForbiddenError,
      );
      await expect(
        engine.open({ type: 'kernel-deadline', subject: {}, data: {}, ownerUnitId: 'x', jurisdictionPath: 'county/town-a', actor: { ...police, role: 'village' } }),
      ).rejects.toBeInstanceOf(ForbiddenError);
    });

    it('404 outside the jurisdiction; 403 opening a case outside it', async () => {
      const { open, engine, store } = setup();
      const { case: c } = await open();
      await expectNothingWritten(store, c.id, () => engine.apply({ caseId: c.id, type: 'ACCEPT', payload: {}, actor: outsider }), NotFoundError);
      // A role that may never send the event is refused outright, telling it nothing about the case.
      const outsiderSchool = { ...outsider, role: 'school' };
      const refused = await engine.apply({ caseId: c.id, type: 'ACCEPT', payload: {}, actor: outsiderSchool }).catch((e) => e);
      expect(refused).toBeInstanceOf(ForbiddenError);
      expect(refused.details).toEqual({});
      await expect(
        engine.open({ type: 'kernel-deadline', subject: {}, data: {}, ownerUnitId: 'station-a', jurisdictionPath: 'county/town-a', actor: outsider }),
      ).rejects.toBeInstanceOf(ForbiddenError);
    });

    it('409 for a stale expectedVersion and for a writer that lost the race', async () => {
      const { open, engine, store } = setup();
      const { case: c } = await open();
      await expectNothingWritten(store, c.id, () => engine.apply({ caseId: c.id, type: 'ACCEPT', payload: {}, actor: police, expectedVersion: 7 }), ConflictError);
      const results = await Promise.allSettled(
        [1, 2, 3].map(() => engine.apply({ caseId: c.id, type: 'NOTE', payload: { text: 'x' }, actor: police, expectedVersion: 1 })),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(results.filter((r) => r.status === 'rejected' && r.reason instanceof ConflictError)).toHaveLength(2);
      expect(await store.history(c.id)).toHaveLength(2);
    });
  });

  it('chains every history row to the one before; editing any row breaks verification', async () => {
    const { open, engine, store, queries } = setup();
    const { case: c } = await open();
    await engine.apply({ caseId: c.id, type: 'NOTE', payload: { text: 'called the grandmother' }, actor: school });
    await engine.apply({ caseId: c.id, type: 'ACCEPT', payload: {}, actor: police });
    const rows = await store.history(c.id);
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(rows[1]!.prevHash).toBe(rows[0]!.hash);
    expect(verifyChain(rows)).toEqual({ valid: true });
    expect((await queries.history(c.id, police)).verification.valid).toBe(true);
    const tampered = rows.map((r) => (r.seq === 2 ? { ...r, payload: { text: 'nothing happened' } } : r));
    expect(verifyChain(tampered)).toMatchObject({ valid: false, brokenAtSeq: 2 });
    expect(verifyChain(rows.filter((r) => r.seq !== 2))).toMatchObject({ valid: false, brokenAtSeq: 3 });
  });

  it('shows each caller only the events its role may send now', async () => {
    const { open, queries } = setup();
    const { case: c } = await open();
    expect((await queries.view(c.id, police)).allowedEvents).toEqual(['ACCEPT', 'NOTE']);
    expect((await queries.view(c.id, school)).allowedEvents).toEqual(['NOTE']);
    const view = await queries.view(c.id, police);
    expect(view.deadlines).toEqual([{ id: expect.any(String), name: 'acceptDeadline', dueAt: '2026-03-02T09:00:02.000+08:00', overdue: false }]);
  });

  it('keeps old machine versions loadable: a v1 case goes on under v1 after v2 is registered', async () => {
    const { open, engine, registry } = setup();
    const { case: old } = await open();
    registry.register(deadlineCaseV2);
    const { case: fresh } = await engine.open({ type: 'kernel-deadline', subject: {}, data: {}, ownerUnitId: 'station-a', jurisdictionPath: 'county/town-a', actor: police });
    expect(fresh.machineVersion).toBe(2);
    expect(old.machineVersion).toBe(1);
    await engine.apply({ caseId: old.id, type: 'NOTE', payload: { text: 'v1 still takes notes' }, actor: police });
    await expect(engine.apply({ caseId: fresh.id, type: 'NOTE', payload: { text: 'v2 does not' }, actor: police })).rejects.toBeInstanceOf(UnprocessableError);
  });
});

describe('definition options', () => {
  const reporterSecret = { ...deadlineCaseV1, openScope: 'county' as const, confidential: { fields: ['reporter'], visibleTo: ['police'] } };

  it('county scope: an opener may open a case in another township of the same county, never another county', async () => {
    const { engine } = setup([reporterSecret]);
    const elsewhere = { type: 'kernel-deadline', subject: {}, data: {}, ownerUnitId: 'station-b', jurisdictionPath: 'county/town-b', actor: school };
    await expect(engine.open(elsewhere)).resolves.toMatchObject({ case: { jurisdictionPath: 'county/town-b' } });
    await expect(engine.open({ ...elsewhere, jurisdictionPath: 'other-county/town-x' })).rejects.toBeInstanceOf(ForbiddenError);
    const { engine: strict } = setup();
    await expect(strict.open(elsewhere)).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('confidential fields are masked in the case and its history for roles not entitled to them', async () => {
    const { engine, queries } = setup([reporterSecret]);
    const { case: c } = await engine.open({
      type: 'kernel-deadline', subject: {}, data: { reporter: { unitId: 'school-a' }, note: 'x' },
      ownerUnitId: 'station-a', jurisdictionPath: 'county/town-a/school-a', actor: school,
    });
    expect((await queries.view(c.id, school)).data).toEqual({ reporter: '[confidential]', note: 'x' });
    expect((await queries.view(c.id, police)).data).toEqual({ reporter: { unitId: 'school-a' }, note: 'x' });
    const shown = await queries.history(c.id, school);
    expect(shown.entries[0]!.payload).toEqual({ subject: {}, data: { reporter: '[confidential]', note: 'x' } });
    expect(shown.verification.valid).toBe(true);
  });

  it('opening with a caller-chosen id twice opens one case', async () => {
    const { engine, store } = setup();
    const cmd = { id: '11111111-1111-4111-8111-111111111111', type: 'kernel-deadline', subject: {}, data: {}, ownerUnitId: 'station-a', jurisdictionPath: 'county/town-a/school-a', actor: school };
    await engine.open(cmd);
    await expect(engine.open(cmd)).rejects.toBeInstanceOf(ConflictError);
    expect(store.cases.size).toBe(1);
  });
});

describe('participants', () => {
  it("the subject's school sees a case that lies in the village's area, and finds it in lists; other schools do not", async () => {
    const shared = { ...deadlineCaseV1, participants: ['school'] as const };
    const { engine, queries } = setup([shared]);
    const villageActor: Actor = { userId: 'v1', unitId: 'village-a', role: 'police', jurisdictionPath: 'county/town-a/village-a' };
    const { case: c } = await engine.open({
      type: 'kernel-deadline', subject: { childId: 'c1', school: 'school-a' }, data: {},
      ownerUnitId: 'village-a', jurisdictionPath: 'county/town-a/village-a', actor: villageActor,
    });
    expect((await queries.view(c.id, school)).id).toBe(c.id);
    expect((await queries.list({ limit: 10, offset: 0 }, school)).items.map((x) => x.id)).toEqual([c.id]);
    const otherSchool: Actor = { ...school, unitId: 'school-b', jurisdictionPath: 'county/town-a/school-b' };
    await expect(queries.view(c.id, otherSchool)).rejects.toBeInstanceOf(NotFoundError);
    expect((await queries.list({ limit: 10, offset: 0 }, otherSchool)).total).toBe(0);
  });
});

describe('ShiftedClock', () => {
  it('runs at real speed, a fixed offset away', () => {
    const clock = new ShiftedClock(86_400_000);
    const drift = clock.now().getTime() - Date.now() - 86_400_000;
    expect(Math.abs(drift)).toBeLessThan(50);
  });
});
