import { randomUUID } from 'node:crypto';
import { type Actor, BadRequestError, type Clock, NotFoundError, withinJurisdiction } from '#shouhu/engine';
import type { Database } from '#shouhu/persistence';
import type { CensusFormat } from './registry';
import type { Tx } from './store';
import type { RowError } from './types';

export const IMPORT_STATUSES = ['queued', 'validating', 'importing', 'done', 'rejected', 'failed'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];
export const FINISHED_STATUSES: readonly ImportStatus[] = ['done', 'rejected', 'failed'];

/** What a caller sees of an import (`GET /registry/imports/:id`). */
export interface ImportJobView {
  id: string;
  status: ImportStatus;
  format: CensusFormat;
  township: string;
  /** Data rows in the file (known once it is read). */
  total: number;
  /** Rows written so far inside the import's transaction (moves per 100-row chunk; `total` when done). */
  processed: number;
  /** Files the import committed (created, updated or unchanged): `total` when done, else 0. */
  imported: number;
  errors: RowError[];
  /** When done: how many files were created, updated, unchanged; likely duplicates flagged; living-alone reports opened. */
  result: { created: number; updated: number; unchanged: number; duplicateFlags: number; livingAloneReports: string[] } | null;
  createdAt: string;
  finishedAt: string | null;
}

/** An import as the worker needs it: the file and who uploaded it. */
export interface ImportJobRow extends ImportJobView {
  actor: Actor;
  requestId: string | null;
  content: Buffer;
  jurisdictionPath: string;
}

const VIEW_COLS = 'id, status, format, township, jurisdiction_path, total, processed, imported, errors, result, created_at, finished_at';
const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
const iso = (v: unknown) => (v === null || v === undefined ? null : (v instanceof Date ? v : new Date(v as string)).toISOString());

function toView(r: Record<string, any>): ImportJobView {
  return {
    id: r.id, status: r.status, format: r.format, township: r.township, total: Number(r.total), processed: Number(r.processed),
    imported: Number(r.imported), errors: json(r.errors) ?? [], result: json(r.result), createdAt: iso(r.created_at)!, finishedAt: iso(r.finished_at),
  };
}

/**
 * Registry imports kept in PostgreSQL (`registry_import`): the uploaded file and its status. The
 * worker moves the status; PostgreSQL is the truth a lost Redis job is rebuilt from.
 */
export class RegistryImportJobs {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  async create(input: { format: CensusFormat; content: Buffer; township: string; actor: Actor; requestId: string | null }): Promise<ImportJobView> {
    if (input.content.length === 0) throw new BadRequestError('the file is empty', { field: 'body' });
    const county = input.actor.jurisdictionPath.split('/')[0] || 'changbai';
    const now = this.clock.now();
    const [row] = await this.db.em().execute(
      `insert into registry_import (id, status, format, township, jurisdiction_path, actor, request_id, content, created_at, updated_at)
       values (?, 'queued', ?, ?, ?, ?::jsonb, ?, ?, ?, ?) returning ${VIEW_COLS}`,
      [randomUUID(), input.format, input.township, `${county}/${input.township}`, JSON.stringify(input.actor), input.requestId, input.content, now, now],
    );
    return toView(row!);
  }

  /**
   * The import as `actor` may see it: its uploader's unit, or anyone whose jurisdiction holds the
   * import's township (county units see every township's). Otherwise, or unknown: 404.
   */
  async view(id: string, actor: Actor): Promise<ImportJobView> {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id) ? id : null;
    const [row] = uuid ? await this.db.em().execute(`select ${VIEW_COLS}, actor->>'unitId' as unit_id from registry_import where id = ?`, [uuid]) : [];
    if (!row || !(row.unit_id === actor.unitId || withinJurisdiction(actor.jurisdictionPath, row.jurisdiction_path))) throw new NotFoundError('registryImport', id);
    return toView(row);
  }

  async load(id: string): Promise<ImportJobRow | null> {
    const [row] = await this.db.em().execute(`select ${VIEW_COLS}, actor, request_id, content from registry_import where id = ?`, [id]);
    if (!row) return null;
    const content = row.content;
    return { ...toView(row), actor: json(row.actor), requestId: row.request_id, jurisdictionPath: row.jurisdiction_path, content: Buffer.isBuffer(content) ? content : Buffer.from(content) };
  }

  /** Moves an unfinished import to `status` (with `total` when known); false when it is finished already. */
  async begin(id: string, status: 'validating' | 'importing', total?: number): Promise<boolean> {
    const rows = await this.db.em().execute(
      `update registry_import set status = ?, processed = 0, total = coalesce(?, total), updated_at = ? where id = ? and status not in ('done', 'rejected', 'failed') returning id`,
      [status, total ?? null, this.clock.now(), id],
    );
    return rows.length === 1;
  }

  /** Progress of a running import; never moves backwards, never touches a finished one. */
  async progress(id: string, processed: number): Promise<void> {
    await this.db.em().execute(
      `update registry_import set processed = greatest(processed, ?), updated_at = ? where id = ? and status = 'importing'`,
      [processed, this.clock.now(), id],
    );
  }

  /** Inside the import's transaction: done with its files, or nothing of either. */
  async finishDone(em: Tx, id: string, total: number, result: NonNullable<ImportJobView['result']>): Promise<void> {
    const now = this.clock.now();
    await em.execute(
      `update registry_import set status = 'done', total = ?, processed = ?, imported = ?, result = ?::jsonb, errors = '[]'::jsonb, content = ''::bytea, updated_at = ?, finished_at = ? where id = ?`,
      [total, total, total, JSON.stringify(result), now, now, id],
    );
  }

  /** Adds what happened after the commit (the living-alone reports) to a done import's result. */
  async addLivingAloneReports(id: string, reports: string[]): Promise<void> {
    await this.db.em().execute(
      `update registry_import set result = jsonb_set(result, '{livingAloneReports}', ?::jsonb), updated_at = ? where id = ? and status = 'done'`,
      [JSON.stringify(reports), this.clock.now(), id],
    );
  }

  async finishRejected(id: string, errors: RowError[]): Promise<void> {
    const now = this.clock.now();
    await this.db.em().execute(
      `update registry_import set status = 'rejected', errors = ?::jsonb, content = ''::bytea, processed = 0, imported = 0, updated_at = ?, finished_at = ? where id = ? and status not in ('done', 'rejected', 'failed')`,
      [JSON.stringify(errors), now, now, id],
    );
  }

  async finishFailed(id: string, failure: string): Promise<void> {
    const now = this.clock.now();
    await this.db.em().execute(
      `update registry_import set status = 'failed', failure = ?, processed = 0, imported = 0,
         errors = ?::jsonb, updated_at = ?, finished_at = ? where id = ? and status not in ('done', 'rejected', 'failed')`,
      [failure, JSON.stringify([{ row: 0, field: 'import', message: 'the import failed unexpectedly; nothing was imported (upload the file again)' }]), now, now, id],
    );
  }

  /** Unfinished imports not touched for `idleMs` (their job may be lost with Redis): the reconciler re-enqueues them. */
  async unfinishedIdleSince(before: Date, limit = 500): Promise<string[]> {
    const rows = await this.db.em().execute<{ id: string }[]>(
      `select id from registry_import where status in ('queued', 'validating', 'importing') and updated_at < ? order by created_at limit ?`,
      [before, limit],
    );
    return rows.map((r) => r.id);
  }
}
