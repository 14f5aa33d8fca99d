import { Client } from 'pg';
import { type ChainedHistory, verifyChain } from '#shouhu/engine';
import type { Ack } from './load';

/*
 * The promises of the kernel, checked from the database alone once the load has stopped and the
 * system is quiet: SQL against the chaos run's own PostgreSQL, nothing from the processes' memory.
 */

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface TimerNumbers {
  total: number;
  due: number;
  fired: number;
  cancelled: number;
  stale: number;
  pendingPastDue: number;
  firedTwice: number;
  latenessMs: { p50: number; p99: number; max: number };
}

export interface InvariantReport {
  checks: Check[];
  timers: TimerNumbers;
  history: { rows: number; cases: number; unackedCommitted: number };
  notifications: { outbox: Record<string, number>; inbox: number };
}

const n = (v: unknown) => Number(v ?? 0);

export async function checkInvariants(url: string, acks: readonly Ack[]): Promise<InvariantReport> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const checks: Check[] = [];
    const check = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });
    const one = async (sql: string, params: unknown[] = []) => (await c.query(sql, params)).rows[0] as Record<string, unknown>;

    // 1. Every acknowledged command has exactly one history row: its request id, on its case, at the version answered.
    await c.query(`create temp table acked (request_id text primary key, case_id uuid not null, version int not null, type text not null)`);
    await c.query(`insert into acked select * from unnest($1::text[], $2::uuid[], $3::int[], $4::text[])`, [
      acks.map((a) => a.requestId),
      acks.map((a) => a.caseId),
      acks.map((a) => a.version),
      acks.map((a) => a.type),
    ]);
    // The answer shows the case as read right after the commit: a deadline that fired in between makes it one version later.
    const ack = await one(`
      select count(*) filter (where rows = 1 and same and seq = version) as exact,
             count(*) filter (where rows = 1 and same and seq < version and fired_between) as later_by_deadline,
             count(*) filter (where rows = 0) as missing, count(*) filter (where rows > 1) as doubled,
             count(*) filter (where rows = 1 and not (same and (seq = version or (seq < version and fired_between)))) as elsewhere
      from (select a.request_id, a.version, count(e.seq) as rows, max(e.seq) as seq,
                   coalesce(bool_and(e.case_id = a.case_id and e.event_type = a.type), false) as same,
                   coalesce(bool_and(exists (select 1 from case_events s where s.case_id = a.case_id and s.seq > e.seq and s.seq <= a.version and s.actor_role = 'system')
                                     and not exists (select 1 from case_events s where s.case_id = a.case_id and s.seq > e.seq and s.seq <= a.version and s.actor_role <> 'system')), false) as fired_between
            from acked a left join case_events e on e.request_id = a.request_id and e.actor_role <> 'system'
            group by a.request_id, a.version) x`);
    check(
      'every acknowledged command has exactly one history row (same request id, case and version)',
      n(ack.exact) + n(ack.later_by_deadline) === acks.length,
      `${n(ack.exact)} of ${acks.length} at the version answered, ${n(ack.later_by_deadline)} answered one deadline firing later; ${n(ack.missing)} missing, ${n(ack.doubled)} doubled, ${n(ack.elsewhere)} elsewhere`,
    );
    const unacked = await one(`select count(*) as n from case_events e where e.actor_role <> 'system' and e.request_id like 'chaos-%'
                               and not exists (select 1 from acked a where a.request_id = e.request_id)`);
    const reused = await one(`select count(*) as n from (select request_id from case_events where actor_role <> 'system' and request_id is not null
                              group by request_id having count(*) > 1) x`);
    check('no request id was committed twice', n(reused.n) === 0, `${n(reused.n)} request ids on more than one history row`);

    // 2. Timers: a fired timer has exactly one firing in the history, any other has none; nothing due is left pending.
    const fires = `select (payload->>'timerId')::uuid as timer_id, count(*) as n from case_events
                   where actor_role = 'system' and payload ? 'timerId' group by 1`;
    const t = await one(`
      with f as (${fires})
      select count(*) as total, count(*) filter (where t.due_at <= now()) as due,
             count(*) filter (where t.status = 'fired') as fired, count(*) filter (where t.status = 'cancelled') as cancelled,
             count(*) filter (where t.status = 'stale') as stale,
             count(*) filter (where t.status = 'pending' and t.due_at < now()) as pending_past_due,
             count(*) filter (where t.status = 'fired' and coalesce(f.n, 0) <> 1) as fired_not_once,
             count(*) filter (where f.n > 1) as fired_twice,
             count(*) filter (where t.status <> 'fired' and f.n is not null) as unfired_with_firing
      from timers t left join f on f.timer_id = t.id`);
    const orphanFires = await one(`with f as (${fires}) select count(*) as n from f where not exists (select 1 from timers t where t.id = f.timer_id)`);
    check('every fired timer has exactly one firing in the history', n(t.fired_not_once) === 0 && n(t.fired_twice) === 0 && n(orphanFires.n) === 0,
      `${n(t.fired)} fired; ${n(t.fired_not_once)} without exactly one firing row, ${n(t.fired_twice)} fired twice, ${n(orphanFires.n)} firings of unknown timers`);
    check('cancelled (and stale) timers never fired', n(t.unfired_with_firing) === 0, `${n(t.cancelled)} cancelled, ${n(t.stale)} stale; ${n(t.unfired_with_firing)} of them with a firing row`);
    check('no case is stuck with a pending timer past due', n(t.pending_past_due) === 0, `${n(t.pending_past_due)} pending timers past due`);

    // The acceptance deadline and ACCEPT race for the same state: exactly one of them may leave it.
    const race = await one(`
      select count(*) filter (where t.status = 'fired' and a.n > 0) as both,
             count(*) filter (where t.status = 'cancelled' and coalesce(a.n, 0) <> 1) as cancelled_without_accept,
             count(*) filter (where t.status = 'fired' and coalesce(l.n, 0) <> 1) as fired_but_not_the_leaver
      from timers t
      left join (select case_id, count(*) as n from case_events where from_state = 'awaitingAcceptance' and event_type = 'ACCEPT' group by 1) a on a.case_id = t.case_id
      left join (select case_id, count(*) as n from case_events where from_state = 'awaitingAcceptance' and actor_role = 'system' group by 1) l on l.case_id = t.case_id
      where t.name = 'acceptDeadline'`);
    check(
      'the acceptance deadline fired exactly when ACCEPT did not come first',
      n(race.both) + n(race.cancelled_without_accept) + n(race.fired_but_not_the_leaver) === 0,
      `${n(race.both)} cases left awaitingAcceptance twice, ${n(race.cancelled_without_accept)} deadlines cancelled without an ACCEPT, ${n(race.fired_but_not_the_leaver)} fired deadlines that did not move the case`,
    );
    const late = await one(`select percentile_cont(0.5) within group (order by l) as p50, percentile_cont(0.99) within group (order by l) as p99, max(l) as max
                            from (select extract(epoch from settled_at - due_at) * 1000 as l from timers where status = 'fired') x`);

    // 3. Notifications: every effect done once; one inbox row per recipient; every firing made its notification.
    const outbox: Record<string, number> = {};
    for (const r of (await c.query(`select status, count(*) as n from outbox group by 1`)).rows) outbox[r.status as string] = n(r.n);
    check('every notification effect was carried out (outbox drained, nothing dead-lettered)', (outbox.pending ?? 0) + (outbox.failed ?? 0) === 0,
      `outbox ${JSON.stringify(outbox)}`);
    const inbox = await one(`select count(*) as n, count(distinct (outbox_id, unit_id)) as distinct_n from inbox`);
    const notify = await one(`
      select count(*) filter (where i.n is null) as without_inbox, count(*) filter (where i.n > 1) as more_than_one
      from outbox o left join (select outbox_id, count(*) as n from inbox group by 1) i on i.outbox_id = o.id
      where o.action = 'notify' and o.status = 'done' and jsonb_typeof(o.params->'to') = 'string'`);
    const firingEffects = await one(`
      select count(*) filter (where coalesce(o.n, 0) <> 1) as bad from case_events e
      left join (select case_id, seq, count(*) as n from outbox group by 1, 2) o on o.case_id = e.case_id and o.seq = e.seq
      where e.actor_role = 'system' and e.payload ? 'timerId' and e.to_state = 'overdue'`);
    check('every notification exists exactly once', n(inbox.n) === n(inbox.distinct_n) && n(notify.without_inbox) === 0 && n(notify.more_than_one) === 0 && n(firingEffects.bad) === 0,
      `${n(inbox.n)} inbox rows (${n(inbox.n) - n(inbox.distinct_n)} duplicates); ${n(notify.without_inbox)} notify effects without an inbox row, ${n(notify.more_than_one)} with several; ${n(firingEffects.bad)} firings without exactly one effect`);

    // 4. Every case's history hash chain verifies, and the case head points at its last row.
    const heads = new Map<string, { lastSeq: number; lastHash: string | null; version: number }>();
    for (const r of (await c.query(`select id, last_seq, last_hash, version from cases`)).rows) heads.set(r.id, { lastSeq: r.last_seq, lastHash: r.last_hash, version: r.version });
    const rows = (await c.query(`select * from case_events order by case_id, seq`)).rows as Record<string, unknown>[];
    let broken = 0;
    let headMismatch = 0;
    const firstBroken: string[] = [];
    const byCase = new Map<string, ChainedHistory[]>();
    for (const r of rows) {
      const id = r.case_id as string;
      let list = byCase.get(id);
      if (!list) byCase.set(id, (list = []));
      list.push({
        caseId: id, seq: r.seq as number, eventType: r.event_type as string, payload: r.payload, actorUserId: r.actor_user_id as string,
        actorUnitId: r.actor_unit_id as string, actorRole: r.actor_role as string, fromState: r.from_state as string | null, toState: r.to_state as string,
        at: r.at as string, requestId: r.request_id as string | null, prevHash: r.prev_hash as string | null, hash: r.hash as string,
      });
    }
    for (const [id, head] of heads) {
      const list = byCase.get(id) ?? [];
      const v = verifyChain(list);
      if (!v.valid) {
        broken++;
        if (firstBroken.length < 3) firstBroken.push(`${id} at seq ${v.brokenAtSeq}: ${v.reason}`);
      } else if (list.length !== head.lastSeq || list.at(-1)?.hash !== head.lastHash || head.version !== head.lastSeq) {
        headMismatch++;
      }
    }
    check('every case history hash chain verifies', broken === 0 && headMismatch === 0 && byCase.size <= heads.size,
      `${heads.size} cases, ${rows.length} rows; ${broken} broken chains, ${headMismatch} heads not at their last row${firstBroken.length ? ` (${firstBroken.join('; ')})` : ''}`);

    return {
      checks,
      timers: {
        total: n(t.total), due: n(t.due), fired: n(t.fired), cancelled: n(t.cancelled), stale: n(t.stale), pendingPastDue: n(t.pending_past_due),
        firedTwice: n(t.fired_twice), latenessMs: { p50: Math.round(n(late.p50)), p99: Math.round(n(late.p99)), max: Math.round(n(late.max)) },
      },
      history: { rows: rows.length, cases: heads.size, unackedCommitted: n(unacked.n) },
      notifications: { outbox, inbox: n(inbox.n) },
    };
  } finally {
    await c.end();
  }
}

/** Quiet: no pending timer past due and no pending outbox row, twice in a row; false if `limitMs` passes first. */
export async function waitQuiet(url: string, limitMs: number): Promise<{ quiet: boolean; ms: number; last: string }> {
  const start = Date.now();
  let calm = 0;
  let last = '';
  while (Date.now() - start < limitMs) {
    const c = new Client({ connectionString: url });
    try {
      await c.connect();
      const r = (await c.query(`select (select count(*) from timers where status = 'pending' and due_at < now()) as timers,
                                        (select count(*) from outbox where status = 'pending') as outbox`)).rows[0] as { timers: string; outbox: string };
      last = `${r.timers} pending timers past due, ${r.outbox} pending effects`;
      calm = Number(r.timers) + Number(r.outbox) === 0 ? calm + 1 : 0;
      if (calm >= 2) return { quiet: true, ms: Date.now() - start, last };
    } catch (err) {
      last = String(err);
    } finally {
      await c.end().catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  return { quiet: false, ms: Date.now() - start, last };
}
