import { Inject, Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type Actor, ForbiddenError } from '#shouhu/engine';
import { type CensusFormat, type ImportJobView, RegistryImportJobs, RegistryImportQueue } from '#shouhu/registry';
import { importTownship } from './registry-scope';
import { REGISTRY_WRITERS } from './registry.commands';

/** Townships and schools upload census files; the registry's keepers too. */
export const REGISTRY_IMPORTERS = [...REGISTRY_WRITERS, 'school'];

/** A census file (CSV or XLSX) handed to the worker as an import job. */
export class StartRegistryImport {
  constructor(
    readonly actor: Actor,
    readonly format: CensusFormat,
    readonly content: Buffer,
    /** `?township=`; required of county units, and only the caller's own township otherwise. */
    readonly township: string | undefined,
    readonly requestId: string,
  ) {}
}


@CommandHandler(StartRegistryImport)
export class StartRegistryImportHandler implements ICommandHandler<StartRegistryImport> {
  private readonly logger = new Logger('RegistryImport');

  constructor(
    @Inject(RegistryImportJobs) private readonly jobs: RegistryImportJobs,
    @Inject(RegistryImportQueue) private readonly queue: RegistryImportQueue,
  ) {}

  async execute({ actor, format, content, township, requestId }: StartRegistryImport): Promise<ImportJobView> {
    if (!REGISTRY_IMPORTERS.includes(actor.role)) {
      throw new ForbiddenError(`role "${actor.role}" does not import census files`, { allowedRoles: REGISTRY_IMPORTERS });
    }
    const target = importTownship(actor, township);
    const job = await this.jobs.create({ format, content, township: target, actor, requestId });
    // PostgreSQL holds the import: if Redis is away now, the worker's reconcile round enqueues it later.
    await this.queue.enqueue([job.id]).catch((err: unknown) => this.logger.warn({ importId: job.id, requestId, err: String(err) }, 'import queued in PostgreSQL only; the reconciler will enqueue it'));
    return job;
  }
}
