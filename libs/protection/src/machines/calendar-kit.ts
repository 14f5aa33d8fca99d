import { DateTime, Duration } from 'luxon';
import { eventTime } from '../policy/deadline';
import type { DeadlineRule } from '../policy/policy.types';

/*
 * Calendar-anchored deadlines of the registry (长政办发〔2016〕39号 四(一) quarterly returns, 五(三) yearly
 * summaries): due on a date of the calendar, not a duration after an event. Pure: no clock, Asia/Shanghai.
 */

export const CALENDAR_ZONE = 'Asia/Shanghai';
const QUARTER = /^(\d{4})-Q([1-4])$/;
const iso = (d: DateTime) => d.toISO({ suppressMilliseconds: true })!;

/** `2026-Q1` … `2026-Q4` (years 2000–2099). */
export function isQuarter(v: unknown): v is string {
  const m = typeof v === 'string' ? QUARTER.exec(v) : null;
  return !!m && Number(m[1]) >= 2000 && Number(m[1]) <= 2099;
}

/**
 * 四(一): 每季度最后一个月的20日之前 — the quarter's return is due at 00:00 of `day` of its last month
 * (March, June, September, December): with `day` 20 the 19th is the last full day to file.
 */
export function quarterReturnDue(quarter: string, day: number): string {
  if (!isQuarter(quarter)) throw new Error(`quarter "${quarter}" is not YYYY-Qn`);
  if (!Number.isInteger(day) || day < 1 || day > 28) throw new Error(`quarterly return day ${day} must be 1–28`);
  const [, year, q] = QUARTER.exec(quarter)!;
  return iso(DateTime.fromObject({ year: Number(year), month: Number(q) * 3, day }, { zone: CALENDAR_ZONE }));
}

/** 五(三): 每年12月中旬 — the summary is due by the end (24:00) of `month`-`day` of `year`, i.e. 00:00 the next day. */
export function yearlySummaryDue(year: number, due: { month: number; day: number }): string {
  if (!Number.isInteger(year) || year < 2000 || year > 2099) throw new Error(`year ${year} must be 2000–2099`);
  const d = DateTime.fromObject({ year, month: due.month, day: due.day }, { zone: CALENDAR_ZONE });
  if (!d.isValid) throw new Error(`${year}-${due.month}-${due.day} is not a date`);
  return iso(d.plus({ days: 1 }));
}

function parse(v: string, what: string): DateTime {
  const d = DateTime.fromISO(v, { zone: CALENDAR_ZONE });
  if (!d.isValid) throw new Error(`${what} "${v}" is not an ISO date-time`);
  return d;
}

/** Milliseconds from `fromIso` until `targetIso`; 0 once the target has passed (never negative). */
export function msUntil(targetIso: string, fromIso: string): number {
  return Math.max(0, parse(targetIso, 'target').toMillis() - parse(fromIso, 'from').toMillis());
}

/**
 * When a reminder goes out: `before` ahead of the due instant. Natural calendar: the duration back;
 * working calendar: that many Monday–Friday days back, at the same time of day (the mirror of `dueAt`).
 */
export function reminderAt(dueIso: string, before: DeadlineRule): string {
  const due = parse(dueIso, 'due');
  const duration = Duration.fromISO(before.duration);
  if (!duration.isValid) throw new Error(`reminder duration "${before.duration}" is not ISO 8601`);
  if (before.calendar === 'natural') return iso(due.minus(duration));
  const days = duration.as('days');
  if (!Number.isInteger(days) || days < 0) throw new Error(`working-day reminder "${before.duration}" must be whole days`);
  let at = due;
  for (let left = days; left > 0; ) {
    at = at.minus({ days: 1 });
    if (at.weekday <= 5) left -= 1;
  }
  return iso(at);
}

/** A calendar-anchored named delay: from when the entering event happened until the instant in `context[field]`. */
export function untilContextInstant<K extends string>(
  field: K,
): (args: { context: { [k in K]: string } & { openedAt: string }; event: { $at?: unknown } }) => number {
  return ({ context, event }) => msUntil(context[field], eventTime(event, context.openedAt));
}

/** Whether `atIso` is at or after `targetIso` (a filing at the due instant is late: 20日之前). */
export function notBefore(atIso: string, targetIso: string): boolean {
  return parse(atIso, 'at').toMillis() >= parse(targetIso, 'target').toMillis();
}
