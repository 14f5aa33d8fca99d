import type { Actor } from './actor';
import { SYSTEM_ROLE } from './actor';
import { type Clock, localIso } from './clock';
import type { CaseDefinition, DefinitionRegistry } from './definition';
import type { WorkflowEngine } from './engine';
import { type ChainVerification, verifyChain } from './history-chain';
import { acceptedEventTypes, restore } from './plan';
import type { CaseRow, CaseStore, HistoryRow, TimerRow } from './store';

export interface DeadlineView {
  id: string;
  name: string;
  dueAt: string;
  overdue: boolean;
}

export interface CaseView {
  id: string;
  type: string;
  title: string;
  machine: { id: string; version: number };
  policyVersion: string;
  state: string;
  stateValue: unknown;
  status: string;
  version: number;
  ownerUnitId: string;
  jurisdictionPath: string;
  subject: Record<string, unknown>;
  data: Record<string, unknown>;
  deadlines: DeadlineView[];
  /** Events this caller's role may send in the current state (guards are checked when sent). */
  allowedEvents: string[];
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface HistoryEntryView {
  seq: number;
  eventType: string;
  payload: unknown;
  actor: { userId: string; unitId: string; role: string };
  fromState: string | null;
  toState: string;
  at: string;
  requestId: string | null;
  prevHash: string | null;
  hash: string;
}

export interface CaseListFilter {
  type?: string;
  state?: string;
  overdue?: boolean;
  childId?: string;
  order?: 'recent' | 'opened';
  limit: number;
  offset: number;
}

/** Read side of the kernel: what a caller sees of cases, always through their jurisdiction. */
export class CaseQueries {
  constructor(
    private readonly engine: WorkflowEngine,
    private readonly registry: DefinitionRegistry,
    private readonly store: CaseStore,
    private readonly clock: Clock,
  ) {}

  async view(caseId: string, actor: Actor): Promise<CaseView> {
    const row = await this.engine.visibleCase(caseId, actor);
    return this.present(row, await this.store.pendingTimers(row.id), actor);
  }

  present(row: CaseRow, pending: TimerRow[], actor: Actor): CaseView {
    const def = this.engine.definitionOf(row);
    const now = this.clock.now().getTime();
    const accepted = row.status === 'active' ? acceptedEventTypes(restore(def, row.snapshot)) : [];
    return {
      id: row.id,
      type: row.type,
      title: def.title ?? def.id,
      machine: { id: row.machineId, version: row.machineVersion },
      policyVersion: row.policyVersion,
      state: row.state,
      stateValue: row.stateValue,
      status: row.status,
      version: row.version,
      ownerUnitId: row.ownerUnitId,
      jurisdictionPath: row.jurisdictionPath,
      subject: row.subject,
      data: redact(def, actor, row.data),
      deadlines: pending
        .slice()
        .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime())
        .map((t) => ({ id: t.id, name: t.name, dueAt: localIso(t.dueAt), overdue: t.dueAt.getTime() <= now })),
      allowedEvents: accepted.filter(
        (type) => actor.role === SYSTEM_ROLE || (def.permissions.events[type] ?? []).includes(actor.role),
      ),
      createdBy: row.createdBy,
      createdAt: localIso(row.createdAt),
      updatedAt: localIso(row.updatedAt),
    };
  }

  async history(caseId: string, actor: Actor): Promise<{ entries: HistoryEntryView[]; verification: ChainVerification }> {
    const row = await this.engine.visibleCase(caseId, actor);
    const rows = await this.store.history(row.id);
    // Verified on the stored rows; what is shown may have confidential fields masked (the hashes still verify server-side).
    const verification = verifyChain(rows);
    const def = this.engine.definitionOf(row);
    const entries = rows.map((r) => entryView(r, def, actor));
    if (verification.valid && rows.at(-1)?.hash !== row.lastHash) {
      return { entries, verification: { valid: false, reason: 'the case head does not match its last history row' } };
    }
    return { entries, verification };
  }

  async list(filter: CaseListFilter, actor: Actor): Promise<{ items: CaseView[]; total: number }> {
    const { items, total } = await this.store.listCases({
      ...filter,
      jurisdictionPath: actor.jurisdictionPath,
      unitId: actor.unitId,
      participantTypes: this.registry.participantTypes(),
      now: this.clock.now(),
    });
    const timers = await this.store.pendingTimersOf(items.map((row) => row.id));
    const views = items.map((row) => this.present(row, timers.filter((t) => t.caseId === row.id), actor));
    return { items: views, total };
  }
}

export const REDACTED = '[confidential]';

/** Masks the definition's confidential `data` fields for roles not entitled to them. */
export function redact(def: CaseDefinition, actor: Actor, data: Record<string, unknown>): Record<string, unknown> {
  const rule = def.confidential;
  if (!rule || actor.role === SYSTEM_ROLE || rule.visibleTo.includes(actor.role)) return data;
  const copy = { ...data };
  for (const field of rule.fields) if (field in copy) copy[field] = REDACTED;
  return copy;
}

function entryView(row: HistoryRow, def: CaseDefinition, actor: Actor): HistoryEntryView {
  const payload = row.payload as { data?: Record<string, unknown> } | null;
  const shown = payload && typeof payload === 'object' && payload.data && typeof payload.data === 'object'
    ? { ...payload, data: redact(def, actor, payload.data) }
    : row.payload;
  return {
    seq: row.seq,
    eventType: row.eventType,
    payload: shown,
    actor: { userId: row.actorUserId, unitId: row.actorUnitId, role: row.actorRole },
    fromState: row.fromState,
    toState: row.toState,
    at: row.at,
    requestId: row.requestId,
    prevHash: row.prevHash,
    hash: row.hash,
  };
}
