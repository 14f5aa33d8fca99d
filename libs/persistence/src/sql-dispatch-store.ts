import type { OutboxRow, TimerRow } from '#shouhu/engine';
import { outboxRowOf, timerRowOf } from './case-sql';
import type { Database } from './database';
import { RawSql, toDate } from './raw-sql';

/** A pending timer as the reconciler needs it: what to arm and when. */
export interface TimerDue {
  id: string;
  dueAt: Date;
}

/** What the relay, the reconciler and the effect worker read and settle (plain SQL: they run per job or per 5,000 rows). */
export class SqlDispatchStore {
  private readonly sql: RawSql;

  constructor(db: Database) {
    this.sql = new RawSql(db);
  }

  /** Pending timers due before `until`, in due order, a page at a time (keyset on due_at, id). */
  async pendingTimersDueBefore(until: Date, after: TimerDue | null, limit: number): Promise<TimerRow[]> {
    const { rows } = await this.sql.query(...duePage('*', until, after, limit));
    return rows.map(timerRowOf);
  }

  /** The same page, only `id` and `due_at`: what re-arming needs, without reading the rest of each row. */
  async pendingTimerDuesBefore(until: Date, after: TimerDue | null, limit: number): Promise<TimerDue[]> {
    const { rows } = await this.sql.query<{ id: string; due_at: unknown }>(...duePage('id, due_at', until, after, limit));
    return rows.map((r) => ({ id: r.id, dueAt: toDate(r.due_at) }));
  }

  /** Outbox rows not yet done and older than `createdBefore` (the relay after commit had its chance). */
  async pendingOutbox(createdBefore: Date, after: string | null, limit: number): Promise<OutboxRow[]> {
    const { rows } = after
      ? await this.sql.query(
          `select * from outbox where status = 'pending' and created_at <= $1::text::timestamptz and id > $2::uuid order by id limit $3::int`,
          [createdBefore.toISOString(), after, limit],
        )
      : await this.sql.query(`select * from outbox where status = 'pending' and created_at <= $1::text::timestamptz order by id limit $2::int`, [
          createdBefore.toISOString(),
          limit,
        ]);
    return rows.map(outboxRowOf);
  }

  async findOutbox(id: string): Promise<OutboxRow | null> {
    const { rows } = await this.sql.query('select * from outbox where id = $1::uuid', [id]);
    return rows[0] ? outboxRowOf(rows[0]) : null;
  }

  async markOutboxDone(id: string, at: Date): Promise<void> {
    await this.sql.query(`update outbox set status = 'done', done_at = $2::text::timestamptz where id = $1::uuid and status = 'pending'`, [
      id,
      at.toISOString(),
    ]);
  }

  async recordOutboxFailure(id: string, error: string, final: boolean): Promise<void> {
    await this.sql.query(
      `update outbox set attempts = attempts + 1, last_error = $2::text, status = case when $3::boolean then 'failed' else status end
       where id = $1::uuid and status = 'pending'`,
      [id, error.slice(0, 2000), final],
    );
  }
}

/** `due_at >=` beside the row comparison lets the (due_at) index start at the cursor. */
function duePage(columns: string, until: Date, after: TimerDue | null, limit: number): [string, unknown[]] {
  if (!after) {
    return [
      `select ${columns} from timers where status = 'pending' and due_at <= $1::text::timestamptz order by due_at, id limit $2::int`,
      [until.toISOString(), limit],
    ];
  }
  return [
    `select ${columns} from timers where status = 'pending' and due_at <= $1::text::timestamptz
       and due_at >= $2::text::timestamptz and (due_at, id) > ($2::text::timestamptz, $3::uuid) order by due_at, id limit $4::int`,
    [until.toISOString(), after.dueAt.toISOString(), after.id, limit],
  ];
}
