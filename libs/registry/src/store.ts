import { randomUUID } from 'node:crypto';
import { ConflictError } from '#shouhu/engine';
import type { Database } from '#shouhu/persistence';
import { editDistance } from './validate';
import { type ChildData, type ChildFile, DATA_FIELDS, type DuplicateFlag, type DuplicateReason, type FieldChanges } from './types';

/** The transactional EntityManager (its `execute` runs inside the transaction). */
export type Tx = ReturnType<Database['em']>;

export const COLS = `child_id, id_number, name, birth_date::text as birth_date, sex, ethnicity, household_registration, address,
  township, village, school, class_name, boarding, health, disability, parents, entrusted_guardian, contact_person,
  child_director, living, key_child, merged_into, version, created_at, updated_at, updated_by`;

const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
const date = (v: unknown) => (v instanceof Date ? v : new Date(v as string));

export function toFile(r: Record<string, any>): ChildFile & { mergedInto: string | null } {
  return {
    childId: r.child_id, idNumber: r.id_number, name: r.name, birthDate: r.birth_date, sex: r.sex, ethnicity: r.ethnicity,
    householdRegistration: r.household_registration, address: r.address, township: r.township, village: r.village,
    school: r.school, className: r.class_name, boarding: r.boarding, health: r.health, disability: r.disability,
    parents: json(r.parents) ?? [], entrustedGuardian: json(r.entrusted_guardian), contactPerson: json(r.contact_person),
    childDirector: r.child_director, living: r.living, keyChild: r.key_child, mergedInto: r.merged_into,
    version: Number(r.version), createdAt: date(r.created_at), updatedAt: date(r.updated_at), updatedBy: r.updated_by,
  };
}

export function toFlag(r: Record<string, any>): DuplicateFlag {
  return {
    id: r.id, childId: r.child_id, otherChildId: r.other_child_id, reason: r.reason, status: r.status,
    createdAt: date(r.created_at), resolvedBy: r.resolved_by, resolvedAt: r.resolved_at === null ? null : date(r.resolved_at),
  };
}

export async function loadFile(em: Tx, childId: string, lock = false) {
  const [row] = await em.execute(`select ${COLS} from children where child_id = ?${lock ? ' for update' : ''}`, [childId]);
  return row ? toFile(row) : null;
}

export function dataOf(file: ChildData): ChildData {
  return Object.fromEntries(DATA_FIELDS.map((f) => [f, file[f]])) as ChildData;
}

/** JSON with object keys sorted: jsonb does not keep key order, so plain JSON.stringify would see changes that are not. */
export function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x));
}

/** The fields whose values differ, `{ field: { from, to } }` (compared as canonical JSON). */
export function diff(before: Partial<ChildData> | null, after: ChildData): FieldChanges {
  const changes: FieldChanges = {};
  for (const f of DATA_FIELDS) {
    const from = before ? (before[f] ?? null) : null;
    const to = after[f] ?? null;
    if (canonical(from) !== canonical(to)) changes[f] = { from, to };
  }
  return changes;
}

/** ConflictError naming the file that holds `idNumber`, if another does. */
export async function assertIdNumberFree(em: Tx, idNumber: string | null, childId: string): Promise<void> {
  if (idNumber === null) return;
  const [holder] = await em.execute<{ child_id: string }[]>('select child_id from children where id_number = ? and child_id <> ?', [idNumber, childId]);
  if (holder) throw idTaken(holder.child_id);
}

export function idTaken(holder: string): ConflictError {
  return new ConflictError(`this ID number is already on file ${holder}: one child, one file`, { field: 'idNumber', heldBy: holder });
}

const SET_COLS: [keyof ChildData, string, string][] = [
  ['idNumber', 'id_number', '?'], ['name', 'name', '?'], ['birthDate', 'birth_date', '?::date'], ['sex', 'sex', '?'],
  ['ethnicity', 'ethnicity', '?'], ['householdRegistration', 'household_registration', '?'], ['address', 'address', '?'],
  ['township', 'township', '?'], ['village', 'village', '?'], ['school', 'school', '?'], ['className', 'class_name', '?'],
  ['boarding', 'boarding', '?'], ['health', 'health', '?'], ['disability', 'disability', '?'], ['parents', 'parents', '?::jsonb'],
  ['entrustedGuardian', 'entrusted_guardian', '?::jsonb'], ['contactPerson', 'contact_person', '?::jsonb'],
  ['childDirector', 'child_director', '?'], ['living', 'living', '?'], ['keyChild', 'key_child', '?'],
];
const param = (f: keyof ChildData, v: unknown) => (['parents', 'entrustedGuardian', 'contactPerson'].includes(f) ? (v === null ? null : JSON.stringify(v)) : v);

export async function insertFile(em: Tx, childId: string, data: ChildData, by: string, now: Date): Promise<void> {
  await em.execute(
    `insert into children (child_id, ${SET_COLS.map(([, c]) => c).join(', ')}, version, created_at, updated_at, updated_by)
     values (?, ${SET_COLS.map(([, , p]) => p).join(', ')}, 1, ?, ?, ?)`,
    [childId, ...SET_COLS.map(([f]) => param(f, data[f])), now, now, by],
  );
  await writeVersion(em, childId, 1, by, now, diff(null, data), { childId, ...data });
}

/**
 * Many new files at once (an import's chunk): one multi-row insert of the files and one of their first
 * versions. The caller has checked that neither the file numbers nor the ID numbers are taken.
 */
