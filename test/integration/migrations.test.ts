import { Database, MIGRATIONS } from '#shouhu/persistence';
import { createTestDatabase } from '../support/stack';

/** Several processes starting at once against one PostgreSQL: one migrates, the rest find nothing to do. */
jest.setTimeout(60_000);

it('concurrent migrate() calls on PostgreSQL apply each migration exactly once', async () => {
  const target = await createTestDatabase('mig');
  const dbs = await Promise.all([1, 2, 3].map(() => Database.open({ kind: 'postgres', url: target.url })));
  try {
    const applied = await Promise.all(dbs.map((db) => db.migrate()));
    const all = MIGRATIONS.map((m) => m.name);
    expect(applied.flat()).toEqual(all);
    const rows = await dbs[0]!.em().execute<{ name: string }[]>('select name from mikro_orm_migrations');
    expect(rows.map((r) => r.name)).toEqual(all);
    expect(await dbs[1]!.pendingMigrations()).toEqual([]);
  } finally {
    await Promise.all(dbs.map((db) => db.close()));
    await target.drop();
  }
});
