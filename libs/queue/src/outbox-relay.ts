import type { Clock, CommitResult } from '#shouhu/engine';
import type { DispatchQueues } from './dispatch-queues';

/**
 * Right after a commit, hands its timers and effects to BullMQ. If Redis is away this fails
 * harmlessly: the rows are in PostgreSQL and the reconciler enqueues them later.
 */
export class OutboxRelay {
  constructor(
    private readonly queues: DispatchQueues,
    private readonly clock: Clock,
  ) {}

  async afterCommit(result: Pick<CommitResult, 'timers' | 'outbox' | 'requestId'>): Promise<void> {
    await Promise.all([
      this.queues.scheduleTimers(result.timers, this.clock.now(), result.requestId),
      this.queues.enqueueEffects(result.outbox),
    ]);
  }
}
