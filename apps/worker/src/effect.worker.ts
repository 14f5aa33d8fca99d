import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { type Job, Worker } from 'bullmq';
import { type AppConfig, APP_CONFIG } from '#shouhu/config';
import { type Clock, EffectCatalogue, type EffectJobData, QUEUES } from '#shouhu/engine';
import { SqlCaseStore, SqlDispatchStore } from '#shouhu/persistence';
import { EFFECT_ATTEMPTS, RedisConnections } from '#shouhu/queue';
import { CLOCK } from '#shouhu/runtime';

/** Carries out outbox rows through the catalogue; a row done once is never done again. */
@Injectable()
export class EffectWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('EffectWorker');
  private worker?: Worker<EffectJobData>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(RedisConnections) private readonly redis: RedisConnections,
    @Inject(EffectCatalogue) private readonly catalogue: EffectCatalogue,
    @Inject(SqlDispatchStore) private readonly dispatch: SqlDispatchStore,
    @Inject(SqlCaseStore) private readonly cases: SqlCaseStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.worker = new Worker<EffectJobData>(QUEUES.effects, (job) => this.process(job), {
      connection: this.redis.worker(),
      prefix: this.config.QUEUE_PREFIX,
      concurrency: this.config.WORKER_CONCURRENCY,
    });
    this.worker.on('error', (err) => this.logger.warn({ err: String(err) }, 'effect worker connection error'));
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
