import { Inject } from '@nestjs/common';
import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { DirectoryService } from '#shouhu/directory';
import { type Actor, type CaseView, CaseQueries, UnprocessableError, WorkflowEngine } from '#shouhu/engine';
import { CaseTransitioned } from '#shouhu/runtime';

export class OpenCase {
  constructor(
    readonly actor: Actor,
    readonly type: string,
    readonly subject: Record<string, unknown>,
    readonly data: Record<string, unknown>,
    readonly ownerUnitId: string | undefined,
    readonly jurisdictionPath: string | undefined,
    readonly requestId: string,
  ) {}
}

export class SendCaseEvent {
  constructor(
    readonly actor: Actor,
    readonly caseId: string,
    readonly type: string,
    readonly payload: Record<string, unknown>,
    readonly expectedVersion: number | undefined,
    readonly requestId: string,
  ) {}
}

@CommandHandler(OpenCase)
export class OpenCaseHandler implements ICommandHandler<OpenCase, CaseView> {
  constructor(
    @Inject(WorkflowEngine) private readonly engine: WorkflowEngine,
    @Inject(CaseQueries) private readonly queries: CaseQueries,
    @Inject(DirectoryService) private readonly directory: DirectoryService,
    private readonly events: EventBus,
  ) {}

  async execute(cmd: OpenCase): Promise<CaseView> {
    const ownerUnitId = cmd.ownerUnitId ?? cmd.actor.unitId;
    if (cmd.ownerUnitId && !(await this.directory.unit(cmd.ownerUnitId))) {
      throw new UnprocessableError(`ownerUnitId "${cmd.ownerUnitId}" is not a known unit`, { field: 'ownerUnitId' });
    }
    const result = await this.engine.open({
      type: cmd.type,
      subject: cmd.subject,
      data: cmd.data,
      ownerUnitId,
      jurisdictionPath: cmd.jurisdictionPath ?? cmd.actor.jurisdictionPath,
      actor: cmd.actor,
      requestId: cmd.requestId,
    });
    this.events.publish(new CaseTransitioned(result));
    return this.queries.present(result.case, result.pendingTimers, cmd.actor);
  }
}

@CommandHandler(SendCaseEvent)
export class SendCaseEventHandler implements ICommandHandler<SendCaseEvent, CaseView> {
  constructor(
    @Inject(WorkflowEngine) private readonly engine: WorkflowEngine,
    @Inject(CaseQueries) private readonly queries: CaseQueries,
    private readonly events: EventBus,
  ) {}

  async execute(cmd: SendCaseEvent): Promise<CaseView> {
    const result = await this.engine.apply({
      caseId: cmd.caseId,
      type: cmd.type,
      payload: cmd.payload,
      actor: cmd.actor,
      expectedVersion: cmd.expectedVersion,
      requestId: cmd.requestId,
    });
    this.events.publish(new CaseTransitioned(result));
    // Answered from what was just committed: no second read of the case and its deadlines.
    return this.queries.present(result.case, result.pendingTimers, cmd.actor);
  }
}
