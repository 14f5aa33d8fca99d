import type { CaseRow, CommitBatch, LoadedCase, OutboxRow, TimerRow } from '#shouhu/engine';
import { toDate, toDateOrNull } from './raw-sql';

/*
 * The engine's hot statements as plain SQL: loading a case with its pending deadlines, and a whole
 * commit (case, history row, cancelled / fired / new timers, outbox rows) as ONE statement, so a
 * transition costs one round trip to load and one to commit.
 */

/** Numbered parameters with explicit casts (text first: both drivers then send plain strings). */
class Params {
  readonly values: unknown[] = [];

  text(value: string | null): string {
    this.values.push(value);
    return `$${this.values.length}::text`;
  }

  int(value: number): string {
    this.values.push(value);
    return `$${this.values.length}::int`;
  }

  uuid(value: string | null): string {
    return `${this.text(value)}::uuid`;
  }

  time(value: Date | null): string {
    return `${this.text(value === null ? null : value.toISOString())}::timestamptz`;
  }

  json(value: unknown): string {
    return `${this.text(JSON.stringify(value ?? null))}::jsonb`;
  }
}

/** division_by_zero: raised on purpose by a firing commit whose timer was settled meanwhile. */
export const TIMER_SETTLED_SQLSTATE = '22012';

export interface Statement {
  sql: string;
  params: unknown[];
}

export const LOAD_CASE_SQL = `
  select c.*, coalesce((
    select jsonb_agg(to_jsonb(t) order by t.due_at, t.id) from timers t where t.case_id = c.id and t.status = 'pending'
  ), '[]'::jsonb) as pending_timers
  from cases c where c.id = $1::uuid`;

/** A timer (as jsonb) beside its case's columns and pending timers; the case columns are null without a case. */
export const LOAD_TIMER_SQL = `
  select to_jsonb(t) as timer, c.*, coalesce((
    select jsonb_agg(to_jsonb(p) order by p.due_at, p.id) from timers p where p.case_id = c.id and p.status = 'pending'
  ), '[]'::jsonb) as pending_timers
  from timers t left join cases c on c.id = t.case_id where t.id = $1::uuid`;

export const FIND_CASE_SQL = 'select * from cases where id = $1::uuid';
export const FIND_TIMER_SQL = 'select * from timers where id = $1::uuid';
export const PENDING_TIMERS_SQL = `select * from timers where case_id = $1::uuid and status = 'pending' order by due_at, id`;

/**
 * One statement: `head` writes the case (an INSERT for a new case, else an UPDATE guarded by the
 * expected version) and every other write hangs off `head`, so a lost race writes nothing and
 * returns `head = 0`. When a timer fires, the statement fails with division_by_zero
 * (TIMER_SETTLED_SQLSTATE) if that timer was no longer pending, so nothing of it remains.
 */
