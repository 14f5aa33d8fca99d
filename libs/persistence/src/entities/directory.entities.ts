import { EntitySchema } from '@mikro-orm/core';

/** A responsible unit: a bureau, a township government, a police station, a village committee, a school. */
export class UnitEntity {
  id!: string;
  name!: string;
  kind!: string;
  parentId!: string | null;
  /** The area the unit answers for, e.g. `changbai/maluguo`. Several units may share one area. */
  jurisdictionPath!: string;
  createdAt!: Date;
}

export const UnitSchema = new EntitySchema<UnitEntity>({
  class: UnitEntity,
  tableName: 'units',
  properties: {
    id: { type: 'string', primary: true },
    name: { type: 'string' },
    kind: { type: 'string' },
    parentId: { type: 'string', nullable: true },
    jurisdictionPath: { type: 'string' },
    createdAt: { type: 'Date' },
  },
});

/** A bearer token, stored only as its SHA-256, mapping to a person acting for a unit in a role. */
export class AccessTokenEntity {
  tokenHash!: string;
  userId!: string;
  userName!: string;
  unitId!: string;
  role!: string;
  createdAt!: Date;
  revokedAt!: Date | null;
}

export const AccessTokenSchema = new EntitySchema<AccessTokenEntity>({
  class: AccessTokenEntity,
  tableName: 'access_tokens',
  properties: {
    tokenHash: { type: 'string', primary: true },
    userId: { type: 'string' },
    userName: { type: 'string' },
    unitId: { type: 'string' },
    role: { type: 'string' },
    createdAt: { type: 'Date' },
    revokedAt: { type: 'Date', nullable: true },
  },
});

/** A notification in a unit's inbox: the case, why, and by when. */
export class InboxEntity {
  id!: string;
  unitId!: string;
  caseId!: string;
  outboxId!: string;
  reason!: string;
  deadline!: Date | null;
  payload!: Record<string, unknown>;
  createdAt!: Date;
  ackedAt!: Date | null;
  ackedBy!: string | null;
}

export const InboxSchema = new EntitySchema<InboxEntity>({
  class: InboxEntity,
  tableName: 'inbox',
  properties: {
    id: { type: 'uuid', primary: true },
    unitId: { type: 'string' },
    caseId: { type: 'uuid' },
    outboxId: { type: 'uuid' },
    reason: { type: 'text' },
    deadline: { type: 'Date', nullable: true },
    payload: { type: 'json' },
    createdAt: { type: 'Date' },
    ackedAt: { type: 'Date', nullable: true },
    ackedBy: { type: 'string', nullable: true },
  },
});
