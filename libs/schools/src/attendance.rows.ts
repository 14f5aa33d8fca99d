import { isBlankRecord, parseCsv } from './csv';
import { isIsoDate } from './dates';

export type AttendanceStatus = 'present' | 'absent' | 'excused';
export const ATTENDANCE_STATUSES: readonly AttendanceStatus[] = ['present', 'absent', 'excused'];

/** One child on one school day, as a school submits it. */
export interface AttendanceRow {
  childId: string;
  childName: string;
  /** Township code, e.g. `maluguo`. */
  township: string;
  village?: string | null;
  className?: string | null;
  /** `YYYY-MM-DD`, a calendar date in Asia/Shanghai. */
  date: string;
  status: AttendanceStatus;
  /** Required when `excused`. */
  reason?: string | null;
}

/** One problem with one field of one data row; `row` is 1-based over data rows (0 = the header). */
export interface RowError {
  row: number;
  field: string;
  message: string;
}

export interface ParsedAttendance {
  rows: AttendanceRow[];
  errors: RowError[];
}

export const CHILD_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
export const TOWNSHIP_CODE = /^[a-z0-9][a-z0-9-]*$/;

const FIELDS = ['childId', 'childName', 'township', 'village', 'className', 'date', 'status', 'reason'] as const;
type Field = (typeof FIELDS)[number];
const REQUIRED_COLUMNS: Field[] = ['childId', 'childName', 'township', 'date', 'status'];
const ZH: Record<string, Field> = { 学籍号: 'childId', 姓名: 'childName', 乡镇: 'township', 村: 'village', 班级: 'className', 日期: 'date', 状态: 'status', 原因: 'reason' };
const STATUS_WORDS: Record<string, AttendanceStatus> = { present: 'present', absent: 'absent', excused: 'excused', 出勤: 'present', 缺勤: 'absent', 请假: 'excused' };

/** The status a cell names, in English (any case) or Chinese; null if none. */
export function statusFrom(word: string): AttendanceStatus | null {
  return STATUS_WORDS[word.trim().toLowerCase()] ?? null;
}

/**
 * Checks one row's fields; `today` (Asia/Shanghai, `YYYY-MM-DD`), when given, also refuses dates in
 * the future. Returns the problems found, with `row` as given.
 */
export function validateRow(r: Partial<Record<Field, unknown>>, row: number, today?: string): RowError[] {
  const errors: RowError[] = [];
  const bad = (field: string, message: string) => errors.push({ row, field, message });
  const text = (v: unknown) => (typeof v === 'string' ? v.trim() : v == null ? '' : null);
  const childId = text(r.childId);
  if (childId === null || !CHILD_ID.test(childId)) bad('childId', 'must be 1–64 letters, digits, "_" or "-", starting with a letter or digit');
  const name = text(r.childName);
  if (!name) bad('childName', 'is required');
  else if (name.length > 100) bad('childName', 'must be at most 100 characters');
  const township = text(r.township);
  if (township === null || !TOWNSHIP_CODE.test(township)) bad('township', 'must be a township code (lower-case letters, digits and "-"), e.g. maluguo');
  for (const f of ['village', 'className'] as const) {
    const v = text(r[f]);
    if (v === null) bad(f, 'must be text');
    else if (v.length > 100) bad(f, 'must be at most 100 characters');
  }
  const date = text(r.date);
  if (date === null || !isIsoDate(date)) bad('date', 'must be a calendar date written YYYY-MM-DD');
  else if (today && date > today) bad('date', `is in the future (today is ${today} in Asia/Shanghai)`);
  const status = typeof r.status === 'string' ? statusFrom(r.status) : null;
  if (!status) bad('status', 'must be present, absent or excused (出勤, 缺勤, 请假)');
  const reason = text(r.reason);
  if (reason === null) bad('reason', 'must be text');
  else if (status === 'excused' && !reason) bad('reason', 'is required when the child is excused (请假须写明原因)');
  else if (reason.length > 500) bad('reason', 'must be at most 500 characters');
  return errors;
}

/** The row with its text trimmed, empty optionals as null and the status in English. Call after `validateRow`. */
export function normaliseRow(r: Partial<Record<Field, unknown>>): AttendanceRow {
  const t = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
  const opt = (v: unknown) => t(v) || null;
  return {
    childId: t(r.childId),
    childName: t(r.childName),
    township: t(r.township),
    village: opt(r.village),
    className: opt(r.className),
    date: t(r.date),
    status: statusFrom(t(r.status))!,
    reason: opt(r.reason),
  };
}

/** Duplicate (childId, date) pairs within one submission, reported on the later row. */
export function duplicateErrors(rows: { childId: string; date: string; row: number }[]): RowError[] {
  const seen = new Map<string, number>();
  const errors: RowError[] = [];
  for (const r of rows) {
    const key = `${r.childId}\u0000${r.date}`;
    const first = seen.get(key);
    if (first !== undefined) errors.push({ row: r.row, field: 'date', message: `the same child and date as row ${first}` });
    else seen.set(key, r.row);
  }
  return errors;
}

/**
 * Reads an attendance CSV (header `childId,childName,township,village,className,date,status,reason`,
 * names in any case, or 学籍号,姓名,乡镇,村,班级,日期,状态,原因; status also 出勤/缺勤/请假). Data rows are
 * numbered from 1 after the header; empty lines keep their number but are skipped. Dates in the
 * future are checked by `AttendanceService.record`, which knows the clock.
 */
export function parseAttendanceCsv(text: string): ParsedAttendance {
  const records = parseCsv(text);
  const headerAt = records.findIndex((r) => !isBlankRecord(r));
  if (headerAt < 0) return { rows: [], errors: [{ row: 0, field: 'header', message: 'the file is empty' }] };
  const header = records[headerAt]!;
  const errors: RowError[] = [];
  const columns: (Field | null)[] = header.fields.map((h) => {
    const name = h.trim();
    return FIELDS.find((f) => f.toLowerCase() === name.toLowerCase()) ?? ZH[name] ?? null;
  });
  if (header.error) errors.push({ row: 0, field: 'header', message: header.error });
  for (const f of REQUIRED_COLUMNS) if (!columns.includes(f)) errors.push({ row: 0, field: f, message: `the header has no ${f} column` });
  columns.forEach((f, i) => {
    if (f && columns.indexOf(f) !== i) errors.push({ row: 0, field: f, message: `the header names ${f} twice` });
  });
  if (errors.length > 0) return { rows: [], errors };

  const rows: AttendanceRow[] = [];
  const keys: { childId: string; date: string; row: number }[] = [];
  records.slice(headerAt + 1).forEach((rec, i) => {
    const row = i + 1;
    if (isBlankRecord(rec)) return;
    if (rec.error) return void errors.push({ row, field: 'csv', message: rec.error });
    if (rec.fields.length !== columns.length) {
      return void errors.push({ row, field: 'csv', message: `expected ${columns.length} fields as in the header, found ${rec.fields.length}` });
    }
    const values: Partial<Record<Field, string>> = {};
    columns.forEach((f, c) => f && (values[f] = rec.fields[c]));
    const problems = validateRow(values, row);
    if (problems.length > 0) return void errors.push(...problems);
    const parsed = normaliseRow(values);
    rows.push(parsed);
    keys.push({ childId: parsed.childId, date: parsed.date, row });
  });
  errors.push(...duplicateErrors(keys));
  errors.sort((a, b) => a.row - b.row);
  return { rows, errors };
}