export async function insertFiles(em: Tx, files: readonly { childId: string; data: ChildData }[], by: string, now: Date): Promise<void> {
  if (files.length === 0) return;
  const row = `(?, ${SET_COLS.map(([, , p]) => p).join(', ')}, 1, ?, ?, ?)`;
  await em.execute(
    `insert into children (child_id, ${SET_COLS.map(([, c]) => c).join(', ')}, version, created_at, updated_at, updated_by) values ${files.map(() => row).join(', ')}`,
    files.flatMap((f) => [f.childId, ...SET_COLS.map(([k]) => param(k, f.data[k])), now, now, by]),
  );
  await em.execute(
    `insert into child_versions (child_id, version, changed_by, changed_at, changes, snapshot) values ${files.map(() => '(?, 1, ?, ?, ?::jsonb, ?::jsonb)').join(', ')}`,
    files.flatMap((f) => [f.childId, by, now, JSON.stringify(diff(null, f.data)), JSON.stringify({ childId: f.childId, ...f.data })]),
  );
}

/**
 * `flagDuplicates` for files just inserted together, as if one after the other: a file is compared
 * with the township's other files of its birth date, except those of the batch that come after it.
 */
export async function flagDuplicatesOfBatch(em: Tx, files: readonly { childId: string; data: ChildData }[], now: Date): Promise<DuplicateFlag[]> {
  if (files.length === 0) return [];
  const keys = [...new Set(files.map((f) => `${f.data.township}|${f.data.birthDate}`))].map((k) => k.split('|') as [string, string]);
  const others = await em.execute<{ child_id: string; name: string; township: string; birth_date: string }[]>(
    `select child_id, name, township, birth_date::text as birth_date from children
      where merged_into is null and (township, birth_date) in (${keys.map(() => '(?, ?::date)').join(', ')}) order by child_id`,
    keys.flat(),
  );
  const position = new Map(files.map((f, i) => [f.childId, i]));
  const pending: { childId: string; other: string; reason: DuplicateReason }[] = [];
  files.forEach((f, i) => {
    for (const o of others) {
      if (o.township !== f.data.township || o.birth_date !== f.data.birthDate || o.child_id === f.childId) continue;
      const at = position.get(o.child_id);
      if (at !== undefined && at > i) continue; // not yet written when this file was
      const d = editDistance(o.name, f.data.name);
      if (d <= 1) pending.push({ childId: f.childId, other: o.child_id, reason: d === 0 ? 'same-name-birth-township' : 'similar-name' });
    }
  });
  if (pending.length === 0) return [];
  const rows = await em.execute(
    `insert into duplicate_flags (id, child_id, other_child_id, reason, status, created_at) values ${pending.map(() => `(?, ?, ?, ?, 'open', ?)`).join(', ')} returning *`,
    pending.flatMap((p) => [randomUUID(), p.childId, p.other, p.reason, now]),
  );
  return rows.map(toFlag);
}

/** Writes the new data when the row is still at `version`; false when another writer came first. */
export async function updateFile(em: Tx, childId: string, version: number, data: ChildData, by: string, now: Date, mergedInto?: string): Promise<boolean> {
  const rows = await em.execute(
    `update children set ${SET_COLS.map(([, c, p]) => `${c} = ${p}`).join(', ')}${mergedInto ? ', merged_into = ?' : ''}, version = version + 1, updated_at = ?, updated_by = ?
      where child_id = ? and version = ? returning child_id`,
    [...SET_COLS.map(([f]) => param(f, data[f])), ...(mergedInto ? [mergedInto] : []), now, by, childId, version],
  );
  return rows.length === 1;
}

export async function writeVersion(em: Tx, childId: string, version: number, by: string, now: Date, changes: FieldChanges, snapshot: object) {
  await em.execute('insert into child_versions (child_id, version, changed_by, changed_at, changes, snapshot) values (?, ?, ?, ?, ?::jsonb, ?::jsonb)', [
    childId, version, by, now, JSON.stringify(changes), JSON.stringify(snapshot),
  ]);
}

/**
 * Flags files in the same township with the same birth date whose name is the same
 * ('same-name-birth-township') or one edit away ('similar-name').
 */
export async function flagDuplicates(em: Tx, childId: string, data: ChildData, now: Date): Promise<DuplicateFlag[]> {
  const others = await em.execute<{ child_id: string; name: string }[]>(
    `select child_id, name from children where township = ? and birth_date = ?::date and merged_into is null and child_id <> ? order by child_id`,
    [data.township, data.birthDate, childId],
  );
  const flags: DuplicateFlag[] = [];
  for (const o of others) {
    const d = editDistance(o.name, data.name);
    if (d > 1) continue;
    const reason: DuplicateReason = d === 0 ? 'same-name-birth-township' : 'similar-name';
    const [row] = await em.execute(
      `insert into duplicate_flags (id, child_id, other_child_id, reason, status, created_at) values (?, ?, ?, ?, 'open', ?) returning *`,
      [randomUUID(), childId, o.child_id, reason, now],
    );
    flags.push(toFlag(row!));
  }
  return flags;
}

/** A unique violation (another writer committed the same file number or ID number first) as a ConflictError. */
export function asConflict(err: unknown): unknown {
  const e = err as { code?: string; constraint?: string; message?: string };
  if (e?.code !== '23505' && !/duplicate key/.test(e?.message ?? '')) return err;
  const onId = /id_number/.test(`${e.constraint ?? ''} ${e.message ?? ''}`);
  return new ConflictError(onId ? 'this ID number is already on another file' : 'a file with this number already exists', { field: onId ? 'idNumber' : 'childId' });
}
