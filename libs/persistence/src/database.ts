import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MikroORM, type Options } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { type EntityManager, PostgreSqlDriver } from '@mikro-orm/postgresql';
import { PGlite } from '@electric-sql/pglite';
import { Client } from 'pg';
import { PGliteDriver } from 'mikro-orm-pglite';
import { AccessTokenSchema, InboxSchema, UnitSchema } from './entities/directory.entities';
import { CaseEventSchema, CaseSchema, OutboxSchema, TimerSchema } from './entities/case.entities';
import { Migration20261129000000_kernel } from './migrations/Migration20261129000000_kernel';
import { DeliverySchema, UnitChannelSchema } from './entities/delivery.entities';
import { Migration20261129020000_delivery } from './migrations/Migration20261129020000_delivery';
import { AttendanceSchema } from './entities/attendance.entities';
import { Migration20261129030000_attendance } from './migrations/Migration20261129030000_attendance';
import { ChildFileReadSchema, ChildSchema, ChildVersionSchema, DuplicateFlagSchema } from './entities/registry.entities';
import { Migration20261129040000_registry } from './migrations/Migration20261129040000_registry';
import { Migration20261129050000_registry_import } from './migrations/Migration20261129050000_registry_import';

export const ENTITIES = [CaseSchema, CaseEventSchema, TimerSchema, OutboxSchema, UnitSchema, AccessTokenSchema, InboxSchema, UnitChannelSchema, DeliverySchema, AttendanceSchema, ChildSchema, ChildVersionSchema, ChildFileReadSchema, DuplicateFlagSchema];

/** Listed, not globbed, so the same list works from sources (tests) and from dist. */
export const MIGRATIONS = [
  { name: 'Migration20261129000000_kernel', class: Migration20261129000000_kernel },
  { name: 'Migration20261129020000_delivery', class: Migration20261129020000_delivery },
  { name: 'Migration20261129030000_attendance', class: Migration20261129030000_attendance },
  { name: 'Migration20261129040000_registry', class: Migration20261129040000_registry },
  { name: 'Migration20261129050000_registry_import', class: Migration20261129050000_registry_import },
];

/** Arbitrary but fixed: the advisory lock that serialises migrations across processes. */
const MIGRATION_LOCK_KEY = 7_204_816;

/** `poolMax`: connections to PostgreSQL per process (the pool grows to it under load). */
export type DatabaseTarget = { kind: 'postgres'; url: string; poolMax?: number } | { kind: 'pglite'; dataDir: string | null };

/** Measured in BENCHMARKS.md: 10 connections held a 2-core API at ~330 transitions/s, 30 at ~550/s. */
export const DEFAULT_POOL_MAX = 30;

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
    return { ...common, driver: PostgreSqlDriver, clientUrl: target.url, pool: { min: 1, max: target.poolMax ?? DEFAULT_POOL_MAX } };
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

  /**
   * Applies pending migrations. On PostgreSQL a session advisory lock (on a connection of its own)
   * lets any number of API and worker processes start at once: one migrates, the others wait and
   * then find nothing to do.
   */
  async migrate(): Promise<string[]> {
    if (this.target.kind === 'pglite') return (await this.orm.getMigrator().up()).map((m) => m.name);
    const lock = new Client({ connectionString: this.target.url });
    await lock.connect();
    try {
      await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      return (await this.orm.getMigrator().up()).map((m) => m.name);
    } finally {
      await lock.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
      await lock.end();
    }
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
