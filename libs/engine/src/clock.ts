import { DateTime } from 'luxon';

/** Every date the county's rules speak of is a date in this zone. */
export const ZONE = 'Asia/Shanghai';

/** The one source of "now": injected everywhere, so tests can fix or shift time. */
export interface Clock {
  now(): Date;
}

export class SystemClock implements Clock {
  now(): Date {
    return new Date();
  }
}

/**
 * Real time shifted by a fixed offset: for drills and end-to-end tests of calendar deadlines ("the 20th
 * of the quarter's last month"); every process given the same offset shares one time line.
 */
export class ShiftedClock implements Clock {
  constructor(private readonly offsetMs: number) {}

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}

/** A clock that tests move by hand. */
export class ManualClock implements Clock {
  private current: number;

  constructor(start: Date | string = '2026-03-02T09:00:00+08:00') {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  set(at: Date | string): void {
    this.current = new Date(at).getTime();
  }

  advance(ms: number): void {
    this.current += ms;
  }
}

/** ISO 8601 in Asia/Shanghai with its +08:00 offset, as people in the county read it. */
export function localIso(at: Date): string {
  return DateTime.fromJSDate(at, { zone: ZONE }).toISO({ suppressMilliseconds: false }) ?? at.toISOString();
}
