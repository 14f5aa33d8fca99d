import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { CaseListQuery, CaseRow, CaseStore, CommitBatch, HistoryRow, LoadedCase, TimerRow, TimerStatus } from '#shouhu/engine';
import { ConflictError } from '#shouhu/engine';
import {
  caseRowOf,
  commitStatement,
  FIND_CASE_SQL,
  FIND_TIMER_SQL,
  LOAD_CASE_SQL,
  LOAD_TIMER_SQL,
  loadedCaseOf,
  PENDING_TIMERS_SQL,
  TIMER_SETTLED_SQLSTATE,
  timerRowOf,
} from './case-sql';
import type { Database } from './database';
import { CaseEntity, CaseEventEntity, TimerEntity } from './entities/case.entities';
import { RawSql } from './raw-sql';

/**
 * The engine's CaseStore on PostgreSQL or PGlite: one statement per commit, an optimistic version.
 * The hot path (load, commit, timers) is plain SQL on the ORM's pool; lists and history, read less
 * often, still go through MikroORM.
 */
export class SqlCaseStore implements CaseStore {
  private readonly sql: RawSql;

  constructor(private readonly db: Database) {
    this.sql = new RawSql(db);
  }

  async findCase(id: string): Promise<CaseRow | null> {
    const { rows } = await this.sql.query(FIND_CASE_SQL, [id]);
    return rows[0] ? caseRowOf(rows[0]) : null;
  }

  async loadCase(id: string): Promise<LoadedCase | null> {
    const { rows } = await this.sql.query(LOAD_CASE_SQL, [id]);
    return rows[0] ? loadedCaseOf(rows[0]) : null;
  }

  async loadTimer(id: string): Promise<{ timer: TimerRow; loaded: LoadedCase | null } | null> {
    const { rows } = await this.sql.query(LOAD_TIMER_SQL, [id]);
    const r = rows[0];
    if (!r) return null;
    return { timer: timerRowOf(r.timer as Record<string, unknown>), loaded: r.id === null ? null : loadedCaseOf(r) };
  }

  async commit(batch: CommitBatch): Promise<void> {
    const statement = commitStatement(batch);
    const stale = () => new ConflictError(`case ${batch.case.id} was changed by someone else; reload it and try again`, {
      ...(batch.expectedVersion === null ? {} : { expectedVersion: batch.expectedVersion }),
    });
    try {
      // One statement is one transaction: a lost race updates no case row and so writes nothing.
      const { rows } = await this.sql.query<{ head: number }>(statement.sql, statement.params);
      if (rows[0]?.head !== 1) throw stale();
    } catch (err) {
      // Two writers of the same case (or of a case with the same chosen id): the loser's statement is rolled back whole.
      if (err instanceof UniqueConstraintViolationException && /\b(cases|case_events)_pkey\b/.test(err.message)) throw stale();
      if (batch.firedTimerId && (err as { code?: unknown }).code === TIMER_SETTLED_SQLSTATE) {
        throw new ConflictError(`timer ${batch.firedTimerId} is no longer pending`);
      }
      throw err;
    }
  }

  async pendingTimers(caseId: string): Promise<TimerRow[]> {
    const { rows } = await this.sql.query(PENDING_TIMERS_SQL, [caseId]);
    return rows.map(timerRowOf);
  }

  async pendingTimersOf(caseIds: readonly string[]): Promise<TimerRow[]> {
    if (caseIds.length === 0) return [];
    return this.db.em().find(TimerEntity, { caseId: { $in: [...caseIds] }, status: 'pending' }, { orderBy: { dueAt: 'asc' } });
  }

  async findTimer(id: string): Promise<TimerRow | null> {
    const { rows } = await this.sql.query(FIND_TIMER_SQL, [id]);
    return rows[0] ? timerRowOf(rows[0]) : null;
  }

  async settleTimer(id: string, status: Exclude<TimerStatus, 'pending'>, at: Date): Promise<void> {
    await this.sql.query(`update timers set status = $2::text, settled_at = $3::text::timestamptz where id = $1::uuid and status = 'pending'`, [
      id,
      status,
      at.toISOString(),
    ]);
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
