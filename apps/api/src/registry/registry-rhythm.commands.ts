import { Inject } from '@nestjs/common';
import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { DirectoryService } from '#shouhu/directory';
import { type Actor, CaseQueries, ConflictError, ForbiddenError, NotFoundError, SYSTEM_ACTOR, UnprocessableError, uuidFromName, WorkflowEngine, withinJurisdiction } from '#shouhu/engine';
import { Database, UnitEntity } from '#shouhu/persistence';
import { ChildRegistry } from '#shouhu/registry';
import { CaseTransitioned } from '#shouhu/runtime';

/** The joint-meeting office (or civil affairs, where the office sits) opens the year's summaries. */
export class OpenYearlySummaries {
  constructor(
    readonly actor: Actor,
    readonly year: number,
    readonly requestId: string,
  ) {}
}

/** The village committee (or township, civil affairs) starts the visit rhythm for a key child. */
export class OpenKeyChildVisits {
  constructor(
    readonly actor: Actor,
    readonly childId: string,
    readonly requestId: string,
  ) {}
}

/**
 * 五(三): every township and every member department of the joint meeting sends its yearly summary to
 * the joint-meeting office by mid-December. One `yearly-summary` case per unit and year, owned by the
 * unit (its reminders reach it; the policy's escalation reaches the office); a second call opens none.
 */
@CommandHandler(OpenYearlySummaries)
export class OpenYearlySummariesHandler implements ICommandHandler<OpenYearlySummaries> {
  constructor(
    @Inject(WorkflowEngine) private readonly engine: WorkflowEngine,
    @Inject(DirectoryService) private readonly directory: DirectoryService,
    @Inject(Database) private readonly db: Database,
    private readonly events: EventBus,
  ) {}

  async execute({ actor, year, requestId }: OpenYearlySummaries) {
    if (actor.role !== 'office' && actor.role !== 'civil_affairs') throw new ForbiddenError('the joint-meeting office (or civil affairs) opens the yearly summaries');
    const county = actor.jurisdictionPath.split('/')[0] ?? '';
    const office = await this.directory.unitOfKindAt('joint_meeting_office', county);
    if (!office) throw new UnprocessableError(`the directory has no joint-meeting office at ${county}`);
    const departments = await this.db.em().find(UnitEntity, { parentId: office.id }, { orderBy: { id: 'asc' } });
    const townships = await this.directory.unitsOfKind('township_government', county);
    const opened: { unitId: string; kind: string; caseId: string }[] = [];
    let alreadyOpen = 0;
    for (const unit of [...townships, ...departments]) {
      const id = uuidFromName(`yearly-summary:${county}:${unit.id}:${year}`);
      if (await this.engine.caseExists(id)) {
        alreadyOpen++;
        continue;
      }
      const result = await this.engine.open({
        id, type: 'yearly-summary', subject: { unitId: unit.id }, data: { year }, ownerUnitId: unit.id, jurisdictionPath: unit.jurisdictionPath, actor, requestId,
      });
      this.events.publish(new CaseTransitioned(result));
      opened.push({ unitId: unit.id, kind: unit.kind, caseId: result.case.id });
    }
    const message = opened.length === 0
      ? `the ${year} yearly summaries were already open for all ${alreadyOpen} units; nothing new was opened`
      : `opened ${opened.length} yearly summaries for ${year}${alreadyOpen > 0 ? ` (${alreadyOpen} were already open)` : ''}`;
    return { year, opened, alreadyOpen, message };
  }
}

/** 四(二)2: the child director's visit rhythm for a key child, one open plan per child at a time. */
@CommandHandler(OpenKeyChildVisits)
export class OpenKeyChildVisitsHandler implements ICommandHandler<OpenKeyChildVisits> {
  constructor(
    @Inject(WorkflowEngine) private readonly engine: WorkflowEngine,
    @Inject(CaseQueries) private readonly queries: CaseQueries,
    @Inject(DirectoryService) private readonly directory: DirectoryService,
    @Inject(ChildRegistry) private readonly registry: ChildRegistry,
    private readonly events: EventBus,
  ) {}

  async execute({ actor, childId, requestId }: OpenKeyChildVisits) {
    const file = await this.registry.get(childId, SYSTEM_ACTOR);
    const county = actor.jurisdictionPath.split('/')[0] || 'changbai';
    // Outside the caller's area the file does not exist for them.
    if (file.mergedInto || !withinJurisdiction(actor.jurisdictionPath, `${county}/${file.township}/village`)) throw new NotFoundError('child', childId);
    if (!file.keyChild) throw new UnprocessableError(`file ${childId} is not marked as a key child (重点儿童): set keyChild first`, { field: 'keyChild' });
    const village = await this.directory.unit(file.village);
    if (village?.kind !== 'village_committee' || !village.jurisdictionPath.startsWith(`${county}/${file.township}/`)) {
      throw new UnprocessableError(`the file's village "${file.village}" is not a village committee of ${file.township} in the directory; the visits are its duty`, { field: 'village' });
    }
    const { items } = await this.queries.list({ type: 'key-child-visits', childId, order: 'opened', limit: 100, offset: 0 }, SYSTEM_ACTOR);
    const open = items.find((c) => c.status === 'active');
    if (open) throw new ConflictError(`a key-child visit plan is already open for ${childId}`, { caseId: open.id });
    // The n-th plan of the child has a fixed id: two requests at once open it once (the other gets 409).
    const id = uuidFromName(`key-child-visits:${childId}:${items.length + 1}`);
    if (await this.engine.caseExists(id)) throw new ConflictError(`a key-child visit plan is already open for ${childId}`, { caseId: id });
    const result = await this.engine.open({
      id,
      type: 'key-child-visits',
      subject: { childId, name: file.name, township: file.township, village: village.id },
      data: {},
      ownerUnitId: village.id,
      jurisdictionPath: village.jurisdictionPath,
      actor,
      requestId,
    });
    this.events.publish(new CaseTransitioned(result));
    return this.queries.present(result.case, result.timers, actor);
  }
}
