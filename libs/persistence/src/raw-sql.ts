import type { Database } from './database';

export interface SqlResult<R> {
  rows: R[];
  /** Rows inserted, updated or deleted (or returned, for a SELECT). */
  rowCount: number;
}

/** One connection: what a raw statement runs on, alone or inside a transaction. */
export interface SqlSession {
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<SqlResult<R>>;
}

/** What both drivers' connections answer: `pg.Client` (rowCount) and PGlite (affectedRows). */
interface DriverConnection {
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[]; rowCount?: number | null; affectedRows?: number }>;
}

/** The part of knex's client (MikroORM's pool) used here. */
interface KnexClient {
  acquireConnection(): Promise<DriverConnection>;
  releaseConnection(connection: DriverConnection): Promise<unknown>;
}

/**
 * Parameterized SQL (`$1`, `$2`, …) straight on a connection of MikroORM's own pool, for the hot
 * paths where building queries and hydrating entities cost more than the database work.
 *
 * The connection is borrowed from the same knex pool the ORM uses, so on PGlite (one connection)
 * these statements queue behind an ORM transaction instead of running inside it. Errors are
 * converted exactly as the ORM converts them (UniqueConstraintViolationException, …).
 *
 * Values: pass timestamps as ISO strings and JSON as text cast in SQL (`$3::text::jsonb`); the two
 * drivers serialise Dates and arrays differently. Timestamps come back as strings on PostgreSQL
 * (MikroORM's type parsers) and as Dates on PGlite: read them with `toDate`.
 */
export class RawSql {
  private readonly pool: KnexClient;

  constructor(private readonly db: Database) {
    this.pool = (db.orm.em.getDriver().getConnection() as unknown as { getKnex(): { client: KnexClient } }).getKnex().client;
  }

  async query<R = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<SqlResult<R>> {
    return this.withConnection((session) => session.query<R>(sql, params));
  }

  private async withConnection<T>(work: (session: SqlSession) => Promise<T>): Promise<T> {
    const client = this.pool;
    const connection = await client.acquireConnection();
    const session: SqlSession = {
      query: async <R>(sql: string, params: readonly unknown[] = []) => {
        try {
          const res = await connection.query(sql, params as unknown[]);
          return { rows: res.rows as R[], rowCount: res.rowCount ?? res.affectedRows ?? res.rows.length };
        } catch (err) {
          throw this.db.orm.em.getDriver().convertException(err as Error);
        }
      },
    };
    try {
      return await work(session);
    } finally {
      await client.releaseConnection(connection);
    }
  }
}

/** A timestamp column as read by either driver. */
export function toDate(value: unknown): Date {
  return value instanceof Date ? value : new Date(value as string);
}

export function toDateOrNull(value: unknown): Date | null {
  return value === null || value === undefined ? null : toDate(value);
}
