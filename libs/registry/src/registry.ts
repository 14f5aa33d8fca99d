import { randomUUID } from 'node:crypto';
import { type Actor, BadRequestError, type Clock, ConflictError, NotFoundError, SYSTEM_ROLE, UnprocessableError } from '#shouhu/engine';
import type { Database } from '#shouhu/persistence';
import { localDate } from './dates';
import { mergeFiles, type MergeResult } from './merge';
import { maskHistory, maskedView, mayReadFullFile } from './mask';
import { type ImportOptions, type ImportResult, type ImportRow, MAX_IMPORT_ROWS, parseRegistryCsv } from './csv-import';
import { parseRegistryXlsx } from './xlsx-import';
import {
  asConflict, assertIdNumberFree, COLS, dataOf, diff, flagDuplicates, flagDuplicatesOfBatch, insertFile, insertFiles, loadFile, toFile, toFlag, type Tx, updateFile, writeVersion,
} from './store';
import { type ChildData, type ChildFile, type ChildInput, type ChildPatch, type ChildVersion, type ChildView, DATA_FIELDS, type DuplicateFlag, LIVING, type Living, type RowError } from './types';
import { CHILD_ID, validateChildData } from './validate';

export interface CreateResult {
  /** The file as written, masked (read it with `get` to see it in full). */
  file: ChildView;
  /** Likely duplicates found on creation; the file is created all the same. */
  duplicateFlags: DuplicateFlag[];
}

export interface ListFilter {
  township?: string;
  village?: string;
  /** Files whose school is any of these (a school's own pupils: its unit id or its name). */
  schoolAnyOf?: string[];
  living?: Living;
  keyChild?: boolean;
  limit?: number;
  offset?: number;
}

const IMPORT_CHUNK = 100;

export type CensusFormat = 'csv' | 'xlsx';

export interface ImportTransactionHooks {
  begin?: (em: Tx) => Promise<void>;
  commit?: (em: Tx, result: ImportResult) => Promise<void>;
}

/**
 * A township's staff and the units below it (its police station, villages, schools) see their own
 * township's files, as `list` does; county units see every file. Another township's file is not found.
 */
function seesTownship(actor: Actor | undefined, township: string): boolean {
  if (!actor || actor.role === SYSTEM_ROLE) return true;
  const own = actor.jurisdictionPath.split('/')[1];
  return own === undefined || own === township;
}

/** The registry: one file per child (一人一档案), every change versioned, full reads logged. */
export class ChildRegistry {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  async create(input: ChildInput, actor: Actor): Promise<CreateResult> {
    const { childId, data } = this.check(input);
    return this.tx(async (em) => {
      const { file, duplicateFlags } = await this.createIn(em, childId, data, actor);
      return { file: maskedView(file), duplicateFlags };
    });
  }

  /** Changes some fields; `expectedVersion` (when given) must be the file's current version. */
  async update(childId: string, patch: ChildPatch, actor: Actor, expectedVersion?: number): Promise<ChildView> {
    const unknown = Object.keys(patch ?? {}).filter((k) => !(DATA_FIELDS as string[]).includes(k));
    if (unknown.length > 0) throw new BadRequestError(`not a field of the file: ${unknown.join(', ')}`, { errors: unknown.map((field) => ({ field, message: 'unknown field' })) });
    return this.tx(async (em) => maskedView(await this.updateIn(em, childId, patch, actor, expectedVersion)));
  }

  /** The file; ID number and phones masked unless the actor's role may see them, and then the read is logged. */
  async get(childId: string, actor: Actor): Promise<ChildView & { mergedInto: string | null }> {
    const em = this.db.em();
    const file = await loadFile(em, childId);
    if (!file || !seesTownship(actor, file.township)) throw new NotFoundError('child', childId);
    if (!mayReadFullFile(actor.role)) return maskedView(file) as ChildView & { mergedInto: string | null };
    await em.execute('insert into child_file_reads (id, child_id, user_id, unit_id, role, at) values (?, ?, ?, ?, ?, ?)', [
      randomUUID(), childId, actor.userId, actor.unitId, actor.role, this.clock.now(),
    ]);
    return { ...file, masked: false };
  }