export function commitStatement(batch: CommitBatch): Statement {
  const p = new Params();
  const c = batch.case;
  const ctes: string[] = [];
  if (batch.expectedVersion === null) {
    ctes.push(`head as (
      insert into cases (id, type, machine_id, machine_version, policy_version, owner_unit_id, jurisdiction_path, subject, data,
        snapshot, state_value, state, status, version, last_seq, last_hash, created_by, created_at, updated_at)
      values (${p.uuid(c.id)}, ${p.text(c.type)}, ${p.text(c.machineId)}, ${p.int(c.machineVersion)}, ${p.text(c.policyVersion)},
        ${p.text(c.ownerUnitId)}, ${p.text(c.jurisdictionPath)}, ${p.json(c.subject)}, ${p.json(c.data)}, ${p.json(c.snapshot)},
        ${p.json(c.stateValue)}, ${p.text(c.state)}, ${p.text(c.status)}, ${p.int(c.version)}, ${p.int(c.lastSeq)}, ${p.text(c.lastHash)},
        ${p.text(c.createdBy)}, ${p.time(c.createdAt)}, ${p.time(c.updatedAt)})
      returning id)`);
  } else {
    ctes.push(`head as (
      update cases set type = ${p.text(c.type)}, machine_id = ${p.text(c.machineId)}, machine_version = ${p.int(c.machineVersion)},
        policy_version = ${p.text(c.policyVersion)}, owner_unit_id = ${p.text(c.ownerUnitId)}, jurisdiction_path = ${p.text(c.jurisdictionPath)},
        subject = ${p.json(c.subject)}, data = ${p.json(c.data)}, snapshot = ${p.json(c.snapshot)}, state_value = ${p.json(c.stateValue)},
        state = ${p.text(c.state)}, status = ${p.text(c.status)}, version = ${p.int(c.version)}, last_seq = ${p.int(c.lastSeq)},
        last_hash = ${p.text(c.lastHash)}, created_by = ${p.text(c.createdBy)}, created_at = ${p.time(c.createdAt)}, updated_at = ${p.time(c.updatedAt)}
      where id = ${p.uuid(c.id)} and version = ${p.int(batch.expectedVersion)}
      returning id)`);
  }
  const h = batch.history;
  ctes.push(`history as (
    insert into case_events (case_id, seq, event_type, payload, actor_user_id, actor_unit_id, actor_role, from_state, to_state, at, request_id, prev_hash, hash)
    select ${p.uuid(h.caseId)}, ${p.int(h.seq)}, ${p.text(h.eventType)}, ${p.json(h.payload)}, ${p.text(h.actorUserId)}, ${p.text(h.actorUnitId)},
      ${p.text(h.actorRole)}, ${p.text(h.fromState)}, ${p.text(h.toState)}, ${p.text(h.at)}, ${p.text(h.requestId)}, ${p.text(h.prevHash)}, ${p.text(h.hash)}
    from head)`);
  // Added only when used: PostgreSQL refuses a parameter that no part of the statement mentions.
  let settled: string | undefined;
  const settledAt = () => (settled ??= p.time(c.updatedAt));
  if (batch.firedTimerId) {
    ctes.push(`fired as (
      update timers set status = 'fired', settled_at = ${settledAt()}
      where id = ${p.uuid(batch.firedTimerId)} and status = 'pending' and exists (select 1 from head)
      returning id)`);
  }
  if (batch.cancelSendIds.length > 0) {
    // The firing timer is settled by `fired` alone: one statement must not update a row twice.
    const notFired = batch.firedTimerId ? `and id <> ${p.uuid(batch.firedTimerId)}` : '';
    ctes.push(`cancelled as (
      update timers set status = 'cancelled', settled_at = ${settledAt()}
      where case_id = ${p.uuid(c.id)} and status = 'pending' and send_id in (select jsonb_array_elements_text(${p.json(batch.cancelSendIds)}))
        ${notFired} and exists (select 1 from head))`);
  }
  if (batch.timers.length > 0) {
    ctes.push(`new_timers as (
      insert into timers (id, case_id, send_id, name, event, due_at, status, created_seq, created_at, settled_at)
      select x.id, x.case_id, x.send_id, x.name, x.event, x.due_at, x.status, x.created_seq, x.created_at, x.settled_at
      from jsonb_to_recordset(${p.json(batch.timers.map(timerRecord))}) as x(id uuid, case_id uuid, send_id text, name text, event jsonb,
        due_at timestamptz, status text, created_seq int, created_at timestamptz, settled_at timestamptz)
      where exists (select 1 from head))`);
  }
  if (batch.outbox.length > 0) {
    ctes.push(`new_outbox as (
      insert into outbox (id, case_id, seq, action, params, meta, status, attempts, last_error, request_id, created_at, done_at)
      select x.id, x.case_id, x.seq, x.action, x.params, x.meta, x.status, x.attempts, x.last_error, x.request_id, x.created_at, x.done_at
      from jsonb_to_recordset(${p.json(batch.outbox.map(outboxRecord))}) as x(id uuid, case_id uuid, seq int, action text, params jsonb, meta jsonb,
        status text, attempts int, last_error text, request_id text, created_at timestamptz, done_at timestamptz)
      where exists (select 1 from head))`);
  }
  if (!batch.firedTimerId) {
    return { sql: `with ${ctes.join(',\n')}\nselect (select count(*) from head)::int as head`, params: p.values };
  }
  // `fired` only runs after `head` succeeded, so the counts differ only when the case row was written
  // but the timer was settled meanwhile. The division by zero then fails the whole statement (SQL has
  // no RAISE), which rolls back every write of it; the store reports that error code as a conflict.
  return {
    sql: `with ${ctes.join(',\n')}
      select (select count(*) from head)::int as head,
        1 / ((select count(*) from head) = (select count(*) from fired))::int as timer_still_pending`,
    params: p.values,
  };
}

