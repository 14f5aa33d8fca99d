import { type Clock, NotFoundError } from '#shouhu/engine';
import type { Database } from '#shouhu/persistence';
import { daysBetween, localDate, monthPeriod, type Period, quarterPeriod } from './dates';
import { toMarkdown } from './report-markdown';
import type { DropoutCaseItem, MonthlySchoolReport, QuarterlyRecheckReport, ReportPeriod, TownshipRecheck } from './report-types';

export type { DropoutCaseItem, MonthlySchoolReport, QuarterlyRecheckReport, ReportPeriod, TownshipRecheck } from './report-types';

export const DROPOUT_CASE_TYPE = 'dropout-return';


type Move = { back: boolean; date: string };
type CaseRecord = Omit<DropoutCaseItem, 'since' | 'returnDate' | 'daysOut'> & { since: string; openedAt: string; closedOn: string | null; moves: Move[] };
type Raw = Record<string, string | null>;

const DAY_OF = (v: string) => `case
    when ${v} ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' then (${v})::date
    when ${v} ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' then ((${v})::timestamptz at time zone 'Asia/Shanghai')::date
    else (e.at::timestamptz at time zone 'Asia/Shanghai')::date end`;

/*
 * Every dropout-return case, with its returns and relapses from history in order ('R:' a
 * CHILD_RETURNED row's returnDate, 'X:' a RELAPSE row's date; a date or an instant, else the row's
 * own time, as a day in Asia/Shanghai) and the day it was closed.
 */
const CASES_SQL = `
  select c.id, c.state, c.subject->>'childId' as child_id, c.subject->>'name' as child_name,
         c.subject->>'township' as township, c.subject->>'village' as village,
         coalesce(c.subject->>'school', c.owner_unit_id) as school_id, su.name as school_name,
         c.data->>'since' as since, c.data->>'consecutiveDays' as consecutive_days,
         to_char(c.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as opened_at,
         ((c.created_at at time zone 'Asia/Shanghai')::date)::text as opened_on,
         mv.moves, closed.closed_on
    from cases c
    left join units su on su.id = coalesce(c.subject->>'school', c.owner_unit_id)
    left join lateral (
      select string_agg(case when e.event_type = 'CHILD_RETURNED' then 'R:' else 'X:' end
                        || (${DAY_OF(`coalesce(e.payload->>'returnDate', e.payload->>'date')`)})::text, ',' order by e.seq) as moves
        from case_events e where e.case_id = c.id and e.event_type in ('CHILD_RETURNED', 'RELAPSE')
    ) mv on true
    left join lateral (
      select min((e.at::timestamptz at time zone 'Asia/Shanghai')::date)::text as closed_on
        from case_events e where e.case_id = c.id and e.to_state = 'closed'
    ) closed on true
   where c.type = '${DROPOUT_CASE_TYPE}'`;

/** Monthly school reports and the county's quarterly re-check of dropouts, from the cases themselves. */
export class SchoolReports {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  async monthly(schoolUnitId: string, month: string): Promise<MonthlySchoolReport> {
    const p = monthPeriod(month);
    const em = this.db.em();
    const [school] = await em.execute<{ id: string; name: string }[]>('select id, name from units where id = ?', [schoolUnitId]);
    if (!school) throw new NotFoundError('unit', schoolUnitId);
    const raw = await em.execute<Raw[]>(
      `select * from (${CASES_SQL} and (c.subject->>'school' = ? or c.owner_unit_id = ?) and c.created_at < ?::timestamptz) x
        where closed_on is null or closed_on >= ?`,
      [schoolUnitId, schoolUnitId, p.endAt.toISOString(), p.start],
    );
    const asOf = this.asOf(p);
    const cases = raw.map(record).sort(byDate);
    const newDropouts = cases.filter((c) => c.openedAt >= p.startAt.toISOString() && c.openedAt < p.endAt.toISOString()).map((c) => asOpened(c, asOf));
    const returned = cases.flatMap((c) => backIn(c, p));
    const stillOut = cases.flatMap((c) => outAt(c, p, asOf));
    return {
      kind: 'monthly',
      school: { id: school.id, name: school.name },
      month,
      period: { start: p.start, end: p.last, asOf },
      newDropouts,
      returned,
      stillOut,
      totals: { newDropouts: newDropouts.length, returned: returned.length, stillOut: stillOut.length },
    };
  }

