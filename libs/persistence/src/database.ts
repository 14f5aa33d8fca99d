import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MikroORM, type Options } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { type EntityManager, PostgreSqlDriver } from '@mikro-orm/postgresql';
import { PGlite } from '@electric-sql/pglite';
import { PGliteDriver } from 'mikro-orm-pglite';
import { AccessTokenSchema, InboxSchema, UnitSchema } from './entities/directory.entities';
import { CaseEventSchema, CaseSchema, OutboxSchema, TimerSchema } from './entities/case.entities';
import { Migration20261129000000_kernel } from './migrations/Migration20261129000000_kernel';

export const ENTITIES = [CaseSchema, CaseEventSchema, TimerSchema, OutboxSchema, UnitSchema, AccessTokenSchema, InboxSchema];

/** Listed, not globbed, so the same list works from sources (tests) and from dist. */
export const MIGRATIONS = [{ name: 'Migration20261129000000_kernel', class: Migration20261129000000_kernel }];

export type DatabaseTarget = { kind: 'postgres'; url: string } | { kind: 'pglite'; dataDir: string | null };

export function ormOptions(target: DatabaseTarget, debug = false): Options {
  const common: Options = {
    entities: ENTITIES,
    extensions: [Migrator],
    migrations: { migrationsList: MIGRATIONS, transactional: true, allOrNothing: true, snapshot: false, silent: true },
    debug,
    allowGlobalContext: false,
    forceUtcTimezone: true,
  };
  if (target.kind === 'postgres') {
    return { ...common, driver: PostgreSqlDriver, clientUrl: target.url, pool: { min: 1, max: 10 } };
  }
  return { ...common, driver: PGliteDriver, dbName: 'postgres' };
}

/**
 * The database behind a name: PostgreSQL when DATABASE_URL is set, else PGlite (PostgreSQL in
 * WebAssembly) in DATA_DIR. Migrations are the one way the schema changes.
 */
export class Database {
  private constructor(
    readonly orm: MikroORM,
    readonly target: DatabaseTarget,
    private readonly pglite: PGlite | null,
  ) {}

  static async open(target: DatabaseTarget): Promise<Database> {
    let pglite: PGlite | null = null;
    let options = ormOptions(target);
    if (target.kind === 'pglite') {
      let dir: string | undefined;
      if (target.dataDir) {
        dir = join(target.dataDir, 'pglite');
        mkdirSync(dir, { recursive: true }); // PGlite does not create parent folders
      }
      const instance = new PGlite(dir);
      pglite = instance;
      options = { ...options, driverOptions: { connection: { pglite: () => instance } } };
    }
    const orm = await MikroORM.init(options);
    return new Database(orm, target, pglite);
  }

  em(): EntityManager {
    return this.orm.em.fork() as EntityManager;
  }

  async migrate(): Promise<string[]> {
    const done = await this.orm.getMigrator().up();
    return done.map((m) => m.name);
  }

  async pendingMigrations(): Promise<string[]> {
    return (await this.orm.getMigrator().getPendingMigrations()).map((m) => m.name);
  }

  async ping(): Promise<void> {
    await this.em().execute('select 1');
  }

  async close(): Promise<void> {
    await this.orm.close(true);
    if (this.pglite && !this.pglite.closed) await this.pglite.close();
  }
}
