import type { ResponsibleUnitResolver } from '#shouhu/directory';
import {
  type CaseRow,
  type CaseStore,
  type CommitResult,
  type EffectHandler,
  type OutboxRow,
  SYSTEM_ACTOR,
  uuidFromName,
  type WorkflowEngine,
} from '#shouhu/engine';

/**
 * `openCase { type, ownerRole, reason, data }`: one mechanism's outcome opens the next as a new case
 * of the same child, owned by the unit the role resolves to. The new case's id derives from the
 * outbox row, so running the effect twice opens one case.
 */
export class OpenCaseEffectHandler implements EffectHandler {
  readonly action = 'openCase';

  constructor(
    private readonly engine: WorkflowEngine,
    private readonly store: CaseStore,
    private readonly resolver: ResponsibleUnitResolver,
    private readonly committed: (result: CommitResult) => Promise<void>,
  ) {}

  async handle(effect: OutboxRow, parent: CaseRow): Promise<void> {
    const { type, ownerRole, reason, data } = effect.params as { type?: unknown; ownerRole?: unknown; reason?: unknown; data?: unknown };
    if (typeof type !== 'string' || typeof ownerRole !== 'string') {
      throw new Error(`openCase in case ${parent.id} needs params.type and params.ownerRole`);
    }
    const id = uuidFromName(`openCase:${effect.id}`);
    if (await this.store.findCase(id)) return; // opened by an earlier delivery of this effect
    const [ownerUnitId] = await this.resolver.resolve(ownerRole, parent);
    const result = await this.engine.open({
      id,
      type,
      subject: parent.subject,
      data: {
        ...(data && typeof data === 'object' ? (data as Record<string, unknown>) : {}),
        linkedFrom: { caseId: parent.id, type: parent.type, reason: typeof reason === 'string' ? reason : null },
      },
      ownerUnitId: ownerUnitId!,
      jurisdictionPath: parent.jurisdictionPath,
      actor: SYSTEM_ACTOR,
      requestId: effect.requestId,
    });
    await this.committed(result);
  }
}
