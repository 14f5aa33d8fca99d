import { DateTime, Duration } from 'luxon';
import type { DeadlineRule } from './policy.types';

const ZONE = 'Asia/Shanghai';

/** The moment a deadline falls due, counted from `fromIso` in Asia/Shanghai. Pure: no clock. */
export function dueAt(rule: DeadlineRule, fromIso: string): DateTime {
  const from = DateTime.fromISO(fromIso, { zone: ZONE });
  if (!from.isValid) throw new Error(`deadline start "${fromIso}" is not an ISO date-time`);
  const duration = Duration.fromISO(rule.duration);
  if (!duration.isValid) throw new Error(`deadline duration "${rule.duration}" is not ISO 8601`);
  if (rule.calendar === 'natural') return from.plus(duration);
  const days = duration.as('days');
  if (!Number.isInteger(days) || days < 0) throw new Error(`working-day deadline "${rule.duration}" must be whole days`);
  // Working days: Monday to Friday; the day count starts the day after `from`, due at the same time of day.
  let at = from;
  let left = days;
  while (left > 0) {
    at = at.plus({ days: 1 });
    if (at.weekday <= 5) left -= 1;
  }
  return at;
}

/** Milliseconds from `fromIso` to the deadline: what an XState named delay returns. */
export function delayMs(rule: DeadlineRule, fromIso: string): number {
  return Math.max(0, dueAt(rule, fromIso).toMillis() - DateTime.fromISO(fromIso).toMillis());
}

/** When the event happened: the engine stamps `$at` on every event; the initial state uses `openedAt`. */
export function eventTime(event: { $at?: unknown }, fallbackIso: string): string {
  return typeof event.$at === 'string' ? event.$at : fallbackIso;
}