type Row = Record<string, unknown>;

/** Rows as jsonb_to_recordset reads them: column names as keys (Dates become ISO strings). */
function timerRecord(t: TimerRow): Row {
  return {
    id: t.id, case_id: t.caseId, send_id: t.sendId, name: t.name, event: t.event, due_at: t.dueAt,
    status: t.status, created_seq: t.createdSeq, created_at: t.createdAt, settled_at: t.settledAt,
  };
}

function outboxRecord(o: OutboxRow): Row {
  return {
    id: o.id, case_id: o.caseId, seq: o.seq, action: o.action, params: o.params, meta: o.meta, status: o.status,
    attempts: o.attempts, last_error: o.lastError, request_id: o.requestId, created_at: o.createdAt, done_at: o.doneAt,
  };
}

export function caseRowOf(r: Row): CaseRow {
  return {
    id: r.id as string,
    type: r.type as string,
    machineId: r.machine_id as string,
    machineVersion: r.machine_version as number,
    policyVersion: r.policy_version as string,
    ownerUnitId: r.owner_unit_id as string,
    jurisdictionPath: r.jurisdiction_path as string,
    subject: r.subject as Record<string, unknown>,
    data: r.data as Record<string, unknown>,
    snapshot: r.snapshot as Record<string, unknown>,
    stateValue: r.state_value,
    state: r.state as string,
    status: r.status as CaseRow['status'],
    version: r.version as number,
    lastSeq: r.last_seq as number,
    lastHash: (r.last_hash as string | null) ?? null,
    createdBy: r.created_by as string,
    createdAt: toDate(r.created_at),
    updatedAt: toDate(r.updated_at),
  };
}

export function timerRowOf(r: Row): TimerRow {
  return {
    id: r.id as string,
    caseId: r.case_id as string,
    sendId: r.send_id as string,
    name: r.name as string,
    event: r.event as Record<string, unknown>,
    dueAt: toDate(r.due_at),
    status: r.status as TimerRow['status'],
    createdSeq: r.created_seq as number,
    createdAt: toDate(r.created_at),
    settledAt: toDateOrNull(r.settled_at),
  };
}

export function outboxRowOf(r: Row): OutboxRow {
  return {
    id: r.id as string,
    caseId: r.case_id as string,
    seq: r.seq as number,
    action: r.action as string,
    params: r.params as Record<string, unknown>,
    meta: r.meta as Record<string, unknown>,
    status: r.status as OutboxRow['status'],
    attempts: r.attempts as number,
    lastError: (r.last_error as string | null) ?? null,
    requestId: (r.request_id as string | null) ?? null,
    createdAt: toDate(r.created_at),
    doneAt: toDateOrNull(r.done_at),
  };
}

export function loadedCaseOf(r: Row): LoadedCase {
  return { row: caseRowOf(r), pendingTimers: (r.pending_timers as Row[]).map(timerRowOf) };
}
