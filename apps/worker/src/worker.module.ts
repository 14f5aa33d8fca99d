import { Module } from '@nestjs/common';
import { RuntimeModule } from '#shouhu/runtime';
import { DeliveryModule } from './delivery/delivery.module';
import { effectCatalogueProvider } from './effect-catalogue.provider';
import { EffectWorker } from './effect.worker';
import { QueueWorkers } from './queue-workers';
import { RegistryImportWorkerModule } from './registry-import.worker';
import { ReconcileLoop } from './reconcile.loop';
import { TimerWorker } from './timer.worker';

/** BullMQ processors: deadlines, effects, and the reconcile loop. */
@Module({
  imports: [RuntimeModule, DeliveryModule, RegistryImportWorkerModule],
  providers: [effectCatalogueProvider, QueueWorkers, TimerWorker, EffectWorker, ReconcileLoop],
})
export class WorkerModule {}
