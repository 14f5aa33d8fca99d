import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Worker } from 'bullmq';
import { type DeliveryJobData, QUEUES } from '#shouhu/engine';
import { QueueWorkers } from '../queue-workers';
import { DeliveryProcessor } from './delivery.processor';
import { DeliveryReconciler } from './delivery.reconciler';
import { DELIVERY_SETTINGS, type DeliverySettings } from './delivery.settings';

/** Sends notifications to unit channels (webhook, e-mail) from the `shouhu-deliveries` queue. */
@Injectable()
export class DeliveryWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('DeliveryWorker');
  private worker?: Worker<DeliveryJobData>;

  constructor(
    private readonly workers: QueueWorkers,
    @Inject(DeliveryProcessor) private readonly processor: DeliveryProcessor,
    @Inject(DELIVERY_SETTINGS) private readonly settings: DeliverySettings,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.settings.smtpUrl) this.logger.warn('SMTP_URL is not set: e-mail channels are dead-lettered, not sent');
    this.worker = this.workers.start<DeliveryJobData>(QUEUES.deliveries, (job) => this.processor.process(job), this.logger);
  }

  /** SIGTERM: stop taking jobs, let the running sends finish, then close the SMTP transport. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    this.processor.close();
  }
}

/** On start and every RECONCILE_INTERVAL_MS: re-enqueue pending deliveries Redis may have lost. */
@Injectable()
export class DeliveryReconcileLoop implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('DeliveryReconcile');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    @Inject(DeliveryReconciler) private readonly reconciler: DeliveryReconciler,
    @Inject(DELIVERY_SETTINGS) private readonly settings: DeliverySettings,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.settings.reconcileIntervalMs);
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = this.reconciler
      .run()
      .then((n) => {
        if (n > 0) this.logger.debug({ deliveries: n }, 'deliveries re-enqueued');
      })
      .catch((err: unknown) => this.logger.warn({ err: String(err) }, 'delivery reconcile round failed; next round retries'))
      .finally(() => {
        this.running = undefined;
      });
    await this.running;
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
