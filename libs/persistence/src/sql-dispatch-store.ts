import type { OutboxRow, TimerRow } from '#shouhu/engine';
import type { Database } from './database';
import { OutboxEntity, TimerEntity } from './entities/case.entities';

/** What the relay, the reconciler and the effect worker read and settle. */
export class SqlDispatchStore {
  constructor(private readonly db: Database) {}

  /** Pending timers due before `until`, in due order, a page at a time (keyset on due_at, id). */
  async pendingTimersDueBefore(until: Date, after: { dueAt: Date; id: string } | null, limit: number): Promise<TimerRow[]> {
    const where = after
      ? { status: 'pending' as const, dueAt: { $lte: until }, $or: [{ dueAt: { $gt: after.dueAt } }, { dueAt: after.dueAt, id: { $gt: after.id } }] }
      : { status: 'pending' as const, dueAt: { $lte: until } };
    return this.db.em().find(TimerEntity, where, { orderBy: { dueAt: 'asc', id: 'asc' }, limit });
  }

  /** Outbox rows not yet done and older than `createdBefore` (the relay after commit had its chance). */
  async pendingOutbox(createdBefore: Date, after: string | null, limit: number): Promise<OutboxRow[]> {
    const where = after
      ? { status: 'pending' as const, createdAt: { $lte: createdBefore }, id: { $gt: after } }
      : { status: 'pending' as const, createdAt: { $lte: createdBefore } };
    return this.db.em().find(OutboxEntity, where, { orderBy: { id: 'asc' }, limit });
  }

  async findOutbox(id: string): Promise<OutboxRow | null> {
    return this.db.em().findOne(OutboxEntity, { id });
  }

  async markOutboxDone(id: string, at: Date): Promise<void> {
    await this.db.em().nativeUpdate(OutboxEntity, { id, status: 'pending' }, { status: 'done', doneAt: at });
  }

  async recordOutboxFailure(id: string, error: string, final: boolean): Promise<void> {
    const em = this.db.em();
    await em.execute(
      `update outbox set attempts = attempts + 1, last_error = ?, status = case when ? then 'failed' else status end
       where id = ? and status = 'pending'`,
      [error.slice(0, 2000), final, id],
    );
  }
}
