import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Worker } from 'bullmq';
import { type Clock, EffectCatalogue, type EffectJobData, QUEUES } from '#shouhu/engine';
import { SqlCaseStore, SqlDispatchStore } from '#shouhu/persistence';
import { EFFECT_ATTEMPTS } from '#shouhu/queue';
import { CLOCK } from '#shouhu/runtime';
import { QueueWorkers } from './queue-workers';

/** Carries out outbox rows through the catalogue; a row done once is never done again. */
@Injectable()
export class EffectWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('EffectWorker');
  private worker?: Worker<EffectJobData>;

  constructor(
    private readonly workers: QueueWorkers,
    @Inject(EffectCatalogue) private readonly catalogue: EffectCatalogue,
    @Inject(SqlDispatchStore) private readonly dispatch: SqlDispatchStore,
    @Inject(SqlCaseStore) private readonly cases: SqlCaseStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.worker = this.workers.start<EffectJobData>(QUEUES.effects, (job) => this.process(job), this.logger);
  }

  async process(job: Job<EffectJobData>): Promise<string> {
    const { outboxId, requestId = null } = job.data;
    const effect = await this.dispatch.findOutbox(outboxId);
    if (!effect || effect.status !== 'pending') return 'skipped';
    const caseRow = await this.cases.findCase(effect.caseId);
    const handler = this.catalogue.get(effect.action);
    try {
      if (!caseRow) throw new Error(`case ${effect.caseId} not found`);
      if (!handler) throw new Error(`no handler for action "${effect.action}"`);
      await handler.handle(effect, caseRow);
    } catch (err) {
      const final = job.attemptsMade + 1 >= (job.opts.attempts ?? EFFECT_ATTEMPTS);
      await this.dispatch.recordOutboxFailure(outboxId, String(err), final);
      this.logger.warn({ outboxId, action: effect.action, requestId, final, err: String(err) }, 'effect failed');
      throw err;
    }
    await this.dispatch.markOutboxDone(outboxId, this.clock.now());
    this.logger.log({ outboxId, action: effect.action, caseId: effect.caseId, requestId }, 'effect done');
    return 'done';
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.worker?.close();
  }
}
