import type { ChainedHistory } from './history-chain';

export type CaseStatus = 'active' | 'done';
export type TimerStatus = 'pending' | 'fired' | 'cancelled' | 'stale';
export type OutboxStatus = 'pending' | 'done' | 'failed';

export interface CaseRow {
  id: string;
  type: string;
  machineId: string;
  machineVersion: number;
  policyVersion: string;
  ownerUnitId: string;
  jurisdictionPath: string;
  subject: Record<string, unknown>;
  data: Record<string, unknown>;
  snapshot: Record<string, unknown>;
  stateValue: unknown;
  state: string;
  status: CaseStatus;
  version: number;
  lastSeq: number;
  lastHash: string | null;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface TimerRow {
  id: string;
  caseId: string;
  sendId: string;
  name: string;
  event: Record<string, unknown>;
  dueAt: Date;
  status: TimerStatus;
  createdSeq: number;
  createdAt: Date;
  settledAt: Date | null;
}

export interface OutboxRow {
  id: string;
  caseId: string;
  seq: number;
  action: string;
  params: Record<string, unknown>;
  /** What the handler may need beside params: the deadlines after the transition, the timer that fired. */
  meta: Record<string, unknown>;
  status: OutboxStatus;
  attempts: number;
  lastError: string | null;
  requestId: string | null;
  createdAt: Date;
  doneAt: Date | null;
}

export type HistoryRow = ChainedHistory;

/** A case as a transition needs it: the row and its pending deadlines, read together. */
export interface LoadedCase {
  row: CaseRow;
  /** In due order. */
  pendingTimers: TimerRow[];
}

/** Everything one accepted event writes, committed atomically or not at all. */
export interface CommitBatch {
  case: CaseRow;
  /** null when the case is new; otherwise the version the change was computed from. */
  expectedVersion: number | null;
  history: HistoryRow;
  cancelSendIds: string[];
  timers: TimerRow[];
  outbox: OutboxRow[];
  /** The timer whose firing caused this change: it must still be pending, and becomes fired. */
  firedTimerId?: string;
}

export interface CaseListQuery {
  jurisdictionPath: string;
  unitId: string;
  type?: string;
  state?: string;
  overdue?: boolean;
  /** Case types whose subject's school / village unit takes part (sees them wherever they lie). */
  participantTypes?: { field: 'school' | 'village'; types: string[] }[];
  /** Only the cases of one child (`subject.childId`). */
  childId?: string;
  /** Oldest first (a child's story) instead of the default most recently changed first. */
  order?: 'recent' | 'opened';
  now: Date;
  limit: number;
  offset: number;
}

/** The port the engine writes through. PostgreSQL (or PGlite) implements it; unit tests fake it. */
export interface CaseStore {
  findCase(id: string): Promise<CaseRow | null>;
  /** The case and its pending timers in one read (the engine's load before a transition). */
  loadCase(id: string): Promise<LoadedCase | null>;
  /** A timer with its case loaded as by loadCase, in one read (the load before a timer fires). */
  loadTimer(id: string): Promise<{ timer: TimerRow; loaded: LoadedCase | null } | null>;
  /** Throws ConflictError (and writes nothing) on a stale version or a timer already settled. */
  commit(batch: CommitBatch): Promise<void>;
  pendingTimers(caseId: string): Promise<TimerRow[]>;
  /** Pending timers of many cases in one read (a page of a list). */
  pendingTimersOf(caseIds: readonly string[]): Promise<TimerRow[]>;
  findTimer(id: string): Promise<TimerRow | null>;
  settleTimer(id: string, status: Exclude<TimerStatus, 'pending'>, at: Date): Promise<void>;
  history(caseId: string): Promise<HistoryRow[]>;
  listCases(query: CaseListQuery): Promise<{ items: CaseRow[]; total: number }>;
}
