import { Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { type AppConfig, APP_CONFIG } from '#shouhu/config';
import type { Clock } from '#shouhu/engine';
import { DeliveryQueue, DeliveryService, EmailSender, WebhookSender } from '#shouhu/notify';
import { RedisConnections } from '#shouhu/queue';
import { CLOCK } from '#shouhu/runtime';
import { QueueWorkers } from '../queue-workers';
import { DeliveryProcessor } from './delivery.processor';
import { DeliveryReconciler } from './delivery.reconciler';
import { DELIVERY_SETTINGS, type DeliveryConfig, type DeliverySettings, deliverySettingsFrom } from './delivery.settings';
import { DeliveryReconcileLoop, DeliveryWorker } from './delivery.worker';

/**
 * Unit channels in the worker: the `shouhu-deliveries` queue (exported: the notify effect enqueues
 * on it), its processor, and the reconcile loop. Needs DeliveryService from the RuntimeModule.
 */
@Module({
  providers: [
    QueueWorkers,
    { provide: DELIVERY_SETTINGS, inject: [APP_CONFIG], useFactory: (c: AppConfig & DeliveryConfig) => deliverySettingsFrom(c) },
    {
      provide: DeliveryQueue,
      inject: [RedisConnections, APP_CONFIG, DELIVERY_SETTINGS],
      useFactory: (r: RedisConnections, c: AppConfig, s: DeliverySettings) => new DeliveryQueue(r.producer(), c.QUEUE_PREFIX, s.retry),
    },
    {
      provide: DeliveryProcessor,
      inject: [DeliveryService, CLOCK, DELIVERY_SETTINGS],
      useFactory: (service: DeliveryService, clock: Clock, s: DeliverySettings) =>
        new DeliveryProcessor(
          service,
          { webhook: new WebhookSender(s.webhookTimeoutMs), email: new EmailSender(s) },
          clock,
          new Logger('DeliveryWorker'),
        ),
    },
    {
      provide: DeliveryReconciler,
      inject: [DeliveryService, DeliveryQueue, CLOCK, DELIVERY_SETTINGS],
      useFactory: (service: DeliveryService, queue: DeliveryQueue, clock: Clock, s: DeliverySettings) =>
        new DeliveryReconciler(service, queue, clock, s.graceMs),
    },
    DeliveryWorker,
    DeliveryReconcileLoop,
  ],
  exports: [DeliveryQueue],
})
export class DeliveryModule implements OnApplicationShutdown {
  constructor(@Inject(DeliveryQueue) private readonly queue: DeliveryQueue) {}

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close().catch(() => undefined);
  }
}
