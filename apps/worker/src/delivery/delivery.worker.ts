import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Worker } from 'bullmq';
import { type DeliveryJobData, QUEUES } from '#shouhu/engine';
import { PeriodicRound } from '../periodic-round';
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
  private readonly rounds: PeriodicRound;

  constructor(
    @Inject(DeliveryReconciler) reconciler: DeliveryReconciler,
    @Inject(DELIVERY_SETTINGS) settings: DeliverySettings,
  ) {
    this.rounds = new PeriodicRound(
      async () => {
        const n = await reconciler.run();
        if (n > 0) this.logger.debug({ deliveries: n }, 'deliveries re-enqueued');
      },
      settings.reconcileIntervalMs,
      this.logger,
      'delivery reconcile',
    );
  }

  onApplicationBootstrap(): Promise<void> {
    return this.rounds.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.rounds.stop();
  }
}
