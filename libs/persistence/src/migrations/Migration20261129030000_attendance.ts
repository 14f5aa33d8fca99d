import { Migration } from '@mikro-orm/migrations';

/**
 * School attendance (4.2.3): one row per child and school day, as the school records it. An
 * unexplained absence is an 'absent' row; a run of them is how a dropout is found.
 */
export class Migration20261129030000_attendance extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table attendance (
        id uuid primary key,
        school_unit_id text not null references units(id),
        child_id text not null,
        child_name text not null,
        township text not null,
        village text null,
        class_name text null,
        date date not null,
        status text not null check (status in ('present', 'absent', 'excused')),
        reason text null,
        recorded_by text not null,
        created_at timestamptz not null default now(),
        unique (child_id, date),
        check (status <> 'excused' or reason is not null)
      );
      create index attendance_school_child_idx on attendance (school_unit_id, child_id, date desc);
      create index attendance_school_date_idx on attendance (school_unit_id, date);
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table attendance;`);
  }
}
