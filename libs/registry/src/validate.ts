import { DateTime } from 'luxon';
import { ZONE } from '#shouhu/engine';
import { type ChildData, type ChildInput, type ContactPerson, type EntrustedGuardian, LIVING, type Parent, PARENT_RELATIONS, SEXES } from './types';

/** File number (学籍号/档案号): as the schools lib reads a child id. */
export const CHILD_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
export const TOWNSHIP_CODE = /^[a-z0-9][a-z0-9-]*$/;
/** A mobile number (11 digits from 1) or a landline with area code. */
export const PHONE = /^(1\d{10}|0\d{2,3}-?\d{7,8})$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

/** The GB 11643 check character of the first 17 digits of an ID number. */
export function idCheckDigit(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK[sum % 11]!;
}

/** Why an ID number is not valid (format, check digit, birth date in it), or null. */
export function idNumberProblem(id: string, birthDate: string | null): string | null {
  if (!/^\d{17}[\dX]$/.test(id)) return 'must be 18 characters: 17 digits and a digit or X';
  if (idCheckDigit(id.slice(0, 17)) !== id[17]) return 'the check digit does not match (a mistyped digit?)';
  const born = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
  if (birthDate && ISO_DATE.test(birthDate) && born !== birthDate) return `the birth date in the ID number (${born}) is not the birth date given`;
  return null;
}

export function isIsoDate(s: unknown): s is string {
  return typeof s === 'string' && ISO_DATE.test(s) && DateTime.fromISO(s, { zone: ZONE }).isValid;
}

type Problem = { field: string; message: string };
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);

/**
 * Checks a full file's data (after defaults) and returns it normalised (trimmed; '' → null) with the
 * problems found, field by field. `today` (`YYYY-MM-DD`, Asia/Shanghai) bounds the birth date.
 */
export function validateChildData(input: Partial<Record<keyof ChildInput, unknown>>, today: string): { data: ChildData; problems: Problem[] } {
  const problems: Problem[] = [];
  const bad = (field: string, message: string) => problems.push({ field, message });
  const required = (field: keyof ChildInput): string => {
    const v = str(input[field]);
    if (v === null) bad(field, 'is required');
    return v ?? '';
  };
  const optional = (field: keyof ChildInput): string | null => {
    const v = input[field];
    if (v !== undefined && v !== null && typeof v !== 'string') bad(field, 'must be text');
    return str(v);
  };
  const bool = (field: keyof ChildInput): boolean => {
    const v = input[field];
    if (v !== undefined && v !== null && typeof v !== 'boolean') bad(field, 'must be true or false');
    return v === true;
  };

  const name = required('name');
  const birthDate = required('birthDate');
  if (birthDate && !isIsoDate(birthDate)) bad('birthDate', 'must be a date YYYY-MM-DD');
  else if (birthDate && birthDate > today) bad('birthDate', 'is after today');
  const sex = required('sex');
  if (sex && !(SEXES as readonly string[]).includes(sex)) bad('sex', `must be one of ${SEXES.join(', ')}`);
  const township = required('township');
  if (township && !TOWNSHIP_CODE.test(township)) bad('township', 'must be a township code (lower-case letters, digits and "-"), e.g. maluguo');
  const living = required('living');
  if (living && !(LIVING as readonly string[]).includes(living)) bad('living', `must be one of ${LIVING.join(', ')}`);
  const idNumber = optional('idNumber')?.toUpperCase() ?? null;
  if (idNumber) {
    const why = idNumberProblem(idNumber, birthDate);
    if (why) bad('idNumber', why);
  }
  const phone = (field: string, v: unknown): string | null => {
    const p = v === undefined || v === null ? null : typeof v === 'string' ? str(v) : (bad(field, 'must be text'), null);
    if (p && !PHONE.test(p)) bad(field, 'must be a mobile number (11 digits) or a landline with its area code');
    return p;
  };

  const parentsIn = input.parents ?? [];
  const parents: Parent[] = [];
  if (!Array.isArray(parentsIn)) bad('parents', 'must be a list');
  else if (parentsIn.length > 2) bad('parents', 'at most two parents');
  else parentsIn.forEach((p: any, i) => {
    const f = `parents[${i}]`;
    if (!p || typeof p !== 'object') return bad(f, 'must be an object');
    if (!(PARENT_RELATIONS as readonly unknown[]).includes(p.relation)) bad(`${f}.relation`, `must be one of ${PARENT_RELATIONS.join(', ')}`);
    const pname = str(p.name);
    if (!pname) bad(`${f}.name`, 'is required');
    const calls = p.callsPerMonth ?? null;
    if (calls !== null && !(Number.isInteger(calls) && calls >= 0)) bad(`${f}.callsPerMonth`, 'must be a whole number ≥ 0');
    parents.push({ relation: p.relation, name: pname ?? '', workLocation: str(p.workLocation) ?? '', phone: phone(`${f}.phone`, p.phone), callsPerMonth: calls });
  });

  let entrustedGuardian: EntrustedGuardian | null = null;
  const g: any = input.entrustedGuardian ?? null;
  if (g !== null) {
    if (typeof g !== 'object') bad('entrustedGuardian', 'must be an object');
    else {
      const date = str(g.confirmationDate);
      if (!str(g.name)) bad('entrustedGuardian.name', 'is required');
      if (!str(g.relation)) bad('entrustedGuardian.relation', 'is required');
      if (date !== null && !isIsoDate(date)) bad('entrustedGuardian.confirmationDate', 'must be a date YYYY-MM-DD');
      if (date !== null && g.confirmationSigned !== true) bad('entrustedGuardian.confirmationDate', 'only when the confirmation is signed');
      entrustedGuardian = { name: str(g.name) ?? '', relation: str(g.relation) ?? '', phone: phone('entrustedGuardian.phone', g.phone), confirmationSigned: g.confirmationSigned === true, confirmationDate: date };
    }
  }
  if (living === 'with-entrusted-guardian' && entrustedGuardian === null) bad('entrustedGuardian', 'is required when the child lives with an entrusted guardian');

  let contactPerson: ContactPerson | null = null;
  const c: any = input.contactPerson ?? null;
  if (c !== null) {
    if (typeof c !== 'object' || !str(c.name)) bad('contactPerson.name', 'is required');
    else contactPerson = { name: str(c.name)!, role: str(c.role) ?? '', phone: phone('contactPerson.phone', c.phone) };
  }

  const data: ChildData = {
    idNumber,
    name,
    birthDate,
    sex: sex as ChildData['sex'],
    ethnicity: required('ethnicity'),
    householdRegistration: required('householdRegistration'),
    address: required('address'),
    township,
    village: required('village'),
    school: optional('school'),
    className: optional('className'),
    boarding: bool('boarding'),
    health: required('health'),
    disability: optional('disability'),
    parents,
    entrustedGuardian,
    contactPerson,
    childDirector: optional('childDirector'),
    living: living as ChildData['living'],
    keyChild: bool('keyChild'),
  };
  return { data, problems };
}

/** Levenshtein distance, by code point (a Chinese character counts as one). */
export function editDistance(a: string, b: string): number {
  const x = [...a], y = [...b];
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[y.length]!;
}
