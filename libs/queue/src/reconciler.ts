import type { Clock } from '#shouhu/engine';
import type { SqlDispatchStore, TimerDue } from '#shouhu/persistence';
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

  /**
   * Pages pending timers (id and due time only) and re-arms those Redis lacks. Three things overlap:
   * reading the next page from PostgreSQL, preparing this page's jobs, and Redis running the
   * previous page's (at most two pages are in flight).
   */
  async rearmTimers(): Promise<number> {
    const pageSize = this.settings.pageSize ?? 5000;
    const until = new Date(this.clock.now().getTime() + this.settings.horizonMs);
    const fetch = (after: TimerDue | null) => quiet(this.store.pendingTimerDuesBefore(until, after, pageSize));
    let next = fetch(null);
    let previous: Promise<unknown> = Promise.resolve();
    let count = 0;
    for (;;) {
      const page = await next;
      if (page.length === 0) break;
      const last = page[page.length - 1]!;
      next = page.length < pageSize ? Promise.resolve([]) : fetch(last);
      const arming = quiet(this.queues.rearmTimers(page, this.clock.now()));
      await previous;
      previous = arming;
      count += page.length;
    }
    await previous;
    return count;
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

/** Marks a promise as handled: it is awaited later, and may reject before the loop gets to it. */
function quiet<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}
