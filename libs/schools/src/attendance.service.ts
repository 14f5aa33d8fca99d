import { randomUUID } from 'node:crypto';
import { BadRequestError, type Clock, NotFoundError } from '#shouhu/engine';
import type { Database } from '#shouhu/persistence';
import { type AttendanceRow, duplicateErrors, normaliseRow, parseAttendanceCsv, type RowError, validateRow } from './attendance.rows';
import { localDate } from './dates';

export interface AttendanceOptions {
  /** Consecutive unexplained school days that make a dropout (the policy's `school.dropoutAfterSchoolDays`). */
  dropoutAfterSchoolDays: number;
}

export interface UnexplainedAbsence {
  childId: string;
  childName: string;
  township: string;
  village: string | null;
  className: string | null;
  date: string;
}

export interface DropoutFinding {
  childId: string;
  childName: string;
  township: string;
  village: string | null;
  /** Consecutive unexplained school days up to the child's latest recorded day. */
  consecutiveDays: number;
  /** The first day of that run, `YYYY-MM-DD`. */
  since: string;
  /** The child's latest recorded day at this school. */
  lastDate: string;
}

export interface AttendanceResult {
  recorded: number;
  unexplainedAbsences: UnexplainedAbsence[];
  dropouts: DropoutFinding[];
}

/** The most rows one submission may carry (a county school's term, many times over). */
export const MAX_ATTENDANCE_ROWS = 20_000;

/** Rows per INSERT statement (11 parameters each, far under PostgreSQL's 65535). */
const CHUNK = 500;

/**
 * A school's attendance: all rows are checked first and nothing is written if any is bad; then all
 * are upserted in one transaction, and the children of the batch are checked for a dropout run.
 */
export class AttendanceService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly options: AttendanceOptions,
  ) {
    if (!Number.isInteger(options.dropoutAfterSchoolDays) || options.dropoutAfterSchoolDays < 1) {
      throw new Error('dropoutAfterSchoolDays must be a positive whole number');
    }
  }

  /** Parses a CSV (see `parseAttendanceCsv`) and records it; any bad row → `BadRequestError`, nothing written. */
  async importCsv(schoolUnitId: string, text: string, actorUserId: string): Promise<AttendanceResult> {
    const { rows, errors } = parseAttendanceCsv(text);
    if (errors.length > 0) throw invalid(errors);
    return this.record(schoolUnitId, rows, actorUserId);
  }

  async record(schoolUnitId: string, rows: readonly AttendanceRow[], actorUserId: string): Promise<AttendanceResult> {
    if (!Array.isArray(rows) || rows.length === 0) throw invalid([{ row: 0, field: 'rows', message: 'no attendance rows were given' }]);
    if (rows.length > MAX_ATTENDANCE_ROWS) throw invalid([{ row: 0, field: 'rows', message: `at most ${MAX_ATTENDANCE_ROWS} rows at once` }]);
    const today = localDate(this.clock.now());
    const errors = rows.flatMap((r, i) => (r && typeof r === 'object' ? validateRow(r, i + 1, today) : [{ row: i + 1, field: 'row', message: 'must be an object' }]));
    if (errors.length > 0) throw invalid(errors);
    const clean = rows.map(normaliseRow);
    const dupes = duplicateErrors(clean.map((r, i) => ({ childId: r.childId, date: r.date, row: i + 1 })));
    if (dupes.length > 0) throw invalid(dupes);

    return this.db.em().transactional(async (em) => {
      const [unit] = await em.execute<{ id: string }[]>('select id from units where id = ?', [schoolUnitId]);
      if (!unit) throw new NotFoundError('unit', schoolUnitId);

      // A (child, date) another school already recorded is not this school's to overwrite.
      const taken = await em.execute<{ child_id: string; date: string; school_unit_id: string }[]>(
        `select child_id, date::text as date, school_unit_id from attendance
          where school_unit_id <> ? and (child_id, date) in (${clean.map(() => '(?, ?::date)').join(', ')})`,
        [schoolUnitId, ...clean.flatMap((r) => [r.childId, r.date])],
      );
      if (taken.length > 0) {
        const conflicts = clean.flatMap((r, i) =>
          taken.some((t) => t.child_id === r.childId && t.date === r.date)
            ? [{ row: i + 1, field: 'childId', message: `another school already recorded this child on ${r.date}` }]
            : [],
        );
        throw invalid(conflicts);
      }

      const now = this.clock.now();
      for (let at = 0; at < clean.length; at += CHUNK) {
        const chunk = clean.slice(at, at + CHUNK);
        await em.execute(
          `insert into attendance (id, school_unit_id, child_id, child_name, township, village, class_name, date, status, reason, recorded_by, created_at)
           values ${chunk.map(() => '(?, ?, ?, ?, ?, ?, ?, ?::date, ?, ?, ?, ?)').join(', ')}
           on conflict (child_id, date) do update set status = excluded.status, reason = excluded.reason
           where attendance.school_unit_id = excluded.school_unit_id`,
          chunk.flatMap((r) => [randomUUID(), schoolUnitId, r.childId, r.childName, r.township, r.village, r.className, r.date, r.status, r.reason, actorUserId, now]),
        );
      }

      const childIds = [...new Set(clean.map((r) => r.childId))];
      const runs = await em.execute<{ child_id: string; days: number | string; since: string; last_date: string }[]>(
        `with mine as (
           select child_id, date, status,
                  max(case when status <> 'absent' then date end) over (partition by child_id) as last_break,
                  max(date) over (partition by child_id) as last_date
             from attendance
            where school_unit_id = ? and child_id in (${childIds.map(() => '?').join(', ')})
         )
         select child_id, count(*) as days, min(date)::text as since, max(last_date)::text as last_date
           from mine
          where status = 'absent' and (last_break is null or date > last_break)
          group by child_id`,
        [schoolUnitId, ...childIds],
      );

      const latest = new Map<string, AttendanceRow>();
      for (const r of clean) if (!latest.has(r.childId) || latest.get(r.childId)!.date < r.date) latest.set(r.childId, r);
      const dropouts: DropoutFinding[] = runs
        .map((run) => ({ run, days: Number(run.days), child: latest.get(run.child_id)! }))
        .filter(({ days }) => days >= this.options.dropoutAfterSchoolDays)
        .map(({ run, days, child }) => ({
          childId: run.child_id,
          childName: child.childName,
          township: child.township,
          village: child.village ?? null,
          consecutiveDays: days,
          since: run.since,
          lastDate: run.last_date,
        }))
        .sort((a, b) => a.childId.localeCompare(b.childId));

      const unexplainedAbsences = clean
        .filter((r) => r.status === 'absent')
        .map((r) => ({ childId: r.childId, childName: r.childName, township: r.township, village: r.village ?? null, className: r.className ?? null, date: r.date }));
      return { recorded: clean.length, unexplainedAbsences, dropouts };
    });
  }
}

function invalid(errors: RowError[]): BadRequestError {
  return new BadRequestError(`${errors.length} problem(s) in the attendance rows; nothing was recorded`, { errors });
}
