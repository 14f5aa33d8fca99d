import { DateTime } from 'luxon';
import { BadRequestError, ZONE } from '#shouhu/engine';

/** Calendar dates (`YYYY-MM-DD`) and periods as the county reads them: in Asia/Shanghai. */

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** True for a real calendar date written `YYYY-MM-DD` (no 2026-02-30). */
export function isIsoDate(s: string): boolean {
  return ISO_DATE.test(s) && DateTime.fromISO(s, { zone: ZONE }).isValid;
}

/** Today's date in Asia/Shanghai. */
export function localDate(at: Date): string {
  return DateTime.fromJSDate(at, { zone: ZONE }).toISODate()!;
}

/** `YYYY-MM-DD HH:mm` in Asia/Shanghai for an ISO instant; a plain date or unparsable text is shown as given. */
export function localDateTime(iso: string): string {
  if (ISO_DATE.test(iso)) return iso;
  const dt = DateTime.fromISO(iso, { setZone: false }).setZone(ZONE);
  return dt.isValid ? dt.toFormat('yyyy-MM-dd HH:mm') : iso;
}

/** Whole calendar days from `from` to `to` (both `YYYY-MM-DD`); never negative. */
export function daysBetween(from: string, to: string): number {
  const d = DateTime.fromISO(to, { zone: ZONE }).diff(DateTime.fromISO(from, { zone: ZONE }), 'days').days;
  return Math.max(0, Math.round(d));
}

/** A reporting period: the dates `[start, end)` and the instants they begin and end at in Asia/Shanghai. */
export interface Period {
  label: string;
  /** First day, `YYYY-MM-DD`. */
  start: string;
  /** First day after the period, `YYYY-MM-DD`. */
  end: string;
  /** Last day of the period, `YYYY-MM-DD`. */
  last: string;
  startAt: Date;
  endAt: Date;
}

function period(label: string, start: DateTime, end: DateTime): Period {
  return {
    label,
    start: start.toISODate()!,
    end: end.toISODate()!,
    last: end.minus({ days: 1 }).toISODate()!,
    startAt: start.toJSDate(),
    endAt: end.toJSDate(),
  };
}

/** `YYYY-MM` → that month in Asia/Shanghai. */
export function monthPeriod(month: string): Period {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (!m) throw new BadRequestError(`month must be YYYY-MM, got ${JSON.stringify(month)}`, { month });
  const start = DateTime.fromObject({ year: Number(m[1]), month: Number(m[2]), day: 1 }, { zone: ZONE });
  return period(month, start, start.plus({ months: 1 }));
}

/** `YYYY-Qn` → that quarter in Asia/Shanghai. */
export function quarterPeriod(quarter: string): Period {
  const m = /^(\d{4})-Q([1-4])$/.exec(quarter);
  if (!m) throw new BadRequestError(`quarter must be YYYY-Qn, got ${JSON.stringify(quarter)}`, { quarter });
  const start = DateTime.fromObject({ year: Number(m[1]), month: (Number(m[2]) - 1) * 3 + 1, day: 1 }, { zone: ZONE });
  return period(quarter, start, start.plus({ months: 3 }));
}
