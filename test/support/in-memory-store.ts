import type { CaseListQuery, CaseRow, CaseStore, CommitBatch, HistoryRow, LoadedCase, TimerRow, TimerStatus } from '#shouhu/engine';
import { ConflictError, withinJurisdiction } from '#shouhu/engine';
import type { OutboxRow } from '#shouhu/engine';

/** A fake CaseStore for unit tests of pure engine logic: same contract, held in maps. */
export class InMemoryCaseStore implements CaseStore {
  readonly cases = new Map<string, CaseRow>();
  readonly events: HistoryRow[] = [];
  readonly timers = new Map<string, TimerRow>();
  readonly outbox: OutboxRow[] = [];

  async findCase(id: string): Promise<CaseRow | null> {
    const row = this.cases.get(id);
    return row ? structuredClone(row) : null;
  }

  async loadCase(id: string): Promise<LoadedCase | null> {
    const row = await this.findCase(id);
    if (!row) return null;
    const pendingTimers = (await this.pendingTimers(id)).sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
    return { row, pendingTimers: structuredClone(pendingTimers) };
  }

  async loadTimer(id: string): Promise<{ timer: TimerRow; loaded: LoadedCase | null } | null> {
    const timer = this.timers.get(id);
    return timer ? { timer: structuredClone(timer), loaded: await this.loadCase(timer.caseId) } : null;
  }

  async commit(batch: CommitBatch): Promise<void> {
    const current = this.cases.get(batch.case.id);
    if (batch.expectedVersion === null ? current !== undefined : current?.version !== batch.expectedVersion) {
      throw new ConflictError('version conflict');
    }
    if (batch.firedTimerId && this.timers.get(batch.firedTimerId)?.status !== 'pending') {
      throw new ConflictError('timer settled');
    }
    const at = batch.case.updatedAt;
    if (batch.firedTimerId) this.settle(batch.firedTimerId, 'fired', at);
    for (const t of this.timers.values()) {
      if (t.caseId === batch.case.id && t.status === 'pending' && batch.cancelSendIds.includes(t.sendId)) {
        this.settle(t.id, 'cancelled', at);
      }
    }
    this.cases.set(batch.case.id, structuredClone(batch.case));
    this.events.push(structuredClone(batch.history));
    batch.timers.forEach((t) => this.timers.set(t.id, structuredClone(t)));
    this.outbox.push(...structuredClone(batch.outbox));
  }

  private settle(id: string, status: TimerStatus, at: Date): void {
    const t = this.timers.get(id);
    if (t) this.timers.set(id, { ...t, status, settledAt: at });
  }

  async pendingTimers(caseId: string): Promise<TimerRow[]> {
    return [...this.timers.values()].filter((t) => t.caseId === caseId && t.status === 'pending');
  }

  async pendingTimersOf(caseIds: readonly string[]): Promise<TimerRow[]> {
    return [...this.timers.values()].filter((t) => caseIds.includes(t.caseId) && t.status === 'pending');
  }

  async findTimer(id: string): Promise<TimerRow | null> {
    return this.timers.get(id) ?? null;
  }

  async settleTimer(id: string, status: Exclude<TimerStatus, 'pending'>, at: Date): Promise<void> {
    if (this.timers.get(id)?.status === 'pending') this.settle(id, status, at);
  }

  async history(caseId: string): Promise<HistoryRow[]> {
    return this.events.filter((e) => e.caseId === caseId).sort((a, b) => a.seq - b.seq);
  }

  async listCases(q: CaseListQuery): Promise<{ items: CaseRow[]; total: number }> {
    const all = [...this.cases.values()].filter(
      (c) =>
        (withinJurisdiction(q.jurisdictionPath, c.jurisdictionPath) ||
          c.ownerUnitId === q.unitId ||
          (q.participantTypes ?? []).some((p) => p.types.includes(c.type) && c.subject[p.field] === q.unitId)) &&
        (!q.type || c.type === q.type) &&
        (!q.state || c.state === q.state) &&
        (!q.childId || c.subject.childId === q.childId),
    );
    return { items: all.slice(q.offset, q.offset + q.limit), total: all.length };
  }
}
