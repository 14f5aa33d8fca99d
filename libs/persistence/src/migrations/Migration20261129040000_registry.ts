import { Migration } from '@mikro-orm/migrations';

/**
 * The registry (4.1, 4.2.2): one file per child (一人一档案), every change versioned, reads of a full
 * (unmasked) file logged, and likely duplicates flagged for a person to merge or dismiss.
 */
export class Migration20261129040000_registry extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table children (
        child_id text primary key,
        id_number text null unique,
        name text not null,
        birth_date date not null,
        sex text not null check (sex in ('male', 'female')),
        ethnicity text not null,
        household_registration text not null,
        address text not null,
        township text not null,
        village text not null,
        school text null,
        class_name text null,
        boarding boolean not null default false,
        health text not null,
        disability text null,
        parents jsonb not null default '[]'::jsonb,
        entrusted_guardian jsonb null,
        contact_person jsonb null,
        child_director text null,
        living text not null check (living in ('with-parent', 'with-entrusted-guardian', 'alone', 'unattended')),
        key_child boolean not null default false,
        merged_into text null references children(child_id),
        version integer not null default 1,
        created_at timestamptz not null,
        updated_at timestamptz not null,
        updated_by text not null
      );
      create index children_area_idx on children (township, village, name) where merged_into is null;
      create index children_birth_idx on children (township, birth_date) where merged_into is null;

      create table child_versions (
        child_id text not null references children(child_id),
        version integer not null,
        changed_by text not null,
        changed_at timestamptz not null,
        changes jsonb not null,
        snapshot jsonb not null,
        primary key (child_id, version)
      );

      create table child_file_reads (
        id uuid primary key,
        child_id text not null references children(child_id),
        user_id text not null,
        unit_id text not null,
        role text not null,
        at timestamptz not null
      );
      create index child_file_reads_child_idx on child_file_reads (child_id, at desc);

      create table duplicate_flags (
        id uuid primary key,
        child_id text not null references children(child_id),
        other_child_id text not null references children(child_id),
        reason text not null check (reason in ('same-name-birth-township', 'similar-name')),
        status text not null default 'open' check (status in ('open', 'merged', 'dismissed')),
        created_at timestamptz not null,
        resolved_by text null,
        resolved_at timestamptz null,
        check (child_id <> other_child_id),
        check ((status = 'open') = (resolved_at is null))
      );
      create index duplicate_flags_open_idx on duplicate_flags (child_id, other_child_id) where status = 'open';
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table duplicate_flags; drop table child_file_reads; drop table child_versions; drop table children;`);
  }
}
