import { Inject } from '@nestjs/common';
import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { DirectoryService } from '#shouhu/directory';
import { type Actor, type CaseView, CaseQueries, ForbiddenError, SYSTEM_ACTOR, WorkflowEngine } from '#shouhu/engine';
import { CaseTransitioned } from '#shouhu/runtime';
import { type AttendanceRow, AttendanceService } from '#shouhu/schools';

export class RecordAttendance {
  constructor(
    readonly actor: Actor,
    readonly input: { rows: AttendanceRow[] } | { csv: string },
    readonly requestId: string,
  ) {}
}

export interface AttendanceOutcome {
  recorded: number;
  absenceCasesOpened: string[];
  dropoutsRegistered: string[];
  relapses: string[];
}

/**
 * A school's attendance (one row or a day's file): every unexplained absence opens an absence case
 * (or adds the day to the open one); a run of unexplained absence past the policy's threshold
 * registers a dropout; a returned child absent past it again relapses. All through the engine.
 */
@CommandHandler(RecordAttendance)
export class RecordAttendanceHandler implements ICommandHandler<RecordAttendance, AttendanceOutcome> {
  constructor(
    @Inject(AttendanceService) private readonly attendance: AttendanceService,
    @Inject(WorkflowEngine) private readonly engine: WorkflowEngine,
    @Inject(CaseQueries) private readonly queries: CaseQueries,
    @Inject(DirectoryService) private readonly directory: DirectoryService,
    private readonly events: EventBus,
  ) {}

  async execute({ actor, input, requestId }: RecordAttendance): Promise<AttendanceOutcome> {
    if (actor.role !== 'school') throw new ForbiddenError('only a school records attendance');
    const result =
      'csv' in input
        ? await this.attendance.importCsv(actor.unitId, input.csv, actor.userId)
        : await this.attendance.record(actor.unitId, input.rows, actor.userId);
    const outcome: AttendanceOutcome = { recorded: result.recorded, absenceCasesOpened: [], dropoutsRegistered: [], relapses: [] };
    for (const a of result.unexplainedAbsences) {
      if (await this.active(a.childId, 'dropout-return')) continue; // already being persuaded back
      const open = await this.active(a.childId, 'school-absence');
      if (open) {
        if (open.allowedEvents.includes('ABSENT_AGAIN')) await this.send(open.id, 'ABSENT_AGAIN', { date: a.date }, requestId);
      } else {
        outcome.absenceCasesOpened.push(await this.openAbsence(actor, a, requestId));
      }
    }
    for (const d of result.dropouts) {
      const dropout = await this.active(d.childId, 'dropout-return');
      if (dropout) {
        if (dropout.allowedEvents.includes('RELAPSE')) {
          await this.send(dropout.id, 'RELAPSE', { date: d.lastDate }, requestId);
          outcome.relapses.push(dropout.id);
        }
        continue;
      }
      const absence = (await this.active(d.childId, 'school-absence'))?.id ?? (await this.openAbsence(actor, { ...d, date: d.since }, requestId));
      await this.send(absence, 'REGISTER_DROPOUT', { consecutiveDays: d.consecutiveDays }, requestId);
      outcome.dropoutsRegistered.push(absence);
    }
    return outcome;
  }

  private async active(childId: string, type: string): Promise<CaseView | undefined> {
    const { items } = await this.queries.list({ childId, type, limit: 100, offset: 0 }, SYSTEM_ACTOR);
    return items.find((c) => c.status === 'active');
  }

  private async openAbsence(
    actor: Actor,
    a: { childId: string; childName: string; township: string; village: string | null; date: string },
    requestId: string,
  ): Promise<string> {
    const county = actor.jurisdictionPath.split('/')[0] ?? '';
    const village = a.village ? await this.directory.unit(a.village) : null;
    // The case lies where the child lives; the school takes part wherever that is.
    const jurisdictionPath = village?.kind === 'village_committee' ? village.jurisdictionPath : `${county}/${a.township}`;
    const subject = { childId: a.childId, name: a.childName, township: a.township, school: actor.unitId, ...(village ? { village: village.id } : {}) };
    const result = await this.engine.open({
      type: 'school-absence',
      subject,
      data: { date: a.date, schoolUnitId: actor.unitId },
      ownerUnitId: actor.unitId,
      jurisdictionPath,
      actor,
      requestId,
    });
    this.events.publish(new CaseTransitioned(result));
    return result.case.id;
  }

  private async send(caseId: string, type: string, payload: Record<string, unknown>, requestId: string): Promise<void> {
    const result = await this.engine.apply({ caseId, type, payload, actor: SYSTEM_ACTOR, requestId });
    this.events.publish(new CaseTransitioned(result));
  }
}
