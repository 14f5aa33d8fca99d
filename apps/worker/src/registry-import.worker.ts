import { Inject, Injectable, Logger, Module, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { type Job, Worker } from 'bullmq';
import { type AppConfig, APP_CONFIG } from '#shouhu/config';
import { DirectoryService, ResponsibleUnitResolver } from '#shouhu/directory';
import { type Clock, QUEUES, type RegistryImportJobData, WorkflowEngine } from '#shouhu/engine';
import { Database } from '#shouhu/persistence';
import type { ProtectionPolicy } from '#shouhu/protection';
import { RedisConnections } from '#shouhu/queue';
import { ChildRegistry, LivingAloneReports, REGISTRY_IMPORT_ATTEMPTS, RegistryImportJobs, RegistryImportQueue, RegistryImportRunner } from '#shouhu/registry';
import { CaseTransitioned, CLOCK, PROTECTION_POLICY } from '#shouhu/runtime';
import { PeriodicRound } from './periodic-round';

/**
 * Registry imports (issue 5) in the worker: the `shouhu-registry-imports` queue, one import at a time
 * per worker (an import is one long transaction), and a reconcile round that re-enqueues from
 * PostgreSQL any unfinished import whose job Redis lost (the job id dedupes what Redis still holds).
 */
@Injectable()
export class RegistryImportWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('RegistryImport');
  private worker?: Worker<RegistryImportJobData>;
  private readonly rounds: PeriodicRound;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(RedisConnections) private readonly redis: RedisConnections,
    @Inject(RegistryImportRunner) private readonly runner: RegistryImportRunner,
    @Inject(RegistryImportJobs) jobs: RegistryImportJobs,
    @Inject(RegistryImportQueue) queue: RegistryImportQueue,
    @Inject(CLOCK) clock: Clock,
  ) {
    this.rounds = new PeriodicRound(
      async () => {
        const ids = await jobs.unfinishedIdleSince(new Date(clock.now().getTime() - config.OUTBOX_GRACE_MS));
        await queue.enqueue(ids);
        if (ids.length > 0) this.logger.debug({ imports: ids.length }, 'registry imports re-enqueued');
      },
      config.RECONCILE_INTERVAL_MS,
      this.logger,
      'registry import reconcile',
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    this.worker = new Worker<RegistryImportJobData>(QUEUES.registryImports, (job) => this.process(job), {
      connection: this.redis.worker(),
      prefix: this.config.QUEUE_PREFIX,
      concurrency: 1,
    });
    this.worker.on('error', (err) => this.logger.warn({ err: String(err) }, 'registry import worker connection error'));
    await this.rounds.start();
  }

  async process(job: Job<RegistryImportJobData>): Promise<string> {
    const { importId } = job.data;
    const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? REGISTRY_IMPORT_ATTEMPTS);
    const started = Date.now();
    try {
      const status = await this.runner.run(importId, finalAttempt);
      this.logger.log({ importId, status, ms: Date.now() - started }, `registry import ${status}`);
      return status;
    } catch (err) {
      this.logger.warn({ importId, finalAttempt, err: String(err) }, 'registry import failed');
      throw err;
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.rounds.stop();
    await this.worker?.close();
  }
}

/** The import job's providers in the worker (the RuntimeModule gives the database, engine and directory). */
@Module({
  providers: [
    { provide: ChildRegistry, inject: [Database, CLOCK], useFactory: (db: Database, clock: Clock) => new ChildRegistry(db, clock) },
    { provide: RegistryImportJobs, inject: [Database, CLOCK], useFactory: (db: Database, clock: Clock) => new RegistryImportJobs(db, clock) },
    {
      provide: RegistryImportQueue,
      inject: [RedisConnections, APP_CONFIG],
      useFactory: (r: RedisConnections, c: AppConfig) => new RegistryImportQueue(r.producer(), c.QUEUE_PREFIX),
    },
    {
      provide: RegistryImportRunner,
      inject: [RegistryImportJobs, ChildRegistry, WorkflowEngine, ResponsibleUnitResolver, DirectoryService, CLOCK, PROTECTION_POLICY, EventBus],
      useFactory: (
        jobs: RegistryImportJobs, registry: ChildRegistry, engine: WorkflowEngine, resolver: ResponsibleUnitResolver,
        directory: DirectoryService, clock: Clock, policy: ProtectionPolicy, events: EventBus,
      ) => {
        const livingAlone = new LivingAloneReports(engine, resolver, directory, clock, policy.registry, (result) => events.publish(new CaseTransitioned(result)));
        const logger = new Logger('RegistryImport');
        return new RegistryImportRunner(jobs, registry, livingAlone, { progress: (f) => logger.debug(f, `import ${f.processed}/${f.total}`) });
      },
    },
    RegistryImportWorker,
  ],
})
export class RegistryImportWorkerModule implements OnApplicationShutdown {
  constructor(@Inject(RegistryImportQueue) private readonly queue: RegistryImportQueue) {}

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close().catch(() => undefined);
  }
}
