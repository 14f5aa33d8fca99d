import { BadRequestError, type Clock, localIso, NotFoundError } from '#shouhu/engine';
import { type ChannelKind, type Database, DeliveryEntity, type DeliveryStatus, UnitChannelEntity, UnitEntity } from '#shouhu/persistence';

export const CHANNEL_KINDS: readonly ChannelKind[] = ['webhook', 'email'];
const MIN_SECRET_LENGTH = 16;
const EMAIL = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;

/** A unit channel as it may be shown: never the secret. */
export interface ChannelView {
  id: string;
  unitId: string;
  kind: ChannelKind;
  target: string;
  active: boolean;
  createdAt: string;
}

/** A delivery as shown on the case: no target, no secret. Times in Asia/Shanghai. */
export interface DeliveryView {
  id: string;
  unitId: string;
  channelId: string;
  kind: ChannelKind;
  status: DeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  lastAttemptAt: string | null;
  deliveredAt: string | null;
}

/** For operators: the dead-letter list names the case, the notification and the target (not the secret). */
export interface DeadLetterView extends DeliveryView {
  caseId: string;
  outboxId: string;
  target: string;
}

/** Everything the worker needs to send one delivery. `notification` is the unit's inbox row for it. */
export interface DeliveryToSend {
  id: string;
  kind: ChannelKind;
  status: DeliveryStatus;
  channel: { id: string; target: string; secret: string | null; active: boolean };
  notification: { caseId: string; caseType: string; unitId: string; reason: string; deadline: Date | null; state: string } | null;
}

type Row = Record<string, any>;

