import { EntitySchema } from '@mikro-orm/core';

/*
 * The registry: one file per child (一人一档案). The schema is owned by
 * Migration20261129040000_registry; `libs/registry` writes and reads it with plain SQL.
 */

export class ChildEntity {
  childId!: string;
  idNumber!: string | null;
  name!: string;
  /** `YYYY-MM-DD`. */
  birthDate!: string;
  sex!: string;
  ethnicity!: string;
  householdRegistration!: string;
  address!: string;
  township!: string;
  village!: string;
  school!: string | null;
  className!: string | null;
  boarding!: boolean;
  health!: string;
  disability!: string | null;
  parents!: unknown[];
  entrustedGuardian!: Record<string, unknown> | null;
  contactPerson!: Record<string, unknown> | null;
  childDirector!: string | null;
  living!: string;
  keyChild!: boolean;
  /** Set when this file was merged into another: it no longer lists. */
  mergedInto!: string | null;
  version!: number;
  createdAt!: Date;
  updatedAt!: Date;
  updatedBy!: string;
}

export const ChildSchema = new EntitySchema<ChildEntity>({
  class: ChildEntity,
  tableName: 'children',
  properties: {
    childId: { type: 'string', primary: true },
    idNumber: { type: 'string', nullable: true, unique: true },
    name: { type: 'string' },
    birthDate: { type: 'string', columnType: 'date' },
    sex: { type: 'string' },
    ethnicity: { type: 'string' },
    householdRegistration: { type: 'string' },
    address: { type: 'string' },
    township: { type: 'string' },
    village: { type: 'string' },
    school: { type: 'string', nullable: true },
    className: { type: 'string', nullable: true },
    boarding: { type: 'boolean' },
    health: { type: 'text' },
    disability: { type: 'text', nullable: true },
    parents: { type: 'json' },
    entrustedGuardian: { type: 'json', nullable: true },
    contactPerson: { type: 'json', nullable: true },
    childDirector: { type: 'string', nullable: true },
    living: { type: 'string' },
    keyChild: { type: 'boolean' },
    mergedInto: { type: 'string', nullable: true },
    version: { type: 'integer' },
    createdAt: { type: 'Date' },
    updatedAt: { type: 'Date' },
    updatedBy: { type: 'string' },
  },
});

export class ChildVersionEntity {
  childId!: string;
  version!: number;
  changedBy!: string;
  changedAt!: Date;
  changes!: Record<string, { from: unknown; to: unknown }>;
  snapshot!: Record<string, unknown>;
}

export const ChildVersionSchema = new EntitySchema<ChildVersionEntity>({
  class: ChildVersionEntity,
  tableName: 'child_versions',
  properties: {
    childId: { type: 'string', primary: true },
    version: { type: 'integer', primary: true },
    changedBy: { type: 'string' },
    changedAt: { type: 'Date' },
    changes: { type: 'json' },
    snapshot: { type: 'json' },
  },
});

export class ChildFileReadEntity {
  id!: string;
  childId!: string;
  userId!: string;
  unitId!: string;
  role!: string;
  at!: Date;
}

export const ChildFileReadSchema = new EntitySchema<ChildFileReadEntity>({
  class: ChildFileReadEntity,
  tableName: 'child_file_reads',
  properties: {
    id: { type: 'uuid', primary: true },
    childId: { type: 'string' },
    userId: { type: 'string' },
    unitId: { type: 'string' },
    role: { type: 'string' },
    at: { type: 'Date' },
  },
});

export class DuplicateFlagEntity {
  id!: string;
  childId!: string;
  otherChildId!: string;
  reason!: 'same-name-birth-township' | 'similar-name';
  status!: 'open' | 'merged' | 'dismissed';
  createdAt!: Date;
  resolvedBy!: string | null;
  resolvedAt!: Date | null;
}

export const DuplicateFlagSchema = new EntitySchema<DuplicateFlagEntity>({
  class: DuplicateFlagEntity,
  tableName: 'duplicate_flags',
  properties: {
    id: { type: 'uuid', primary: true },
    childId: { type: 'string' },
    otherChildId: { type: 'string' },
    reason: { type: 'string' },
    status: { type: 'string' },
    createdAt: { type: 'Date' },
    resolvedBy: { type: 'string', nullable: true },
    resolvedAt: { type: 'Date', nullable: true },
  },
});
