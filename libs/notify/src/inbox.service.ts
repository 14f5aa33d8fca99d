import { randomUUID } from 'node:crypto';
import { type Actor, type Clock, localIso, NotFoundError } from '#shouhu/engine';
import { type Database, InboxEntity } from '#shouhu/persistence';

export interface InboxDelivery {
  outboxId: string;
  caseId: string;
  unitIds: string[];
  reason: string;
  deadline: Date | null;
  payload: Record<string, unknown>;
}

export interface NotificationView {
  id: string;
  unitId: string;
  caseId: string;
  reason: string;
  deadline: string | null;
  payload: Record<string, unknown>;
  createdAt: string;
  ackedAt: string | null;
  ackedBy: string | null;
}

/** The simplest channel: a notification row per unit, visible to that unit's people. */
export class InboxService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /** Idempotent: the same outbox row delivered twice to a unit still makes one notification. */
  async deliver(d: InboxDelivery): Promise<number> {
    const now = this.clock.now();
    let created = 0;
    for (const unitId of d.unitIds) {
      const res = await this.db.em().execute(
        `insert into inbox (id, unit_id, case_id, outbox_id, reason, deadline, payload, created_at)
         values (?, ?, ?, ?, ?, ?, ?, ?) on conflict (outbox_id, unit_id) do nothing`,
        [randomUUID(), unitId, d.caseId, d.outboxId, d.reason, d.deadline, JSON.stringify(d.payload), now],
        'run',
      );
      created += (res as { affectedRows?: number }).affectedRows ?? 0;
    }
    return created;
  }

  async list(actor: Actor, opts: { unacked?: boolean; limit: number; offset: number }): Promise<{ items: NotificationView[]; total: number }> {
    const where = opts.unacked ? { unitId: actor.unitId, ackedAt: null } : { unitId: actor.unitId };
    const [rows, total] = await this.db.em().findAndCount(InboxEntity, where, {
      orderBy: { createdAt: 'desc', id: 'asc' },
      limit: opts.limit,
      offset: opts.offset,
    });
    return { items: rows.map(view), total };
  }

  /** Acknowledging twice keeps the first acknowledgement. */
  async ack(id: string, actor: Actor): Promise<NotificationView> {
    const em = this.db.em();
    const now = this.clock.now();
    await em.nativeUpdate(InboxEntity, { id, unitId: actor.unitId, ackedAt: null }, { ackedAt: now, ackedBy: actor.userId });
    const row = await em.findOne(InboxEntity, { id, unitId: actor.unitId });
    if (!row) throw new NotFoundError('notification', id);
    return view(row);
  }
}

function view(row: InboxEntity): NotificationView {
  return {
    id: row.id,
    unitId: row.unitId,
    caseId: row.caseId,
    reason: row.reason,
    deadline: row.deadline ? localIso(row.deadline) : null,
    payload: row.payload,
    createdAt: localIso(row.createdAt),
    ackedAt: row.ackedAt ? localIso(row.ackedAt) : null,
    ackedBy: row.ackedBy,
  };
}
