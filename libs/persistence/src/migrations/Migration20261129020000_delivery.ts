import { Migration } from '@mikro-orm/migrations';

/** Unit channels (webhook, e-mail) and the delivery record of every notification sent through them. */
export class Migration20261129020000_delivery extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table unit_channels (
        id uuid primary key,
        unit_id text not null references units(id),
        kind text not null check (kind in ('webhook', 'email')),
        target text not null,
        secret text null,
        active boolean not null default true,
        created_at timestamptz not null default now(),
        unique (unit_id, kind, target),
        check (kind <> 'webhook' or secret is not null)
      );
      create index unit_channels_active_idx on unit_channels (unit_id) where active;

      create table deliveries (
        id uuid primary key,
        outbox_id uuid not null references outbox(id),
        case_id uuid not null references cases(id),
        unit_id text not null references units(id),
        channel_id uuid not null references unit_channels(id),
        kind text not null check (kind in ('webhook', 'email')),
        status text not null check (status in ('pending', 'delivered', 'dead')),
        attempts int not null default 0,
        last_error text null,
        last_status_code int null,
        created_at timestamptz not null,
        last_attempt_at timestamptz null,
        delivered_at timestamptz null,
        unique (outbox_id, channel_id)
      );
      create index deliveries_case_idx on deliveries (case_id, created_at);
      create index deliveries_pending_idx on deliveries (created_at) where status = 'pending';
      create index deliveries_dead_idx on deliveries (last_attempt_at desc) where status = 'dead';
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table deliveries; drop table unit_channels;`);
  }
}
