import { type ConnectionOptions, type JobsOptions, Queue } from 'bullmq';
import { QUEUES, registryImportJobId, type RegistryImportJobData } from '#shouhu/engine';

export const REGISTRY_IMPORT_ATTEMPTS = 5;

/**
 * The `shouhu-registry-imports` queue: one job per import, its id derived from the import's row, so
 * enqueuing an import twice (the API, then the reconciler after Redis lost it) is a no-op.
 */
export class RegistryImportQueue {
  readonly queue: Queue<RegistryImportJobData>;

  constructor(connection: ConnectionOptions, prefix: string) {
    this.queue = new Queue<RegistryImportJobData>(QUEUES.registryImports, { connection, prefix });
  }

  static jobOptions(importId: string): JobsOptions {
    return {
      jobId: registryImportJobId(importId),
      attempts: REGISTRY_IMPORT_ATTEMPTS,
      backoff: { type: 'exponential', delay: 2000 },
      removeOnComplete: true,
      removeOnFail: true,
    };
  }

  async enqueue(importIds: readonly string[]): Promise<void> {
    if (importIds.length === 0) return;
    await this.queue.addBulk(importIds.map((importId) => ({ name: 'import', data: { importId }, opts: RegistryImportQueue.jobOptions(importId) })));
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
