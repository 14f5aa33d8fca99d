import { EntitySchema } from '@mikro-orm/core';

/*
 * Channels through which a unit receives its alerts besides the inbox, and one delivery row per
 * (notification, channel). The schema is owned by Migration20261129020000_delivery.
 */

export type ChannelKind = 'webhook' | 'email';
export type DeliveryStatus = 'pending' | 'delivered' | 'dead';

/** A unit's own system: a webhook URL (signed with `secret`) or an e-mail address. */
export class UnitChannelEntity {
  id!: string;
  unitId!: string;
  kind!: ChannelKind;
  /** The webhook URL or the e-mail address. */
  target!: string;
  /** The webhook's HMAC key; null for e-mail. Never shown by any view. */
  secret!: string | null;
  active!: boolean;
  createdAt!: Date;
}

export const UnitChannelSchema = new EntitySchema<UnitChannelEntity>({
  class: UnitChannelEntity,
  tableName: 'unit_channels',
  properties: {
    id: { type: 'uuid', primary: true },
    unitId: { type: 'string' },
    kind: { type: 'string' },
    target: { type: 'text' },
    secret: { type: 'text', nullable: true },
    active: { type: 'boolean' },
    createdAt: { type: 'Date' },
  },
});

/** One notification (outbox row × unit) sent to one channel: recorded, retried, idempotent. */
export class DeliveryEntity {
  id!: string;
  outboxId!: string;
  caseId!: string;
  unitId!: string;
  channelId!: string;
  kind!: ChannelKind;
  status!: DeliveryStatus;
  attempts!: number;
  lastError!: string | null;
  lastStatusCode!: number | null;
  createdAt!: Date;
  lastAttemptAt!: Date | null;
  deliveredAt!: Date | null;
}

export const DeliverySchema = new EntitySchema<DeliveryEntity>({
  class: DeliveryEntity,
  tableName: 'deliveries',
  properties: {
    id: { type: 'uuid', primary: true },
    outboxId: { type: 'uuid' },
    caseId: { type: 'uuid' },
    unitId: { type: 'string' },
    channelId: { type: 'uuid' },
    kind: { type: 'string' },
    status: { type: 'string' },
    attempts: { type: 'integer' },
    lastError: { type: 'text', nullable: true },
    lastStatusCode: { type: 'integer', nullable: true },
    createdAt: { type: 'Date' },
    lastAttemptAt: { type: 'Date', nullable: true },
    deliveredAt: { type: 'Date', nullable: true },
  },
});