  async quarterlyRecheck(countyPath: string, quarter: string): Promise<QuarterlyRecheckReport> {
    const p = quarterPeriod(quarter);
    const raw = await this.db.em().execute<Raw[]>(
      `select * from (${CASES_SQL} and (c.jurisdiction_path = ? or c.jurisdiction_path like ? escape '\\') and c.created_at < ?::timestamptz) x
        where closed_on is null or closed_on >= ?`,
      [countyPath, `${countyPath.replace(/[\\%_]/g, (ch) => `\\${ch}`)}/%`, p.endAt.toISOString(), p.start],
    );
    const asOf = this.asOf(p);
    const byTownship = new Map<string, TownshipRecheck>();
    let stillOut = 0;
    let returned = 0;
    for (const c of raw.map(record).sort(byDate)) {
      // Out at the quarter's end wins: a child back and gone again during the quarter is still out.
      const out = outAt(c, p, asOf);
      const back = out.length > 0 ? [] : backIn(c, p).slice(-1);
      if (out.length === 0 && back.length === 0) continue;
      const group = byTownship.get(c.township) ?? { township: c.township, stillOut: [], returned: [] };
      byTownship.set(c.township, group);
      group.stillOut.push(...out);
      group.returned.push(...back);
      stillOut += out.length;
      returned += back.length;
    }
    const townships = [...byTownship.values()].sort((a, b) => a.township.localeCompare(b.township));
    return { kind: 'quarterlyRecheck', countyPath, quarter, period: { start: p.start, end: p.last, asOf }, townships, totals: { stillOut, returned } };
  }

  /** The report as Markdown (see `toMarkdown`). */
  toMarkdown(report: MonthlySchoolReport | QuarterlyRecheckReport): string {
    return toMarkdown(report);
  }

  private asOf(p: Period): string {
    const today = localDate(this.clock.now());
    return today < p.last ? today : p.last;
  }
}

/** Still out at the period's end: opened, not struck off, and the last return (if any) undone by a relapse. */
function outAt(c: CaseRecord, p: Period, asOf: string): DropoutCaseItem[] {
  const moves = c.moves.filter((m) => m.date < p.end);
  if (moves.at(-1)?.back || (c.closedOn !== null && c.closedOn < p.end)) return [];
  const since = moves.at(-1)?.date ?? c.since;
  return [item(c, since, null, asOf)];
}

/** One entry per return during the period, each with the absence it ended. */
function backIn(c: CaseRecord, p: Period): DropoutCaseItem[] {
  return c.moves.flatMap((m, i) => {
    if (!m.back || m.date < p.start || m.date >= p.end) return [];
    const relapse = c.moves.slice(0, i).reverse().find((x) => !x.back);
    return [item(c, relapse?.date ?? c.since, m.date, m.date)];
  });
}

function asOpened(c: CaseRecord, asOf: string): DropoutCaseItem {
  const firstBack = c.moves.find((m) => m.back && m.date <= asOf);
  return item(c, c.since, firstBack?.date ?? null, firstBack?.date ?? asOf);
}

function item({ openedAt: _o, closedOn: _c, moves: _m, since: _s, ...c }: CaseRecord, since: string, returnDate: string | null, to: string): DropoutCaseItem {
  return { ...c, since, returnDate, daysOut: daysBetween(since, to) };
}

function record(r: Raw): CaseRecord {
  const since = r.since && /^\d{4}-\d{2}-\d{2}/.test(r.since) ? r.since.slice(0, 10) : r.opened_on!;
  const days = r.consecutive_days === null ? NaN : Number(r.consecutive_days);
  const moves = (r.moves ?? '').split(',').filter(Boolean).map((m) => ({ back: m.startsWith('R:'), date: m.slice(2) }));
  return {
    caseId: r.id!,
    childId: r.child_id ?? '',
    childName: r.child_name,
    township: r.township ?? '',
    village: r.village,
    school: { id: r.school_id!, name: r.school_name },
    since,
    consecutiveDays: Number.isFinite(days) ? days : null,
    openedOn: r.opened_on!,
    state: r.state!,
    openedAt: r.opened_at!,
    closedOn: r.closed_on,
    moves,
  };
}

/** Longest out first: by the first day of absence, then the child. */
function byDate(a: CaseRecord, b: CaseRecord): number {
  return a.since.localeCompare(b.since) || a.childId.localeCompare(b.childId) || a.caseId.localeCompare(b.caseId);
}
