import { Module } from '@nestjs/common';
import { RuntimeModule } from '#shouhu/runtime';
import { effectCatalogueProvider } from './effect-catalogue.provider';
import { EffectWorker } from './effect.worker';
import { QueueWorkers } from './queue-workers';
import { ReconcileLoop } from './reconcile.loop';
import { TimerWorker } from './timer.worker';

/** BullMQ processors: deadlines, effects, and the reconcile loop. */
@Module({
  imports: [RuntimeModule],
  providers: [effectCatalogueProvider, QueueWorkers, TimerWorker, EffectWorker, ReconcileLoop],
})
export class WorkerModule {}
