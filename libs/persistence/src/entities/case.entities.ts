import { EntitySchema } from '@mikro-orm/core';
import type { CaseRow, HistoryRow, OutboxRow, TimerRow } from '#shouhu/engine';

/*
 * The engine's tables. Rows are plain objects shaped like the engine's port types; MikroORM maps
 * names (camelCase <-> snake_case) and types. The schema itself is owned by the migrations.
 */

export class CaseEntity implements CaseRow {
  id!: string;
  type!: string;
  machineId!: string;
  machineVersion!: number;
  policyVersion!: string;
  ownerUnitId!: string;
  jurisdictionPath!: string;
  subject!: Record<string, unknown>;
  data!: Record<string, unknown>;
  snapshot!: Record<string, unknown>;
  stateValue!: unknown;
  state!: string;
  status!: CaseRow['status'];
  version!: number;
  lastSeq!: number;
  lastHash!: string | null;
  createdBy!: string;
  createdAt!: Date;
  updatedAt!: Date;
}

export const CaseSchema = new EntitySchema<CaseEntity>({
  class: CaseEntity,
  tableName: 'cases',
  properties: {
    id: { type: 'uuid', primary: true },
    type: { type: 'string' },
    machineId: { type: 'string' },
    machineVersion: { type: 'integer' },
    policyVersion: { type: 'string' },
    ownerUnitId: { type: 'string' },
    jurisdictionPath: { type: 'string' },
    subject: { type: 'json' },
    data: { type: 'json' },
    snapshot: { type: 'json' },
    stateValue: { type: 'json' },
    state: { type: 'string' },
    status: { type: 'string' },
    version: { type: 'integer' },
    lastSeq: { type: 'integer' },
    lastHash: { type: 'string', nullable: true },
    createdBy: { type: 'string' },
    createdAt: { type: 'Date' },
    updatedAt: { type: 'Date' },
  },
});

export class CaseEventEntity implements HistoryRow {
  caseId!: string;
  seq!: number;
  eventType!: string;
  payload!: unknown;
  actorUserId!: string;
  actorUnitId!: string;
  actorRole!: string;
  fromState!: string | null;
  toState!: string;
  at!: string;
  requestId!: string | null;
  prevHash!: string | null;
  hash!: string;
}

export const CaseEventSchema = new EntitySchema<CaseEventEntity>({
  class: CaseEventEntity,
  tableName: 'case_events',
  properties: {
    caseId: { type: 'uuid', primary: true },
    seq: { type: 'integer', primary: true },
    eventType: { type: 'string' },
    payload: { type: 'json' },
    actorUserId: { type: 'string' },
    actorUnitId: { type: 'string' },
    actorRole: { type: 'string' },
    fromState: { type: 'string', nullable: true },
    toState: { type: 'string' },
    // Kept as the exact ISO text that was hashed, so verification never depends on timestamp rounding.
    at: { type: 'string' },
    requestId: { type: 'string', nullable: true },
    prevHash: { type: 'string', nullable: true },
    hash: { type: 'string' },
  },
});

export class TimerEntity implements TimerRow {
  id!: string;
  caseId!: string;
  sendId!: string;
  name!: string;
  event!: Record<string, unknown>;
  dueAt!: Date;
  status!: TimerRow['status'];
  createdSeq!: number;
  createdAt!: Date;
  settledAt!: Date | null;
}

export const TimerSchema = new EntitySchema<TimerEntity>({
  class: TimerEntity,
  tableName: 'timers',
  properties: {
    id: { type: 'uuid', primary: true },
    caseId: { type: 'uuid' },
    sendId: { type: 'string' },
    name: { type: 'string' },
    event: { type: 'json' },
    dueAt: { type: 'Date' },
    status: { type: 'string' },
    createdSeq: { type: 'integer' },
    createdAt: { type: 'Date' },
    settledAt: { type: 'Date', nullable: true },
  },
});

export class OutboxEntity implements OutboxRow {
  id!: string;
  caseId!: string;
  seq!: number;
  action!: string;
  params!: Record<string, unknown>;
  meta!: Record<string, unknown>;
  status!: OutboxRow['status'];
  attempts!: number;
  lastError!: string | null;
  requestId!: string | null;
  createdAt!: Date;
  doneAt!: Date | null;
}

export const OutboxSchema = new EntitySchema<OutboxEntity>({
  class: OutboxEntity,
  tableName: 'outbox',
  properties: {
    id: { type: 'uuid', primary: true },
    caseId: { type: 'uuid' },
    seq: { type: 'integer' },
    action: { type: 'string' },
    params: { type: 'json' },
    meta: { type: 'json' },
    status: { type: 'string' },
    attempts: { type: 'integer' },
    lastError: { type: 'text', nullable: true },
    requestId: { type: 'string', nullable: true },
    createdAt: { type: 'Date' },
    doneAt: { type: 'Date', nullable: true },
  },
});
