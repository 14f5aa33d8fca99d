import { Logger } from '@nestjs/common';
import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { OutboxRelay } from '#shouhu/queue';
import { CaseTransitioned } from './case-transitioned.event';

/** Relays a commit's timers and effects at once; on failure the reconciler will find the rows. */
@EventsHandler(CaseTransitioned)
export class RelayOnTransition implements IEventHandler<CaseTransitioned> {
  private readonly logger = new Logger('OutboxRelay');

  constructor(private readonly relay: OutboxRelay) {}

  async handle(event: CaseTransitioned): Promise<void> {
    try {
      await this.relay.afterCommit(event.result);
    } catch (err) {
      this.logger.warn(
        { caseId: event.result.case.id, requestId: event.result.requestId, err: String(err) },
        'relay after commit failed; the reconciler will enqueue these rows',
      );
    }
  }
}
