import type { Clock } from '#shouhu/engine';
import type { DeliveryEnqueuer, DeliveryService } from '#shouhu/notify';

/**
 * PostgreSQL is the truth for deliveries too: re-enqueue every pending delivery older than the grace
 * period (Redis lost it, or the effect's enqueue failed). Job ids come from rows: what Redis still
 * holds (waiting, in backoff, running) is not doubled, and a delivered or dead row is never pending.
 */
export class DeliveryReconciler {
  constructor(
    private readonly service: DeliveryService,
    private readonly queue: DeliveryEnqueuer,
    private readonly clock: Clock,
    private readonly graceMs: number,
    private readonly pageSize = 1000,
  ) {}

  async run(): Promise<number> {
    const before = new Date(this.clock.now().getTime() - this.graceMs);
    let cursor: { createdAt: Date; id: string } | null = null;
    let count = 0;
    for (;;) {
      const page = await this.service.pendingIds(before, cursor, this.pageSize);
      if (page.length === 0) return count;
      await this.queue.enqueue(page.map((p) => p.id));
      count += page.length;
      cursor = page[page.length - 1]!;
    }
  }
}
