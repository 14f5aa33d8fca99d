import { type CsvRecord, parseCsv } from '#shouhu/schools';
import type { ChildData, ChildPatch, DuplicateFlag, Living, Parent, RowError } from './types';
import { CHILD_ID, validateChildData } from './validate';

/**
 * The census CSV. Header names (any case), English or Chinese:
 *
 *   childId 学籍号/档案号 · idNumber 身份证号 · name 姓名 · birthDate 出生日期 (YYYY-MM-DD) · sex 性别 (男/女, male/female)
 *   ethnicity 民族 · householdRegistration 户籍 · address 住址 · township 乡镇 (code or Chinese name; blank = the
 *   importing township) · village 村 · school 学校 · className 班级 · boarding 寄宿 (是/否) · health 健康状况
 *   disability 残疾情况 · parentNames 父母姓名 · parentWorkLocations 父母务工地 · parentPhones 父母电话
 *   parentCallsPerMonth 每月通话次数 · guardianName 监护人 (`王五(祖父)` gives the relation too) · guardianRelation 监护人关系
 *   guardianPhone 监护人电话 · confirmationSigned 委托书已签 (是/否) · confirmationDate 委托书日期 · contactName 联系人
 *   contactPhone 联系人电话 · childDirector 儿童主任 · living 居住情况 (with-parent 父母监护 · with-entrusted-guardian 委托监护 ·
 *   alone 独居 · unattended 无人照料) · keyChild 重点儿童 (是/否)
 *
 * Required columns: childId, name, birthDate, sex, ethnicity, householdRegistration, address, village, health,
 * living. Parents are separated by `;` (or `；`), optionally prefixed `父:`/`母:` (father:/mother:);
 * unprefixed they are father then mother; work places, phones and call counts follow the same order.
 * An existing file number updates that file, only in the columns the header has.
 */
export interface ImportOptions {
  /** The importing township's code: every row is in it. */
  township: string;
  onProgress?: (done: number, total: number) => void;
}

export interface ImportResult {
  created: number;
  updated: number;
  unchanged: number;
  duplicateFlags: DuplicateFlag[];
}

export const MAX_IMPORT_ROWS = 20_000;

const HEADERS: Record<string, string> = {
  学籍号: 'childId', 档案号: 'childId', 身份证号: 'idNumber', 姓名: 'name', 出生日期: 'birthDate', 性别: 'sex', 民族: 'ethnicity',
  户籍: 'householdRegistration', 住址: 'address', 乡镇: 'township', 村: 'village', 学校: 'school', 班级: 'className', 寄宿: 'boarding',
  健康状况: 'health', 残疾情况: 'disability', 父母姓名: 'parentNames', 父母务工地: 'parentWorkLocations', 父母电话: 'parentPhones',
  每月通话次数: 'parentCallsPerMonth', 监护人: 'guardianName', 监护人关系: 'guardianRelation', 监护人电话: 'guardianPhone',
  委托书已签: 'confirmationSigned', 委托书日期: 'confirmationDate', 联系人: 'contactName', 联系人电话: 'contactPhone',
  儿童主任: 'childDirector', 居住情况: 'living', 重点儿童: 'keyChild',
};
const COLUMNS = [...new Set(['childId', 'idNumber', 'name', 'birthDate', 'sex', 'ethnicity', 'householdRegistration', 'address', 'township',
  'village', 'school', 'className', 'boarding', 'health', 'disability', 'parentNames', 'parentWorkLocations', 'parentPhones',
  'parentCallsPerMonth', 'guardianName', 'guardianRelation', 'guardianPhone', 'confirmationSigned', 'confirmationDate', 'contactName',
  'contactPhone', 'childDirector', 'living', 'keyChild'])];
const REQUIRED = ['childId', 'name', 'birthDate', 'sex', 'ethnicity', 'householdRegistration', 'address', 'village', 'health', 'living'];
const BY_LOWER = new Map<string, string>([...COLUMNS.map((c) => [c.toLowerCase(), c] as const), ...Object.entries(HEADERS)]);

export const TOWNSHIP_NAMES: Record<string, string> = {
  长白镇: 'changbai', 马鹿沟镇: 'maluguo', 金华乡: 'jinhua', 十四道沟镇: 'shisidaogou', 十二道沟镇: 'shierdaogou',
  八道沟镇: 'badaogou', 新房子镇: 'xinfangzi', 宝泉山镇: 'baoquanshan',
};
const SEX: Record<string, string> = { 男: 'male', 女: 'female', male: 'male', female: 'female', m: 'male', f: 'female' };
const LIVING_WORDS: Record<string, Living> = {
  'with-parent': 'with-parent', 父母监护: 'with-parent', 随父母: 'with-parent', 父母一方监护: 'with-parent',
  'with-entrusted-guardian': 'with-entrusted-guardian', 委托监护: 'with-entrusted-guardian',
  alone: 'alone', 独居: 'alone', unattended: 'unattended', 无人照料: 'unattended', 无人监护: 'unattended',
};
const YES = new Set(['是', 'yes', 'true', '1', 'y']);
const NO = new Set(['否', 'no', 'false', '0', 'n', '']);

export interface ImportRow {
  row: number;
  childId: string;
  /** The whole file as the row gives it (for a new file). */
  data: ChildData;
  /** Only the fields the header has (for an existing file). */
  patch: ChildPatch;
}

/** One record of a census file, CSV or XLSX: its cells as text, or why it could not be read. */
export type CensusRecord = CsvRecord;

export function parseRegistryCsv(text: string, township: string, today: string): { rows: ImportRow[]; errors: RowError[] } {
  return parseRegistryRecords(parseCsv(text), township, today);
}

