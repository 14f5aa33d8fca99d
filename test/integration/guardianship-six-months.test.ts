import { DirectoryService, ResponsibleUnitResolver, seedCountyDirectory } from '#shouhu/directory';
import { type Actor, DefinitionRegistry, ManualClock, SYSTEM_ACTOR, WorkflowEngine } from '#shouhu/engine';
import { InboxService, NotifyEffectHandler } from '#shouhu/notify';
import { Database, SqlCaseStore } from '#shouhu/persistence';
import { CHANGBAI_POLICY, protectionDefinitionsFor } from '#shouhu/protection';
import { createTestDatabase } from '../support/stack';

/*
 * Guardianship intervention on the real PostgreSQL with a clock moved by hand: after an admonition
 * the guardian keeps refusing; six calendar months later (国发〔2016〕13号 四(四): 6个月以上) the court
 * application becomes due by itself — the durable timer row fires through the engine, nobody acts —
 * and civil affairs, the village committee and the joint-meeting office are told.
 */
jest.setTimeout(60_000);

const caseworker: Actor = { userId: 'zhang', unitId: 'changbai-civil-affairs', role: 'civil_affairs', jurisdictionPath: 'changbai' };
const village: Actor = { userId: 'jin', unitId: 'maluguo-village', role: 'village', jurisdictionPath: 'changbai/maluguo/village' };

let target: { url: string; drop: () => Promise<void> };
let db: Database;

beforeAll(async () => {
  target = await createTestDatabase('guard');
  db = await Database.open({ kind: 'postgres', url: target.url });
  await db.migrate();
  await seedCountyDirectory(new DirectoryService(db));
});

afterAll(async () => {
  await db?.close();
  await target?.drop();
});

it('six months of refusal make the court application due by itself, and the units are told', async () => {
  const clock = new ManualClock('2026-03-02T10:00:00+08:00');
  const store = new SqlCaseStore(db);
  const engine = new WorkflowEngine(new DefinitionRegistry(protectionDefinitionsFor(CHANGBAI_POLICY)), store, clock);
  const { case: opened } = await engine.open({
    type: 'guardianship',
    subject: { childId: 'c-3001', township: 'maluguo', village: 'maluguo-village' },
    data: { assessmentCaseId: 'a-1', findings: '父母长期不履行监护职责' },
    ownerUnitId: 'changbai-civil-affairs',
    jurisdictionPath: 'changbai/maluguo/village',
    actor: SYSTEM_ACTOR,
  });
  expect(opened.policyVersion).toBe(CHANGBAI_POLICY.version);
  await engine.apply({ caseId: opened.id, type: 'ADMONISH', payload: { by: 'village', measures: ['训诫', '书面督促改正'] }, actor: village });

  clock.set('2026-03-09T15:30:00+08:00');
  const refusing = await engine.apply({ caseId: opened.id, type: 'REFUSAL_OBSERVED', payload: {}, actor: caseworker });
  expect(refusing.case.state).toBe('refusal');
  const sixMonths = (await store.pendingTimers(opened.id)).find((t) => t.name === 'guardianshipRefusal')!;
  expect(sixMonths.dueAt.toISOString()).toBe(new Date('2026-09-09T15:30:00+08:00').toISOString());

  // A day short of six months the timer is not due: a job arriving early changes nothing.
  clock.set('2026-09-08T15:30:00+08:00');
  expect(await engine.fireTimer(sixMonths.id)).toEqual({ kind: 'early', dueAt: sixMonths.dueAt });
  expect((await store.findCase(opened.id))!.state).toBe('refusal');

  clock.set('2026-09-09T15:30:00+08:00');
  const fired = await engine.fireTimer(sixMonths.id);
  if (fired.kind !== 'fired') throw new Error(`expected the timer to fire, got ${fired.kind}`);
  expect(fired.result.case.state).toBe('applicationDue.inTime');
  expect(fired.result.history).toMatchObject({ actorRole: 'system', fromState: 'refusal', toState: 'applicationDue.inTime' });
  const notice = fired.result.outbox.find((o) => o.action === 'notify')!;
  expect(notice.params).toMatchObject({ to: expect.arrayContaining(['county-civil-affairs', 'village-committee', 'joint-office']) });
  expect(String(notice.params.reason)).toContain('REFUSAL_SIX_MONTHS');

  // The notify effect reaches each unit's inbox once, even if delivered twice.
  const directory = new DirectoryService(db);
  const inbox = new InboxService(db, clock);
  const handler = new NotifyEffectHandler(new ResponsibleUnitResolver(directory), inbox);
  await handler.handle(notice, fired.result.case);
  await handler.handle(notice, fired.result.case);
  const told = (await db.em().execute<{ unit_id: string }[]>('select unit_id from inbox where case_id = ? order by unit_id', [opened.id])).map((r) => r.unit_id);
  expect(told).toEqual(['changbai-civil-affairs', 'changbai-joint-office', 'maluguo-village']);

  // The application names the established ground; the court application has its own deadline.
  const courtDeadline = fired.result.timers.find((t) => t.name === 'courtApplication')!;
  expect(courtDeadline.dueAt.toISOString()).toBe(new Date('2026-09-23T15:30:00+08:00').toISOString()); // 10 working days
  const filed = await engine.apply({
    caseId: opened.id,
    type: 'FILE_APPLICATION',
    payload: { applicant: 'civil_affairs', ground: 'REFUSAL_SIX_MONTHS' },
    actor: caseworker,
  });
  expect(filed.case.state).toBe('awaitingRuling');
  expect((await store.pendingTimers(opened.id))).toEqual([]);
});
