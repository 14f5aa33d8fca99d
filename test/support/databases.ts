import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { Database } from '#shouhu/persistence';

/*
 * The two databases every persistence test runs on: embedded PGlite (in memory) and a throwaway
 * database on this machine's PostgreSQL (dropped again by `dispose`).
 */

const PG_SERVER = process.env.SHOUHU_IT_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';

async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: `${PG_SERVER}/test` });
  await client.connect();
  await client.query(sql).finally(() => client.end());
}

export type TestDatabaseFactory = () => Promise<{ db: Database; dispose(): Promise<void> }>;

export const DATABASE_TARGETS: Array<[string, TestDatabaseFactory]> = [
  [
    'PGlite (in memory)',
    async () => {
      const db = await Database.open({ kind: 'pglite', dataDir: null });
      return { db, dispose: () => db.close() };
    },
  ],
  [
    'PostgreSQL (127.0.0.1:5432)',
    async () => {
      const name = `shouhu_it_${randomBytes(6).toString('hex')}`;
      await admin(`create database ${name}`);
      const db = await Database.open({ kind: 'postgres', url: `${PG_SERVER}/${name}` });
      return { db, dispose: () => db.close().finally(() => admin(`drop database if exists ${name} with (force)`)) };
    },
  ],
];
