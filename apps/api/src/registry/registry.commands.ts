import { Inject, Logger } from '@nestjs/common';
import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { DirectoryService } from '#shouhu/directory';
import { type Actor, ForbiddenError, SYSTEM_ACTOR, uuidFromName, WorkflowEngine } from '#shouhu/engine';
import { type ChildInput, type ChildPatch, ChildRegistry } from '#shouhu/registry';
import { CaseTransitioned } from '#shouhu/runtime';
import { LivingAloneRule } from './living-alone.rule';

/** Roles that keep the registry: civil affairs leads; townships, villages and child directors collect. */
export const REGISTRY_WRITERS = ['civil_affairs', 'township', 'village', 'child_director'];

function mayWrite(actor: Actor): void {
  if (!REGISTRY_WRITERS.includes(actor.role)) throw new ForbiddenError(`role "${actor.role}" does not keep the registry`, { allowedRoles: REGISTRY_WRITERS });
}

export class SaveChildFile {
  constructor(
    readonly actor: Actor,
    readonly requestId: string,
    readonly create?: ChildInput,
    readonly update?: { childId: string; patch: ChildPatch; expectedVersion?: number },
  ) {}
}

export class ImportChildFiles {
  constructor(
    readonly actor: Actor,
    readonly csv: string,
    readonly township: string,
    readonly requestId: string,
  ) {}
}

export class OpenQuarterlyReturns {
  constructor(
    readonly actor: Actor,
    readonly quarter: string,
    readonly requestId: string,
  ) {}
}

@CommandHandler(SaveChildFile)
export class SaveChildFileHandler implements ICommandHandler<SaveChildFile> {
  constructor(
    @Inject(ChildRegistry) private readonly registry: ChildRegistry,
    @Inject(LivingAloneRule) private readonly livingAlone: LivingAloneRule,
  ) {}

  async execute({ actor, requestId, create, update }: SaveChildFile) {
    mayWrite(actor);
    if (create) {
      const { file, duplicateFlags } = await this.registry.create(create, actor);
      return { file, duplicateFlags, livingAloneReport: await this.livingAlone.check(file, actor, requestId) };
    }
    const file = await this.registry.update(update!.childId, update!.patch, actor, update!.expectedVersion);
    return { file, livingAloneReport: await this.livingAlone.check(file, actor, requestId) };
  }
}

@CommandHandler(ImportChildFiles)
export class ImportChildFilesHandler implements ICommandHandler<ImportChildFiles> {
  private readonly logger = new Logger('RegistryImport');

  constructor(
    @Inject(ChildRegistry) private readonly registry: ChildRegistry,
    @Inject(LivingAloneRule) private readonly livingAlone: LivingAloneRule,
  ) {}

  async execute({ actor, csv, township, requestId }: ImportChildFiles) {
    mayWrite(actor);
    // Progress of a large file, per 100-row chunk, in the log under the request id.
    const onProgress = (done: number, total: number) => this.logger.log({ requestId, township, done, total }, `import ${done}/${total}`);
    const result = await this.registry.importCsv(csv, actor, { township, onProgress });
    // After the import committed: each file the rule finds opens its one report.
    const reports = await this.livingAlone.checkTownship(this.registry, township, actor, requestId);
    return { ...result, livingAloneReports: reports };
  }
}

/** Civil affairs opens the quarter's return for every township (once per township and quarter). */
@CommandHandler(OpenQuarterlyReturns)
export class OpenQuarterlyReturnsHandler implements ICommandHandler<OpenQuarterlyReturns> {
  constructor(
    @Inject(WorkflowEngine) private readonly engine: WorkflowEngine,
    @Inject(DirectoryService) private readonly directory: DirectoryService,
    private readonly events: EventBus,
  ) {}

  async execute({ actor, quarter, requestId }: OpenQuarterlyReturns) {
    if (actor.role !== 'civil_affairs') throw new ForbiddenError('county civil affairs opens the quarterly returns');
    const county = actor.jurisdictionPath.split('/')[0] ?? '';
    const townships = await this.directory.unitsOfKind('township_government', county);
    const opened: { township: string; caseId: string }[] = [];
    for (const unit of townships) {
      const township = unit.jurisdictionPath.split('/')[1]!;
      const id = uuidFromName(`quarterly-return:${county}:${township}:${quarter}`);
      if (await this.engine.caseExists(id)) continue;
      const result = await this.engine.open({
        id,
        type: 'quarterly-return',
        subject: { township },
        data: { quarter },
        ownerUnitId: unit.id,
        jurisdictionPath: unit.jurisdictionPath,
        actor,
        requestId,
      });
      this.events.publish(new CaseTransitioned(result));
      opened.push({ township, caseId: result.case.id });
    }
    return { quarter, opened };
  }
}
