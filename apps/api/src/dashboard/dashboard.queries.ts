import { Inject, Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import type { Actor, Clock } from '#shouhu/engine';
import { Database } from '#shouhu/persistence';
import { CLOCK } from '#shouhu/runtime';

const ZONE = 'Asia/Shanghai';

export interface OpenCasesRow { type: string; township: string; count: number }
export interface OverdueRow { unitId: string; unitName: string; unitKind: string; cases: number }
export interface EscalationRow { chain: string; count: number }
export interface QuarterlyReturnRow { quarter: string; township: string; state: string; status: 'onTime' | 'late' | 'overdue' | 'pending'; filedAt: string | null }
export interface QuarterSummary { quarter: string; onTime: number; late: number; overdue: number; pending: number }

/** The joint-meeting office's county picture, always inside the caller's jurisdiction. */
export interface Dashboard {
  scope: string;
  generatedAt: string;
  month: string;
  openCases: OpenCasesRow[];
  overdueByUnit: OverdueRow[];
  escalations: { month: string; total: number; byChain: EscalationRow[] };
  quarterlyReturns: { quarters: QuarterSummary[]; rows: QuarterlyReturnRow[] };
}

/** `(cases c)` inside an area: the area itself and everything under it; '' is the whole installation. */
function scopeOf(actor: Actor): { sql: string; params: unknown[] } {
  if (actor.jurisdictionPath === '') return { sql: 'true', params: [] };
  const like = `${actor.jurisdictionPath.replace(/[\\%_]/g, (c) => `\\${c}`)}/%`;
  return { sql: '(c.jurisdiction_path = ? or c.jurisdiction_path like ?)', params: [actor.jurisdictionPath, like] };
}

const township = `coalesce(nullif(split_part(c.jurisdiction_path, '/', 2), ''), '')`;

/**
 * The dashboard's figures, each one SQL statement over the case tables (PostgreSQL is the truth):
 * - open cases: active cases per case type and township;
 * - overdue work: active cases in one of their machine's overdue states, or holding a deadline already
 *   past, per owning unit;
 * - escalations: escalation notices (notify effects carrying a chain and step) written this calendar
 *   month (Asia/Shanghai), one per escalation event and chain;
 * - quarterly returns: each township's return per quarter, filed on time, late, overdue, or pending.
 */
@Injectable()
export class DashboardQueries {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async dashboard(actor: Actor): Promise<Dashboard> {
    const now = this.clock.now();
    const monthStart = DateTime.fromJSDate(now, { zone: ZONE }).startOf('month');
    const [openCases, overdueByUnit, byChain, rows] = await Promise.all([
      this.openCases(actor),
      this.overdueByUnit(actor, now),
      this.escalations(actor, monthStart.toJSDate(), monthStart.plus({ months: 1 }).toJSDate()),
      this.quarterlyReturns(actor),
    ]);
    return {
      scope: actor.jurisdictionPath,
      generatedAt: DateTime.fromJSDate(now, { zone: ZONE }).toISO()!,
      month: monthStart.toFormat('yyyy-MM'),
      openCases,
      overdueByUnit,
      escalations: { month: monthStart.toFormat('yyyy-MM'), total: byChain.reduce((n, r) => n + r.count, 0), byChain },
      quarterlyReturns: { quarters: summarise(rows), rows },
    };
  }

  private async openCases(actor: Actor): Promise<OpenCasesRow[]> {
    const scope = scopeOf(actor);
    const rows = await this.db.em().execute<{ type: string; township: string; n: number }[]>(
      `select c.type, ${township} as township, count(*)::int as n
         from cases c
        where c.status = 'active' and ${scope.sql}
        group by 1, 2 order by 1, 2`,
      scope.params,
    );
    return rows.map((r) => ({ type: r.type, township: r.township, count: Number(r.n) }));
  }

  private async overdueByUnit(actor: Actor, now: Date): Promise<OverdueRow[]> {
    const scope = scopeOf(actor);
    const rows = await this.db.em().execute<{ unit_id: string; name: string | null; kind: string | null; n: number }[]>(
      `select c.owner_unit_id as unit_id, u.name, u.kind, count(*)::int as n
         from cases c
         left join units u on u.id = c.owner_unit_id
        where c.status = 'active' and ${scope.sql}
          and (c.state ilike '%overdue%'
               or exists (select 1 from timers t where t.case_id = c.id and t.status = 'pending' and t.due_at <= ?))
        group by 1, 2, 3 order by n desc, unit_id`,
      [...scope.params, now],
    );
    return rows.map((r) => ({ unitId: r.unit_id, unitName: r.name ?? r.unit_id, unitKind: r.kind ?? '', cases: Number(r.n) }));
  }

  private async escalations(actor: Actor, from: Date, until: Date): Promise<EscalationRow[]> {
    const scope = scopeOf(actor);
    const rows = await this.db.em().execute<{ chain: string; n: number }[]>(
      `select o.params->'escalation'->>'chain' as chain, count(distinct (o.case_id, o.seq))::int as n
         from outbox o
         join cases c on c.id = o.case_id
        where o.action = 'notify' and o.params->'escalation'->>'chain' is not null
          and o.created_at >= ? and o.created_at < ? and ${scope.sql}
        group by 1 order by 1`,
      [from, until, ...scope.params],
    );
    return rows.map((r) => ({ chain: r.chain, count: Number(r.n) }));
  }

  private async quarterlyReturns(actor: Actor): Promise<QuarterlyReturnRow[]> {
    const scope = scopeOf(actor);
    const rows = await this.db.em().execute<{ quarter: string; township: string; state: string; late: string | null; filed_at: string | null }[]>(
      `select c.data->>'quarter' as quarter,
              coalesce(c.subject->>'township', ${township}) as township,
              c.state,
              c.snapshot->'context'->'filed'->>'late' as late,
              c.snapshot->'context'->'filed'->>'at' as filed_at
         from cases c
        where c.type = 'quarterly-return' and ${scope.sql}
          and c.data->>'quarter' in (
            select distinct c2.data->>'quarter' from cases c2 where c2.type = 'quarterly-return' order by 1 desc limit 8)
        order by 1 desc, 2`,
      scope.params,
    );
    return rows.map((r) => ({
      quarter: r.quarter,
      township: r.township,
      state: r.state,
      status: r.filed_at ? (r.late === 'true' ? 'late' : 'onTime') : r.state === 'overdue' ? 'overdue' : 'pending',
      filedAt: r.filed_at,
    }));
  }
}

function summarise(rows: readonly QuarterlyReturnRow[]): QuarterSummary[] {
  const by = new Map<string, QuarterSummary>();
  for (const r of rows) {
    const s = by.get(r.quarter) ?? { quarter: r.quarter, onTime: 0, late: 0, overdue: 0, pending: 0 };
    s[r.status] += 1;
    by.set(r.quarter, s);
  }
  return [...by.values()];
}
