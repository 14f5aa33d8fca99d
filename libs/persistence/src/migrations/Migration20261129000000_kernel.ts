import { Migration } from '@mikro-orm/migrations';

/** The kernel: units and tokens, cases with their append-only history, timers, outbox, inbox. */
export class Migration20261129000000_kernel extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table units (
        id text primary key,
        name text not null,
        kind text not null,
        parent_id text null references units(id),
        jurisdiction_path text not null,
        created_at timestamptz not null default now()
      );
      create index units_jurisdiction_idx on units (jurisdiction_path);

      create table access_tokens (
        token_hash text primary key,
        user_id text not null,
        user_name text not null,
        unit_id text not null references units(id),
        role text not null,
        created_at timestamptz not null default now(),
        revoked_at timestamptz null
      );

      create table cases (
        id uuid primary key,
        type text not null,
        machine_id text not null,
        machine_version int not null,
        policy_version text not null,
        owner_unit_id text not null references units(id),
        jurisdiction_path text not null,
        subject jsonb not null,
        data jsonb not null,
        snapshot jsonb not null,
        state_value jsonb not null,
        state text not null,
        status text not null check (status in ('active', 'done')),
        version int not null check (version >= 1),
        last_seq int not null,
        last_hash text null,
        created_by text not null,
        created_at timestamptz not null,
        updated_at timestamptz not null
      );
      create index cases_jurisdiction_idx on cases (jurisdiction_path text_pattern_ops);
      create index cases_type_state_idx on cases (type, state);
      create index cases_owner_idx on cases (owner_unit_id);

      create table case_events (
        case_id uuid not null references cases(id),
        seq int not null,
        event_type text not null,
        payload jsonb not null,
        actor_user_id text not null,
        actor_unit_id text not null,
        actor_role text not null,
        from_state text null,
        to_state text not null,
        at text not null,
        request_id text null,
        prev_hash text null,
        hash text not null,
        primary key (case_id, seq)
      );

      -- History is append-only: the database itself refuses to change or remove a row.
      create function case_events_append_only() returns trigger language plpgsql as $$
      begin
        raise exception 'case_events is append-only';
      end;
      $$;
      create trigger case_events_no_update before update or delete on case_events
        for each row execute function case_events_append_only();
      create trigger case_events_no_truncate before truncate on case_events
        for each statement execute function case_events_append_only();

      create table timers (
        id uuid primary key,
        case_id uuid not null references cases(id),
        send_id text not null,
        name text not null,
        event jsonb not null,
        due_at timestamptz not null,
        status text not null check (status in ('pending', 'fired', 'cancelled', 'stale')),
        created_seq int not null,
        created_at timestamptz not null,
        settled_at timestamptz null
      );
      create index timers_pending_due_idx on timers (due_at) where status = 'pending';
      create index timers_case_pending_idx on timers (case_id, send_id) where status = 'pending';

      create table outbox (
        id uuid primary key,
        case_id uuid not null references cases(id),
        seq int not null,
        action text not null,
        params jsonb not null,
        meta jsonb not null,
        status text not null check (status in ('pending', 'done', 'failed')),
        attempts int not null default 0,
        last_error text null,
        request_id text null,
        created_at timestamptz not null,
        done_at timestamptz null
      );
      create index outbox_pending_idx on outbox (created_at) where status = 'pending';
      create index outbox_case_idx on outbox (case_id, seq);

      create table inbox (
        id uuid primary key,
        unit_id text not null references units(id),
        case_id uuid not null references cases(id),
        outbox_id uuid not null references outbox(id),
        reason text not null,
        deadline timestamptz null,
        payload jsonb not null,
        created_at timestamptz not null,
        acked_at timestamptz null,
        acked_by text null,
        unique (outbox_id, unit_id)
      );
      create index inbox_unit_idx on inbox (unit_id, created_at desc);
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      drop table inbox; drop table outbox; drop table timers;
      drop trigger case_events_no_update on case_events; drop trigger case_events_no_truncate on case_events; drop function case_events_append_only();
      drop table case_events; drop table cases; drop table access_tokens; drop table units;
    `);
  }
}
