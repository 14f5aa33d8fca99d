import { Inject, Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type Actor, BadRequestError, ForbiddenError } from '#shouhu/engine';
import { type CensusFormat, type ImportJobView, RegistryImportJobs, RegistryImportQueue } from '#shouhu/registry';
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

const TOWNSHIP = /^[a-z0-9][a-z0-9-]{0,63}$/;

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
    const own = actor.jurisdictionPath.split('/')[1];
    if (township !== undefined && !TOWNSHIP.test(township)) throw new BadRequestError('township must be a township code such as maluguo', { field: 'township' });
    if (own && township !== undefined && township !== own) {
      throw new BadRequestError(`you import for your own township (${own}), not ${township}`, { field: 'township' });
    }
    const target = township ?? own;
    if (!target) throw new BadRequestError('county units name the township (query ?township=)', { field: 'township' });
    const job = await this.jobs.create({ format, content, township: target, actor, requestId });
    // PostgreSQL holds the import: if Redis is away now, the worker's reconcile round enqueues it later.
    await this.queue.enqueue([job.id]).catch((err: unknown) => this.logger.warn({ importId: job.id, requestId, err: String(err) }, 'import queued in PostgreSQL only; the reconciler will enqueue it'));
    return job;
  }
}
