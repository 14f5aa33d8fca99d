import { Inject, Injectable, type Logger } from '@nestjs/common';
import { type Processor, Worker } from 'bullmq';
import { type AppConfig, APP_CONFIG } from '#shouhu/config';
import { RedisConnections } from '#shouhu/queue';

/** Starts BullMQ workers with the process's prefix, concurrency and a blocking connection of their own. */
@Injectable()
export class QueueWorkers {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(RedisConnections) private readonly redis: RedisConnections,
  ) {}

  start<T>(queue: string, processor: Processor<T>, logger: Logger): Worker<T> {
    const worker = new Worker<T>(queue, processor, {
      connection: this.redis.worker(),
      prefix: this.config.QUEUE_PREFIX,
      concurrency: this.config.WORKER_CONCURRENCY,
    });
    worker.on('error', (err) => logger.warn({ err: String(err), queue }, 'queue worker connection error'));
    return worker;
  }
}
