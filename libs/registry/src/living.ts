import { DateTime } from 'luxon';
import { ZONE } from '#shouhu/engine';
import type { Living } from './types';

export interface LivingAloneRules {
  /** Art. 21: a child under this age must not live alone without a guardian (16). */
  livingAloneUnder: number;
  /** Art. 21: a child under this age must not be left unattended (8). */
  unattendedUnder: number;
}

export interface LivingAloneFinding {
  rule: 'under16-alone' | 'under8-unattended';
  /** Completed years on `today`. */
  age: number;
}

export const LIVING_ALONE_RULES: LivingAloneRules = { livingAloneUnder: 16, unattendedUnder: 8 };

/**
 * Completed years (周岁) on `today` in Asia/Shanghai. The n-th birthday itself completes year n
 * (so a child is 16 on the 16th birthday).
 */
export function ageOn(birthDate: string, today: Date | string): number {
  const on = typeof today === 'string' ? DateTime.fromISO(today, { zone: ZONE }) : DateTime.fromJSDate(today, { zone: ZONE });
  const born = DateTime.fromISO(birthDate, { zone: ZONE });
  let age = on.year - born.year;
  if (on.month < born.month || (on.month === born.month && on.day < born.day)) age--;
  return age;
}

/**
 * Minors Protection Law Art. 21: does the file show a child living alone under 16, or unattended
 * under 8? Pure. `today` is an instant (read in Asia/Shanghai) or a `YYYY-MM-DD` date. A child
 * 'unattended' at 8–15 is also 'under16-alone'. Someone born on 29 February turns a year older on
 * 1 March in a common year.
 */
export function livingAloneFinding(
  file: { birthDate: string; living: Living },
  today: Date | string,
  rules: LivingAloneRules = LIVING_ALONE_RULES,
): LivingAloneFinding | null {
  if (file.living !== 'alone' && file.living !== 'unattended') return null;
  const age = ageOn(file.birthDate, today);
  if (file.living === 'unattended' && age < rules.unattendedUnder) return { rule: 'under8-unattended', age };
  if (age < rules.livingAloneUnder) return { rule: 'under16-alone', age };
  return null;
}
