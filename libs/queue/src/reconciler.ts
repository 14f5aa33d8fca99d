import type { Clock } from '#shouhu/engine';
import type { SqlDispatchStore } from '#shouhu/persistence';
import type { DispatchQueues } from './dispatch-queues';

export interface ReconcileSettings {
  /** Pending timers due within this window are (re-)armed each round; later ones when they come near. */
  horizonMs: number;
  /** Outbox rows younger than this are left to the relay that wrote them. */
  outboxGraceMs: number;
  pageSize?: number;
}

/**
 * PostgreSQL is the truth, Redis a transport: this re-enqueues every pending timer near its due time
 * and every unfinished outbox row. Job ids derive from rows, so what is still in Redis is not doubled.
 */
export class Reconciler {
  constructor(
    private readonly store: SqlDispatchStore,
    private readonly queues: DispatchQueues,
    private readonly clock: Clock,
    private readonly settings: ReconcileSettings,
  ) {}

  async run(): Promise<{ timers: number; effects: number }> {
    return { timers: await this.rearmTimers(), effects: await this.relayOutbox() };
  }

  async rearmTimers(): Promise<number> {
    const pageSize = this.settings.pageSize ?? 5000;
    const until = new Date(this.clock.now().getTime() + this.settings.horizonMs);
    let cursor: { dueAt: Date; id: string } | null = null;
    let count = 0;
    for (;;) {
      const page = await this.store.pendingTimersDueBefore(until, cursor, pageSize);
      if (page.length === 0) return count;
      await this.queues.scheduleTimers(page, this.clock.now());
      count += page.length;
      const last = page[page.length - 1]!;
      cursor = { dueAt: last.dueAt, id: last.id };
    }
  }

  async relayOutbox(): Promise<number> {
    const pageSize = this.settings.pageSize ?? 5000;
    const before = new Date(this.clock.now().getTime() - this.settings.outboxGraceMs);
    let cursor: string | null = null;
    let count = 0;
    for (;;) {
      const page = await this.store.pendingOutbox(before, cursor, pageSize);
      if (page.length === 0) return count;
      await this.queues.requeueEffects(page);
      count += page.length;
      cursor = page[page.length - 1]!.id;
    }
  }
}
