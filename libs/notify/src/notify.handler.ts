import type { CaseRow, EffectHandler, OutboxRow } from '#shouhu/engine';
import type { ResponsibleUnitResolver } from '#shouhu/directory';
import type { DeliveryEnqueuer } from './delivery.queue';
import type { DeliveryService } from './delivery.service';
import type { InboxService } from './inbox.service';

/** The unit channels (webhook, e-mail) the notification is routed to besides the inbox. */
export interface ChannelRouting {
  deliveries: DeliveryService;
  queue: DeliveryEnqueuer;
}

interface DeadlineRef {
  name: string;
  dueAt: string;
}

/**
 * `notify { to, reason, deadline? }`: a notification in each responsible unit's inbox with the case,
 * the reason and the deadline — the one given, else the deadline just missed, else the next one due.
 * Then one delivery per active channel of each unit (recorded once per outbox row and channel) and a
 * job per still-pending delivery. Running twice creates nothing twice: rows are unique, job ids too.
 */
export class NotifyEffectHandler implements EffectHandler {
  readonly action = 'notify';

  constructor(
    private readonly resolver: ResponsibleUnitResolver,
    private readonly inbox: InboxService,
    private readonly channels?: ChannelRouting,
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
    if (this.channels) {
      // If Redis is away this throws: the effect is retried, finds the rows and enqueues them then.
      const { pending } = await this.channels.deliveries.createForOutbox(effect.id, caseRow.id, unitIds);
      await this.channels.queue.enqueue(pending);
    }
  }
}
