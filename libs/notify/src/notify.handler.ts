import type { CaseRow, EffectHandler, OutboxRow } from '#shouhu/engine';
import type { ResponsibleUnitResolver } from '#shouhu/directory';
import type { InboxService } from './inbox.service';

interface DeadlineRef {
  name: string;
  dueAt: string;
}

/**
 * `notify { to, reason, deadline? }`: a notification in each responsible unit's inbox with the case,
 * the reason and the deadline — the one given, else the deadline just missed, else the next one due.
 */
export class NotifyEffectHandler implements EffectHandler {
  readonly action = 'notify';

  constructor(
    private readonly resolver: ResponsibleUnitResolver,
    private readonly inbox: InboxService,
  ) {}

  async handle(effect: OutboxRow, caseRow: CaseRow): Promise<void> {
    const { to, reason } = effect.params as { to?: unknown; reason?: unknown };
    if (to === undefined) throw new Error(`notify in case ${caseRow.id} names no recipient (params.to)`);
    const unitIds = await this.resolver.resolve(to, caseRow);
    const fired = effect.meta.firedDeadline as DeadlineRef | undefined;
    const next = (effect.meta.pendingDeadlines as DeadlineRef[] | undefined)?.[0];
    const given = typeof effect.params.deadline === 'string' ? effect.params.deadline : undefined;
    const deadline = given ?? fired?.dueAt ?? next?.dueAt;
    await this.inbox.deliver({
      outboxId: effect.id,
      caseId: caseRow.id,
      unitIds,
      reason: typeof reason === 'string' ? reason : 'case needs attention',
      deadline: deadline ? new Date(deadline) : null,
      payload: {
        caseType: caseRow.type,
        state: effect.meta.state ?? caseRow.state,
        deadlineName: given ? undefined : (fired ?? next)?.name,
        missed: !given && fired !== undefined,
      },
    });
  }
}
