import { Inject } from '@nestjs/common';
import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { DirectoryService, ResponsibleUnitResolver } from '#shouhu/directory';
import { type Actor, type CaseView, CaseQueries, UnprocessableError, WorkflowEngine } from '#shouhu/engine';
import type { ProtectionPolicy } from '#shouhu/protection';
import { CaseTransitioned, PROTECTION_POLICY } from '#shouhu/runtime';
import type { FileReportDto } from './report.dto';

export class FileMandatoryReport {
  constructor(
    readonly actor: Actor,
    readonly report: FileReportDto,
    readonly requestId: string,
  ) {}
}

/**
 * Translates a report into a `mandatory-report` case owned by the police station of the child's
 * township, in the township's area; the reporter is recorded (and kept confidential by the definition).
 */
@CommandHandler(FileMandatoryReport)
export class FileMandatoryReportHandler implements ICommandHandler<FileMandatoryReport, CaseView> {
  constructor(
    @Inject(WorkflowEngine) private readonly engine: WorkflowEngine,
    @Inject(CaseQueries) private readonly queries: CaseQueries,
    @Inject(ResponsibleUnitResolver) private readonly resolver: ResponsibleUnitResolver,
    @Inject(DirectoryService) private readonly directory: DirectoryService,
    @Inject(PROTECTION_POLICY) private readonly policy: ProtectionPolicy,
    private readonly events: EventBus,
  ) {}

  async execute({ actor, report, requestId }: FileMandatoryReport): Promise<CaseView> {
    const known = new Set(this.policy.reportTriggers.map((t) => t.code));
    const unknown = report.triggers.filter((t) => !known.has(t));
    if (unknown.length > 0) {
      throw new UnprocessableError(`unknown trigger ${unknown.join(', ')}`, { field: 'triggers', unknown, known: [...known] });
    }
    const county = actor.jurisdictionPath.split('/')[0] ?? '';
    const townshipPath = `${county}/${report.child.township}`;
    const subject = { ...report.child };
    const data = {
      triggers: [...new Set(report.triggers)],
      description: report.description,
      reporter: { unitId: actor.unitId, userId: actor.userId, role: actor.role },
    };
    let ownerUnitId: string;
    try {
      [ownerUnitId] = (await this.resolver.resolve('township-police', { ownerUnitId: actor.unitId, subject, data, jurisdictionPath: townshipPath })) as [string];
    } catch {
      throw new UnprocessableError(`no police station answers for township "${report.child.township}"`, { field: 'child.township' });
    }
    const jurisdictionPath = await this.childArea(subject, townshipPath);
    const result = await this.engine.open({ type: 'mandatory-report', subject, data, ownerUnitId, jurisdictionPath, actor, requestId });
    this.events.publish(new CaseTransitioned(result));
    return this.queries.present(result.case, result.timers, actor);
  }

  /**
   * A case lives where the child lives: the village's area when the village is known (so its committee
   * and child director see it, and the township and county above them), else the township's.
   */
  private async childArea(subject: { village?: string }, townshipPath: string): Promise<string> {
    if (!subject.village) return townshipPath;
    const village = await this.directory.unit(subject.village);
    if (!village || village.kind !== 'village_committee' || !village.jurisdictionPath.startsWith(`${townshipPath}/`)) {
      throw new UnprocessableError(`"${subject.village}" is not a village committee of this township`, { field: 'child.village' });
    }
    return village.jurisdictionPath;
  }
}