/**
 * The census rows of a file already split into records (the first is the header): each row checked
 * and named by its 1-based position among the data rows; any error → no rows.
 */
export function parseRegistryRecords(all: CensusRecord[], township: string, today: string): { rows: ImportRow[]; errors: RowError[] } {
  const errors: RowError[] = [];
  const records = all.filter((r) => r.error || r.fields.some((f) => f.trim() !== ''));
  const header = (records.shift()?.fields ?? []).map((h) => BY_LOWER.get(h.trim().toLowerCase()) ?? BY_LOWER.get(h.trim()) ?? null);
  for (const c of REQUIRED) if (!header.includes(c)) errors.push({ row: 0, field: c, message: 'this column is missing from the header' });
  if (errors.length > 0) return { rows: [], errors };
  if (records.length === 0) return { rows: [], errors: [{ row: 0, field: 'rows', message: 'the file has no data rows' }] };

  const rows: ImportRow[] = [];
  const seenId = new Map<string, number>(), seenChild = new Map<string, number>();
  records.forEach((rec, i) => {
    const row = i + 1;
    const bad = (field: string, message: string) => errors.push({ row, field, message });
    if (rec.error) return bad('csv', rec.error);
    if (rec.fields.length !== header.length) return bad('csv', `has ${rec.fields.length} fields, the header has ${header.length}`);
    const v: Record<string, string> = {};
    header.forEach((h, j) => h && (v[h] = rec.fields[j]!.trim()));
    const has = (c: string) => header.includes(c);
    const yes = (c: string) => {
      const w = (v[c] ?? '').toLowerCase();
      if (!YES.has(w) && !NO.has(w)) bad(c, 'must be 是 or 否 (yes/no)');
      return YES.has(w);
    };

    const childId = v.childId ?? '';
    if (!CHILD_ID.test(childId)) bad('childId', 'must be 1–64 letters, digits, "_" or "-", starting with a letter or digit');
    const rowTownship = v.township ? (TOWNSHIP_NAMES[v.township] ?? v.township) : township;
    if (rowTownship !== township) bad('township', `must be ${township}, the importing township`);
    const sex = SEX[(v.sex ?? '').toLowerCase()];
    if (!sex) bad('sex', 'must be 男 or 女 (male/female)');
    const living = LIVING_WORDS[(v.living ?? '').toLowerCase()];
    if (!living) bad('living', `must be one of ${Object.keys(LIVING_WORDS).join(', ')}`);

    const split = (s: string | undefined) => (s ? s.split(/[;；]/).map((x) => x.trim()) : []);
    const names = split(v.parentNames), works = split(v.parentWorkLocations), phones = split(v.parentPhones), calls = split(v.parentCallsPerMonth);
    const parents: Parent[] = names.map((n, k) => {
      const m = /^(父|母|father|mother)\s*[:：]\s*(.*)$/i.exec(n);
      const relation = m ? (/^(父|father)$/i.test(m[1]!) ? 'father' : 'mother') : k === 0 ? 'father' : 'mother';
      const c = calls[k] ?? '';
      if (c !== '' && !/^\d+$/.test(c)) bad('parentCallsPerMonth', 'must be whole numbers');
      return { relation, name: m ? m[2]! : n, workLocation: works[k] ?? '', phone: phones[k] || null, callsPerMonth: /^\d+$/.test(c) ? Number(c) : null };
    });

    let guardian: ChildData['entrustedGuardian'] = null;
    if (v.guardianName) {
      const m = /^(.*?)\s*[(（](.+)[)）]$/.exec(v.guardianName);
      const signed = yes('confirmationSigned');
      guardian = { name: m ? m[1]! : v.guardianName, relation: v.guardianRelation || (m ? m[2]! : ''), phone: v.guardianPhone || null, confirmationSigned: signed, confirmationDate: v.confirmationDate || null };
    }
    const input = {
      idNumber: v.idNumber || null, name: v.name, birthDate: v.birthDate, sex, ethnicity: v.ethnicity,
      householdRegistration: v.householdRegistration, address: v.address, township: rowTownship, village: v.village,
      school: v.school || null, className: v.className || null, boarding: has('boarding') ? yes('boarding') : false, health: v.health,
      disability: v.disability || null, parents, entrustedGuardian: guardian,
      contactPerson: v.contactName ? { name: v.contactName, role: '', phone: v.contactPhone || null } : null,
      childDirector: v.childDirector || null, living, keyChild: has('keyChild') ? yes('keyChild') : false,
    };
    const { data, problems } = validateChildData(input, today);
    for (const p of problems) if (!(p.field === 'sex' && !sex) && !(p.field === 'living' && !living)) bad(p.field, p.message);

    if (data.idNumber) {
      const first = seenId.get(data.idNumber);
      if (first !== undefined) bad('idNumber', `the same ID number as row ${first}`);
      else seenId.set(data.idNumber, row);
    }
    const firstChild = seenChild.get(childId);
    if (firstChild !== undefined) bad('childId', `the same file number as row ${firstChild}`);
    else seenChild.set(childId, row);

    const present = new Set<string>([...header.filter((h): h is string => h !== null), 'township']);
    const patch: ChildPatch = {};
    const take = (col: string, field: keyof ChildData) => present.has(col) && ((patch as any)[field] = data[field]);
    for (const f of ['idNumber', 'name', 'birthDate', 'sex', 'ethnicity', 'householdRegistration', 'address', 'township', 'village', 'school', 'className', 'boarding', 'health', 'disability', 'childDirector', 'living', 'keyChild'] as const) take(f, f);
    take('parentNames', 'parents'), take('guardianName', 'entrustedGuardian'), take('contactName', 'contactPerson');
    rows.push({ row, childId, data, patch });
  });
  return { rows: errors.length > 0 ? [] : rows, errors };
}
