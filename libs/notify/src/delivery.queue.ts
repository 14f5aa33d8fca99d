import { type ConnectionOptions, type JobsOptions, Queue } from 'bullmq';
import { deliveryJobId, type DeliveryJobData, QUEUES } from '#shouhu/engine';

/** What the notify effect needs from a queue: hand over delivery ids (idempotent by job id). */
export interface DeliveryEnqueuer {
  enqueue(deliveryIds: readonly string[]): Promise<void>;
}

export interface DeliveryRetryPolicy {
  /** Attempts in all, the first included; after the last one the delivery is dead. */
  attempts: number;
  /** Exponential backoff base: the n-th retry waits backoffMs × 2^(n-1). */
  backoffMs: number;
}

/** 6 attempts over about 5 minutes: retries after 10 s, 20 s, 40 s, 80 s, 160 s. */
export const DEFAULT_DELIVERY_RETRY: DeliveryRetryPolicy = { attempts: 6, backoffMs: 10_000 };

/**
 * The `shouhu-deliveries` queue. Payloads carry only the delivery id. Finished jobs are removed
 * (completed and failed): the `deliveries` rows are the record and the dead-letter list, and a pending
 * row can always be enqueued again (a delivered or dead one is skipped by the worker).
 */
export class DeliveryQueue implements DeliveryEnqueuer {
  readonly queue: Queue<DeliveryJobData>;

  constructor(
    connection: ConnectionOptions,
    prefix: string,
    private readonly retry: DeliveryRetryPolicy = DEFAULT_DELIVERY_RETRY,
  ) {
    this.queue = new Queue<DeliveryJobData>(QUEUES.deliveries, { connection, prefix });
  }

  jobOptions(deliveryId: string): JobsOptions {
    return {
      jobId: deliveryJobId(deliveryId),
      attempts: this.retry.attempts,
      backoff: { type: 'exponential', delay: this.retry.backoffMs },
      removeOnComplete: true,
      removeOnFail: true,
    };
  }

  async enqueue(deliveryIds: readonly string[]): Promise<void> {
    if (deliveryIds.length === 0) return;
    await this.queue.addBulk(deliveryIds.map((id) => ({ name: 'deliver', data: { deliveryId: id }, opts: this.jobOptions(id) })));
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
