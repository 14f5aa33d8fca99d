import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { CaseListQuery, CaseRow, CaseStore, CommitBatch, HistoryRow, TimerRow, TimerStatus } from '#shouhu/engine';
import { ConflictError } from '#shouhu/engine';
import type { Database } from './database';
import { CaseEntity, CaseEventEntity, OutboxEntity, TimerEntity } from './entities/case.entities';

/** The engine's CaseStore on PostgreSQL or PGlite: one transaction per commit, an optimistic version. */
export class SqlCaseStore implements CaseStore {
  constructor(private readonly db: Database) {}

  async findCase(id: string): Promise<CaseRow | null> {
    return this.db.em().findOne(CaseEntity, { id });
  }

  async commit(batch: CommitBatch): Promise<void> {
    try {
      await this.db.em().transactional(async (em) => {
        const row = batch.case;
        if (batch.expectedVersion === null) {
          await em.insert(CaseEntity, row);
        } else {
          const { id, ...changes } = row;
          const updated = await em.nativeUpdate(CaseEntity, { id, version: batch.expectedVersion }, changes);
          if (updated !== 1) {
            throw new ConflictError(`case ${id} was changed by someone else; reload it and try again`, {
              expectedVersion: batch.expectedVersion,
            });
          }
        }
        if (batch.firedTimerId) {
          const fired = await em.nativeUpdate(
            TimerEntity,
            { id: batch.firedTimerId, status: 'pending' },
            { status: 'fired', settledAt: row.updatedAt },
          );
          if (fired !== 1) throw new ConflictError(`timer ${batch.firedTimerId} is no longer pending`);
        }
        await em.insert(CaseEventEntity, batch.history);
        if (batch.cancelSendIds.length > 0) {
          await em.nativeUpdate(
            TimerEntity,
            { caseId: row.id, status: 'pending', sendId: { $in: batch.cancelSendIds } },
            { status: 'cancelled', settledAt: row.updatedAt },
          );
        }
        if (batch.timers.length > 0) await em.insertMany(TimerEntity, batch.timers);
        if (batch.outbox.length > 0) await em.insertMany(OutboxEntity, batch.outbox);
      });
    } catch (err) {
      // Two writers of the same case (or of a case with the same chosen id): the loser's transaction is rolled back whole.
      if (err instanceof UniqueConstraintViolationException && /\b(cases|case_events)_pkey\b/.test(err.message)) {
        throw new ConflictError(`case ${batch.case.id} was changed by someone else; reload it and try again`);
      }
      throw err;
    }
  }

  async pendingTimers(caseId: string): Promise<TimerRow[]> {
    return this.db.em().find(TimerEntity, { caseId, status: 'pending' }, { orderBy: { dueAt: 'asc' } });
  }

  async pendingTimersOf(caseIds: readonly string[]): Promise<TimerRow[]> {
    if (caseIds.length === 0) return [];
    return this.db.em().find(TimerEntity, { caseId: { $in: [...caseIds] }, status: 'pending' }, { orderBy: { dueAt: 'asc' } });
  }

  async findTimer(id: string): Promise<TimerRow | null> {
    return this.db.em().findOne(TimerEntity, { id });
  }

  async settleTimer(id: string, status: Exclude<TimerStatus, 'pending'>, at: Date): Promise<void> {
    await this.db.em().nativeUpdate(TimerEntity, { id, status: 'pending' }, { status, settledAt: at });
  }

  async history(caseId: string): Promise<HistoryRow[]> {
    return this.db.em().find(CaseEventEntity, { caseId }, { orderBy: { seq: 'asc' } });
  }

  async listCases(q: CaseListQuery): Promise<{ items: CaseRow[]; total: number }> {
    const em = this.db.em();
    const qb = em.createQueryBuilder(CaseEntity, 'c');
    if (q.jurisdictionPath !== '') {
      // Inside the actor's area, owned by its unit, or naming its unit as a participant (school / village).
      const scope = ['c.jurisdiction_path = ?', 'c.jurisdiction_path like ?', 'c.owner_unit_id = ?'];
      const params: unknown[] = [q.jurisdictionPath, `${escapeLike(q.jurisdictionPath)}/%`, q.unitId];
      for (const { field, types } of q.participantTypes ?? []) {
        if (!/^[a-z]+$/.test(field) || types.length === 0) continue;
        scope.push(`(c.type in (${types.map(() => '?').join(', ')}) and c.subject->>'${field}' = ?)`);
        params.push(...types, q.unitId);
      }
      qb.where(`(${scope.join(' or ')})`, params);
    }
    if (q.type) qb.andWhere({ type: q.type });
    if (q.state) qb.andWhere({ state: q.state });
    if (q.childId) qb.andWhere(`c.subject->>'childId' = ?`, [q.childId]);
    if (q.overdue !== undefined) {
      const exists = `exists (select 1 from timers t where t.case_id = c.id and t.status = 'pending' and t.due_at <= ?)`;
      qb.andWhere(q.overdue ? exists : `not ${exists}`, [q.now]);
    }
    const total = await qb.clone().getCount();
    const order = q.order === 'opened' ? { createdAt: 'asc', id: 'asc' } as const : { updatedAt: 'desc', id: 'asc' } as const;
    const items = await qb.orderBy(order).limit(q.limit).offset(q.offset).getResultList();
    return { items, total };
  }
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}