  /**
   * Every version of the file, oldest first, including the versions of the files merged into it
   * (each version keeps its own `childId`). Masked unless `actor` may read full files.
   */
  async history(childId: string, actor?: Actor): Promise<ChildVersion[]> {
    const em = this.db.em();
    const file = await loadFile(em, childId);
    if (!file || !seesTownship(actor, file.township)) throw new NotFoundError('child', childId);
    const rows = await em.execute(
      `with recursive fam(id) as (select ?::text union select c.child_id from children c join fam on c.merged_into = fam.id)
       select v.* from child_versions v join fam on v.child_id = fam.id order by v.changed_at, v.child_id = ? , v.version`,
      [childId, childId],
    );
    const versions: ChildVersion[] = rows.map((r: any) => ({
      childId: r.child_id, version: Number(r.version), changedBy: r.changed_by, changedAt: new Date(r.changed_at),
      changes: typeof r.changes === 'string' ? JSON.parse(r.changes) : r.changes, snapshot: typeof r.snapshot === 'string' ? JSON.parse(r.snapshot) : r.snapshot,
    }));
    return actor && mayReadFullFile(actor.role) ? versions : versions.map(maskHistory);
  }

  /** Files (not merged away), always masked, by township, village, name. */
  async list(filter: ListFilter, _actor: Actor): Promise<{ items: ChildView[]; total: number }> {
    const limit = filter.limit ?? 50, offset = filter.offset ?? 0;
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new BadRequestError('limit must be 1–500', { limit });
    if (!Number.isInteger(offset) || offset < 0) throw new BadRequestError('offset must be ≥ 0', { offset });
    if (filter.living !== undefined && !LIVING.includes(filter.living)) throw new BadRequestError(`living must be one of ${LIVING.join(', ')}`, { living: filter.living });
    const where = ['merged_into is null'];
    const params: unknown[] = [];
    const eq = (col: string, v: unknown) => v !== undefined && (where.push(`${col} = ?`), params.push(v));
    eq('township', filter.township), eq('village', filter.village), eq('living', filter.living), eq('key_child', filter.keyChild);
    if (filter.schoolAnyOf) {
      where.push(filter.schoolAnyOf.length === 0 ? 'false' : `school in (${filter.schoolAnyOf.map(() => '?').join(', ')})`);
      params.push(...filter.schoolAnyOf);
    }
    const em = this.db.em();
    const [{ n }] = (await em.execute(`select count(*)::int as n from children where ${where.join(' and ')}`, params)) as [{ n: number }];
    const rows = await em.execute(`select ${COLS} from children where ${where.join(' and ')} order by township, village, name, child_id limit ? offset ?`, [...params, limit, offset]);
    return { items: rows.map((r) => maskedView(toFile(r))), total: Number(n) };
  }

  /** Flags that name the file (either side), newest first. */
  async flags(childId: string): Promise<DuplicateFlag[]> {
    const rows = await this.db.em().execute('select * from duplicate_flags where ? in (child_id, other_child_id) order by created_at desc, id', [childId]);
    return rows.map(toFlag);
  }

  async dismissFlag(flagId: string, actor: Actor): Promise<DuplicateFlag> {
    const em = this.db.em();
    const [row] = await em.execute(`update duplicate_flags set status = 'dismissed', resolved_by = ?, resolved_at = ? where id::text = ? and status = 'open' returning *`, [actor.userId, this.clock.now(), flagId]);
    if (row) return toFlag(row);
    const [other] = await em.execute('select status from duplicate_flags where id::text = ?', [flagId]);
    if (!other) throw new NotFoundError('duplicateFlag', flagId);
    throw new ConflictError(`the flag is already ${other.status}`, { flagId, status: other.status });
  }

