import type { Job } from 'bullmq';
import type { Clock, DeliveryJobData } from '#shouhu/engine';
import type { DeliveryService, DeliverySender, DeliveryToSend, EmailSender, SendOutcome } from '#shouhu/notify';
import type { ChannelKind } from '#shouhu/persistence';

export type DeliveryResult = 'delivered' | 'skipped' | 'dead';

export interface DeliveryLogger {
  log(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
}

/**
 * One delivery job: load the row, and only if it is still pending count an attempt and send it.
 * A delivered or dead delivery is never sent again, however often its job runs (jobs are at least
 * once; a worker killed mid-request may repeat a POST — receivers dedupe on X-Shouhu-Delivery).
 * Failure: retried by BullMQ with backoff; the last attempt, or a failure no retry can mend, is dead.
 */
export class DeliveryProcessor {
  constructor(
    private readonly service: DeliveryService,
    private readonly senders: { webhook: DeliverySender; email: DeliverySender & Partial<Pick<EmailSender, 'close'>> },
    private readonly clock: Clock,
    private readonly logger?: DeliveryLogger,
  ) {}

  async process(job: Job<DeliveryJobData>): Promise<DeliveryResult> {
    const { deliveryId } = job.data;
    const d = await this.service.loadForSend(deliveryId);
    if (!d || d.status !== 'pending') return 'skipped';
    if (!(await this.service.beginAttempt(deliveryId))) return 'skipped'; // finished meanwhile
    const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const outcome = await this.attempt(d);
    const meta = { deliveryId, kind: d.kind, caseId: d.notification?.caseId, attempt: job.attemptsMade + 1, statusCode: outcome.statusCode };
    if (outcome.ok) {
      await this.service.markDelivered(deliveryId, outcome.statusCode);
      this.logger?.log(meta, 'delivery delivered');
      return 'delivered';
    }
    const dead = final || outcome.permanent === true;
    const error = outcome.error ?? 'delivery failed';
    await this.service.markFailed(deliveryId, error, outcome.statusCode, dead);
    this.logger?.warn({ ...meta, dead, error }, dead ? 'delivery dead' : 'delivery failed; will retry');
    if (outcome.permanent) return 'dead'; // nothing a retry could change
    throw new Error(error); // BullMQ retries with backoff; after the last attempt the row is already dead
  }

  private async attempt(d: DeliveryToSend): Promise<SendOutcome> {
    if (!d.channel.active) return { ok: false, statusCode: null, error: 'the channel was deactivated', permanent: true };
    if (!d.notification) return { ok: false, statusCode: null, error: 'no inbox notification for this delivery', permanent: true };
    const sender = this.senders[d.kind as ChannelKind];
    if (!sender) return { ok: false, statusCode: null, error: `unknown channel kind "${d.kind}"`, permanent: true };
    try {
      return await sender.send(d, d.notification, this.clock.now());
    } catch (err) {
      return { ok: false, statusCode: null, error: `sender failed: ${String(err)}` };
    }
  }

  close(): void {
    this.senders.email.close?.();
  }
}
