import { Migration } from '@mikro-orm/migrations';

/**
 * Registry imports as jobs (issue 5): the uploaded census file (CSV or XLSX) and its status, kept in
 * PostgreSQL so a lost Redis job is re-run from here. `processed` moves per chunk outside the import's
 * transaction; the files themselves and `done` are committed together.
 */
export class Migration20261129050000_registry_import extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table registry_import (
        id uuid primary key,
        status text not null check (status in ('queued', 'validating', 'importing', 'done', 'rejected', 'failed')),
        format text not null check (format in ('csv', 'xlsx')),
        township text not null,
        jurisdiction_path text not null,
        actor jsonb not null,
        request_id text null,
        content bytea not null,
        total integer not null default 0,
        processed integer not null default 0,
        imported integer not null default 0,
        errors jsonb not null default '[]'::jsonb,
        result jsonb null,
        failure text null,
        created_at timestamptz not null,
        updated_at timestamptz not null,
        finished_at timestamptz null,
        check ((status in ('done', 'rejected', 'failed')) = (finished_at is not null))
      );
      create index registry_import_unfinished_idx on registry_import (created_at) where status in ('queued', 'validating', 'importing');
    `);
  }

  override async down(): Promise<void> {
    this.addSql('drop table registry_import;');
  }
}