  /** See `mergeFiles`: the kept file records a merge version; the dropped one stays readable but no longer lists. */
  async merge(keepId: string, dropId: string, actor: Actor): Promise<MergeResult> {
    return this.tx((em) => mergeFiles(em, keepId, dropId, actor, this.clock.now()));
  }

  /**
   * A township's census CSV (see `parseRegistryCsv` for the columns): every row is checked first;
   * any bad row → BadRequestError `{ errors: [{ row, field, message }] }` and nothing written.
   * Otherwise one transaction creates or updates each file (one version per changed file), in
   * chunks of 100 rows, calling `onProgress(done, total)` after each chunk.
   */
  async importCsv(text: string, actor: Actor, options: ImportOptions): Promise<ImportResult> {
    const { rows, errors } = await this.parseCensus('csv', text, options.township);
    if (errors.length > 0) throw invalid(errors);
    return this.importRows(rows, actor, options);
  }

  /** Reads and checks every row of a census file (CSV text, or XLSX bytes) against today's date. */
  async parseCensus(format: CensusFormat, file: string | Buffer, township: string): Promise<{ rows: ImportRow[]; errors: RowError[] }> {
    const today = localDate(this.clock.now());
    const parsed = format === 'csv'
      ? parseRegistryCsv(typeof file === 'string' ? file : file.toString('utf8'), township, today)
      : await parseRegistryXlsx(typeof file === 'string' ? Buffer.from(file) : file, township, today);
    if (parsed.errors.length === 0 && parsed.rows.length > MAX_IMPORT_ROWS) {
      return { rows: [], errors: [{ row: 0, field: 'rows', message: `at most ${MAX_IMPORT_ROWS} rows at once` }] };
    }
    return parsed;
  }

  /**
   * Writes checked rows in one transaction (all or nothing): a row that clashes with the database
   * (an ID number on another file, a merged file) → BadRequestError with the row errors. `within`
   * runs at the start of the transaction and just before its commit (an import job locks itself
   * and records `done` with the files).
   */
  async importRows(rows: ImportRow[], actor: Actor, options: ImportOptions & { within?: ImportTransactionHooks }): Promise<ImportResult> {
    return this.tx(async (em) => {
      await options.within?.begin?.(em);
      const ids = rows.flatMap((r) => (r.data.idNumber ? [r.data.idNumber] : []));
      const holders = new Map<string, string>();
      const existing = new Map<string, string | null>();
      for (let at = 0; at < Math.max(ids.length, rows.length); at += 5000) {
        const idPage = ids.slice(at, at + 5000), childPage = rows.slice(at, at + 5000).map((r) => r.childId);
        if (idPage.length > 0) {
          for (const h of await em.execute<{ child_id: string; id_number: string }[]>(
            `select child_id, id_number from children where id_number in (${idPage.map(() => '?').join(', ')})`, idPage)) holders.set(h.id_number, h.child_id);
        }
        if (childPage.length > 0) {
          for (const x of await em.execute<{ child_id: string; merged_into: string | null }[]>(
            `select child_id, merged_into from children where child_id in (${childPage.map(() => '?').join(', ')})`, childPage)) existing.set(x.child_id, x.merged_into);
        }
      }
      const rowErrors: RowError[] = [];
      for (const r of rows) {
        const holder = r.data.idNumber ? holders.get(r.data.idNumber) : undefined;
        if (holder !== undefined && holder !== r.childId) rowErrors.push({ row: r.row, field: 'idNumber', message: `this ID number is already on file ${holder}` });
        const merged = existing.get(r.childId);
        if (merged) rowErrors.push({ row: r.row, field: 'childId', message: `this file was merged into ${merged}; use that file number` });
      }
      if (rowErrors.length > 0) throw invalid(rowErrors);

      const result: ImportResult = { created: 0, updated: 0, unchanged: 0, duplicateFlags: [] };
      for (let at = 0; at < rows.length; at += IMPORT_CHUNK) {
        const chunk = rows.slice(at, at + IMPORT_CHUNK);
        // New files of the chunk in two multi-row inserts (their numbers and ID numbers were checked above).
        const fresh = chunk.filter((r) => !existing.has(r.childId)).map((r) => ({ childId: r.childId, data: r.data }));
        const now = this.clock.now();
        await insertFiles(em, fresh, actor.userId, now);
        result.duplicateFlags.push(...(await flagDuplicatesOfBatch(em, fresh, now)));
        result.created += fresh.length;
        for (const r of chunk.filter((x) => existing.has(x.childId))) {
          try {
            const before = await loadFile(em, r.childId);
            const after = await this.updateIn(em, r.childId, r.patch, actor);
            result[after.version === before!.version ? 'unchanged' : 'updated']++;
          } catch (err) {
            if (err instanceof BadRequestError && Array.isArray(err.details.errors)) {
              throw invalid((err.details.errors as RowError[]).map((e) => ({ ...e, row: r.row })));
            }
            throw err;
          }
        }
        options.onProgress?.(Math.min(at + IMPORT_CHUNK, rows.length), rows.length);
      }
      await options.within?.commit?.(em, result);
      return result;
    });
  }