/** Unit channels and the delivery record: what was sent where, how often tried, and what died. */
export class DeliveryService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /** Adds a channel; the same (unit, kind, target) again replaces its secret and re-activates it. */
  async addChannel(unitId: string, kind: ChannelKind, target: string, secret?: string | null): Promise<ChannelView> {
    const t = typeof target === 'string' ? target.trim() : '';
    if (!CHANNEL_KINDS.includes(kind)) throw new BadRequestError(`channel kind must be one of ${CHANNEL_KINDS.join(', ')}`, { kind });
    if (kind === 'webhook') {
      let url: URL | undefined;
      try {
        url = new URL(t);
      } catch {
        url = undefined;
      }
      if (!url || !['http:', 'https:'].includes(url.protocol)) throw new BadRequestError('a webhook target must be an http(s) URL', { target: t });
      if (url.username || url.password) throw new BadRequestError('a webhook URL must not carry credentials: the secret signs each request');
      if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) {
        throw new BadRequestError(`a webhook channel needs a secret of at least ${MIN_SECRET_LENGTH} characters`);
      }
    } else if (!EMAIL.test(t)) {
      throw new BadRequestError('an email target must be an e-mail address', { target: t });
    }
    const em = this.db.em();
    if (!(await em.findOne(UnitEntity, { id: unitId }))) throw new NotFoundError('unit', unitId);
    const rows = await em.execute<Row[]>(
      `insert into unit_channels (id, unit_id, kind, target, secret, active, created_at)
       values (gen_random_uuid(), ?, ?, ?, ?, true, ?)
       on conflict (unit_id, kind, target) do update set secret = excluded.secret, active = true
       returning id, unit_id, kind, target, active, created_at`,
      [unitId, kind, t, kind === 'webhook' ? secret : null, this.clock.now()],
    );
    return channelView(rows[0]!);
  }

  async deactivateChannel(channelId: string): Promise<boolean> {
    return (await this.db.em().nativeUpdate(UnitChannelEntity, { id: channelId }, { active: false })) > 0;
  }

  async listChannels(unitId: string): Promise<ChannelView[]> {
    const rows = await this.db.em().find(UnitChannelEntity, { unitId }, { orderBy: { createdAt: 'asc', id: 'asc' } });
    return rows.map((r) => channelView({ id: r.id, unit_id: r.unitId, kind: r.kind, target: r.target, active: r.active, created_at: r.createdAt }));
  }

  /**
   * One delivery per active channel of each unit for this outbox row; idempotent (unique outbox × channel).
   * Returns the ids still pending for it — new or left from an earlier run — to be (re-)enqueued.
   */
  async createForOutbox(outboxId: string, caseId: string, unitIds: readonly string[]): Promise<{ created: number; pending: string[] }> {
    if (unitIds.length === 0) return { created: 0, pending: [] };
    const em = this.db.em();
    const units = unitIds.map(() => '?').join(', ');
    const res = await em.execute(
      `insert into deliveries (id, outbox_id, case_id, unit_id, channel_id, kind, status, attempts, created_at)
       select gen_random_uuid(), ?, ?, c.unit_id, c.id, c.kind, 'pending', 0, ?
         from unit_channels c where c.active and c.unit_id in (${units})
       on conflict (outbox_id, channel_id) do nothing`,
      [outboxId, caseId, this.clock.now(), ...unitIds],
      'run',
    );
    const pending = await em.execute<Row[]>(
      `select id from deliveries where outbox_id = ? and status = 'pending' and unit_id in (${units}) order by created_at, id`,
      [outboxId, ...unitIds],
    );
    return { created: (res as { affectedRows?: number }).affectedRows ?? 0, pending: pending.map((r) => r.id as string) };
  }

  async listForCase(caseId: string): Promise<DeliveryView[]> {
    const rows = await this.db.em().find(DeliveryEntity, { caseId }, { orderBy: { createdAt: 'asc', id: 'asc' } });
    return rows.map(deliveryView);
  }

  /** The dead-letter list, most recently failed first. The rows stay; nothing is deleted. */
  async deadLetters(limit = 100): Promise<DeadLetterView[]> {
    const rows = await this.db.em().execute<Row[]>(
      `select d.*, c.target from deliveries d join unit_channels c on c.id = d.channel_id
        where d.status = 'dead' order by d.last_attempt_at desc nulls last, d.created_at desc, d.id limit ?`,
      [Math.max(1, Math.min(limit, 1000))],
    );
    return rows.map((r) => ({ ...deliveryView(camel(r)), caseId: r.case_id, outboxId: r.outbox_id, target: r.target }));
  }

  /** Pending deliveries older than `createdBefore`, by (created_at, id): what the reconciler re-enqueues. */
  async pendingIds(createdBefore: Date, after: { createdAt: Date; id: string } | null, limit: number): Promise<{ id: string; createdAt: Date }[]> {
    const rows = await this.db.em().execute<Row[]>(
      `select id, created_at from deliveries where status = 'pending' and created_at < ?
         ${after ? 'and (created_at, id) > (?, ?)' : ''} order by created_at, id limit ?`,
      after ? [createdBefore, after.createdAt, after.id, limit] : [createdBefore, limit],
    );
    return rows.map((r) => ({ id: r.id, createdAt: new Date(r.created_at) }));
  }

  async loadForSend(id: string): Promise<DeliveryToSend | null> {
    const rows = await this.db.em().execute<Row[]>(
      `select d.id, d.kind, d.status, d.case_id, d.unit_id, ch.id as channel_id, ch.target, ch.secret, ch.active,
              i.id as inbox_id, i.reason, i.deadline, i.payload, cs.type as case_type, cs.state as case_state
         from deliveries d
         join unit_channels ch on ch.id = d.channel_id
         left join inbox i on i.outbox_id = d.outbox_id and i.unit_id = d.unit_id
         left join cases cs on cs.id = d.case_id
        where d.id = ?`,
      [id],
    );
    const r = rows[0];
    if (!r) return null;
    const payload = (r.payload ?? {}) as Record<string, unknown>;
    return {
      id: r.id,
      kind: r.kind,
      status: r.status,
      channel: { id: r.channel_id, target: r.target, secret: r.secret, active: r.active },
      notification: r.inbox_id
        ? {
            caseId: r.case_id,
            caseType: typeof payload.caseType === 'string' ? payload.caseType : r.case_type,
            unitId: r.unit_id,
            reason: r.reason,
            deadline: r.deadline ? new Date(r.deadline) : null,
            state: typeof payload.state === 'string' ? payload.state : r.case_state,
          }
        : null,
    };
  }

  /** Counts an attempt — only on a pending delivery. Returns false when it is already delivered or dead. */
  async beginAttempt(id: string): Promise<boolean> {
    const res = await this.db.em().execute(
      `update deliveries set attempts = attempts + 1, last_attempt_at = ? where id = ? and status = 'pending'`,
      [this.clock.now(), id],
      'run',
    );
    return ((res as { affectedRows?: number }).affectedRows ?? 0) > 0;
  }

  async markDelivered(id: string, statusCode: number | null): Promise<void> {
    await this.db.em().execute(
      `update deliveries set status = 'delivered', delivered_at = ?, last_status_code = ?, last_error = null where id = ? and status = 'pending'`,
      [this.clock.now(), statusCode, id],
      'run',
    );
  }

  /** Records a failed attempt; `dead` moves it to the dead-letter list. */
  async markFailed(id: string, error: string, statusCode: number | null, dead: boolean): Promise<void> {
    await this.db.em().execute(
      `update deliveries set last_error = ?, last_status_code = ?, status = ? where id = ? and status = 'pending'`,
      [error.slice(0, 2000), statusCode, dead ? 'dead' : 'pending', id],
      'run',
    );
  }
}

const iso = (d: Date | string | null | undefined): string | null => (d ? localIso(new Date(d)) : null);

const camel = (r: Row): Row => Object.fromEntries(Object.entries(r).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), v]));

function channelView(r: Row): ChannelView {
  return { id: r.id, unitId: r.unit_id, kind: r.kind, target: r.target, active: r.active, createdAt: iso(r.created_at)! };
}

function deliveryView(r: Row | DeliveryEntity): DeliveryView {
  return {
    id: r.id,
    unitId: r.unitId,
    channelId: r.channelId,
    kind: r.kind,
    status: r.status,
    attempts: r.attempts,
    lastStatusCode: r.lastStatusCode ?? null,
    lastError: r.lastError ?? null,
    createdAt: iso(r.createdAt)!,
    lastAttemptAt: iso(r.lastAttemptAt),
    deliveredAt: iso(r.deliveredAt),
  };
}
