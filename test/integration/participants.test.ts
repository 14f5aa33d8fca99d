import { type Actor, DefinitionRegistry, ManualClock, SYSTEM_ACTOR, CaseQueries, WorkflowEngine } from '#shouhu/engine';
import { Database, SqlCaseStore } from '#shouhu/persistence';
import { DirectoryService, seedCountyDirectory } from '#shouhu/directory';
import { deadlineCaseV1 } from '../fixtures/deadline-case';
import { createTestDatabase } from '../support/stack';

/** The list query's participant rule on both databases: the subject's school finds the case; another school does not. */
jest.setTimeout(60_000);

const school: Actor = { userId: 't', unitId: 'maluguo-school', role: 'school', jurisdictionPath: 'changbai/maluguo/school' };
const otherSchool: Actor = { userId: 'u', unitId: 'jinhua-school', role: 'school', jurisdictionPath: 'changbai/jinhua/school' };

describe.each(['pglite', 'postgres'] as const)('participants on %s', (kind) => {
  let db: Database;
  let drop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    if (kind === 'postgres') {
      const target = await createTestDatabase('part');
      drop = target.drop;
      db = await Database.open({ kind: 'postgres', url: target.url });
    } else {
      db = await Database.open({ kind: 'pglite', dataDir: null });
    }
    await db.migrate();
    await seedCountyDirectory(new DirectoryService(db));
  });

  afterAll(async () => {
    await db?.close();
    await drop?.();
  });

  it('lists a village-area case for the school named in its subject, and only for it', async () => {
    const clock = new ManualClock();
    const store = new SqlCaseStore(db);
    const registry = new DefinitionRegistry([{ ...deadlineCaseV1, participants: ['school'] }]);
    const engine = new WorkflowEngine(registry, store, clock);
    const queries = new CaseQueries(engine, registry, store, clock);
    const { case: c } = await engine.open({
      type: 'kernel-deadline', subject: { childId: 'c-9', school: 'maluguo-school' }, data: {},
      ownerUnitId: 'maluguo-village', jurisdictionPath: 'changbai/maluguo/village', actor: SYSTEM_ACTOR,
    });
    expect((await queries.list({ limit: 10, offset: 0 }, school)).items.map((x) => x.id)).toEqual([c.id]);
    expect((await queries.list({ limit: 10, offset: 0 }, otherSchool)).total).toBe(0);
    expect((await queries.view(c.id, school)).id).toBe(c.id);
  });
});
