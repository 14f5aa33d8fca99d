import { DateTime } from 'luxon';
import { ZONE } from '#shouhu/engine';

/** Today's date in Asia/Shanghai. */
export function localDate(at: Date): string {
  return DateTime.fromJSDate(at, { zone: ZONE }).toISODate()!;
}