  private check(input: ChildInput): { childId: string; data: ChildData } {
    const childId = typeof input?.childId === 'string' ? input.childId.trim() : '';
    const { data, problems } = validateChildData(input ?? {}, localDate(this.clock.now()));
    if (!CHILD_ID.test(childId)) problems.unshift({ field: 'childId', message: 'must be 1–64 letters, digits, "_" or "-", starting with a letter or digit' });
    if (problems.length > 0) throw invalid(problems.map((p) => ({ row: 0, ...p })));
    return { childId, data };
  }

  private async createIn(em: Tx, childId: string, data: ChildData, actor: Actor) {
    if (await loadFile(em, childId)) throw new ConflictError(`file ${childId} already exists`, { childId });
    await assertIdNumberFree(em, data.idNumber, childId);
    const now = this.clock.now();
    await insertFile(em, childId, data, actor.userId, now);
    const duplicateFlags = await flagDuplicates(em, childId, data, now);
    return { file: (await loadFile(em, childId))!, duplicateFlags };
  }

  private async updateIn(em: Tx, childId: string, patch: ChildPatch, actor: Actor, expectedVersion?: number): Promise<ChildFile> {
    const current = await loadFile(em, childId, true);
    if (!current || !seesTownship(actor, current.township)) throw new NotFoundError('child', childId);
    if (current.mergedInto) throw new UnprocessableError(`file ${childId} was merged into ${current.mergedInto}`, { childId, mergedInto: current.mergedInto });
    if (expectedVersion !== undefined && expectedVersion !== current.version) {
      throw new ConflictError(`file ${childId} is at version ${current.version}, not ${expectedVersion}`, { childId, expectedVersion, version: current.version });
    }
    const { data, problems } = validateChildData({ ...dataOf(current), ...patch }, localDate(this.clock.now()));
    if (problems.length > 0) throw invalid(problems.map((p) => ({ row: 0, ...p })));
    const changes = diff(dataOf(current), data);
    if (Object.keys(changes).length === 0) return current;
    if (changes.idNumber) await assertIdNumberFree(em, data.idNumber, childId);
    const now = this.clock.now();
    if (!(await updateFile(em, childId, current.version, data, actor.userId, now))) throw new ConflictError(`file ${childId} changed meanwhile`, { childId });
    await writeVersion(em, childId, current.version + 1, actor.userId, now, changes, { childId, ...data });
    return (await loadFile(em, childId))!;
  }

  private async tx<T>(work: (em: Tx) => Promise<T>): Promise<T> {
    try {
      return await this.db.em().transactional((em) => work(em as Tx));
    } catch (err) {
      throw asConflict(err);
    }
  }
}

export function invalid(errors: RowError[]): BadRequestError {
  return new BadRequestError(`${errors.length} problem(s) in the registry data; nothing was written`, { errors });
}
