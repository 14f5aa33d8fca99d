import { EntitySchema } from '@mikro-orm/core';

/*
 * One attendance record: a child on a school day, as the school recorded it. The schema is owned by
 * Migration20261129030000_attendance; `libs/schools` writes and reads it with plain SQL.
 */

export type AttendanceStatus = 'present' | 'absent' | 'excused';

export class AttendanceEntity {
  id!: string;
  schoolUnitId!: string;
  childId!: string;
  childName!: string;
  /** Township code, e.g. `maluguo`. */
  township!: string;
  village!: string | null;
  className!: string | null;
  /** The school day, `YYYY-MM-DD` (a calendar date in Asia/Shanghai). */
  date!: string;
  status!: AttendanceStatus;
  /** Required when excused (the leave's reason); optional otherwise. */
  reason!: string | null;
  recordedBy!: string;
  createdAt!: Date;
}

export const AttendanceSchema = new EntitySchema<AttendanceEntity>({
  class: AttendanceEntity,
  tableName: 'attendance',
  properties: {
    id: { type: 'uuid', primary: true },
    schoolUnitId: { type: 'string' },
    childId: { type: 'string' },
    childName: { type: 'string' },
    township: { type: 'string' },
    village: { type: 'string', nullable: true },
    className: { type: 'string', nullable: true },
    date: { type: 'string', columnType: 'date' },
    status: { type: 'string' },
    reason: { type: 'text', nullable: true },
    recordedBy: { type: 'string' },
    createdAt: { type: 'Date' },
  },
});
