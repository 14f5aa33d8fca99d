import { BadRequestError } from '#shouhu/engine';
import type { ImportJobView, RegistryImportJobs } from './import-jobs';
import type { LivingAloneReports } from './living-alone-reports';
import type { ChildRegistry } from './registry';
import type { RowError } from './types';

export interface ImportRunLog {
  progress(fields: { importId: string; requestId: string | null; processed: number; total: number }): void;
}

/**
 * Runs one registry import (the worker's job handler; framework-free). Idempotent: a finished import
 * is left alone; an unfinished one (first run, or a re-run after a crash) is read and checked again
 * and written in ONE transaction that also records `done`, so a crash leaves nothing half-imported
 * and the retry starts over. A transaction-scoped advisory lock keeps two deliveries of the same job
 * from writing at once. Progress is written per chunk outside that transaction, at most one update in
 * flight (a chunk that finds one still running skips its own: the next one carries the count).
 */
export class RegistryImportRunner {
  constructor(
    private readonly jobs: RegistryImportJobs,
    private readonly registry: ChildRegistry,
    private readonly livingAlone: LivingAloneReports | null,
    private readonly log?: ImportRunLog,
  ) {}

  /**
   * Returns what became of the import: its finished status, or `busy` when another run holds it.
   * An unexpected error is rethrown (the job retries) — on the last attempt (`finalAttempt`) the
   * import is first marked `failed`.
   */
  async run(importId: string, finalAttempt = true): Promise<ImportJobView['status'] | 'missing' | 'busy'> {
    const job = await this.jobs.load(importId);
    if (!job) return 'missing';
    if (job.status === 'done' || job.status === 'rejected' || job.status === 'failed') return job.status;
    try {
      if (!(await this.jobs.begin(importId, 'validating'))) return (await this.jobs.load(importId))!.status;
      const { rows, errors } = await this.registry.parseCensus(job.format, job.content, job.township);
      if (errors.length > 0) return this.reject(importId, errors);
      if (rows.length === 0) return this.reject(importId, [{ row: 0, field: 'rows', message: 'the file has no data rows' }]);
      if (!(await this.jobs.begin(importId, 'importing', rows.length))) return (await this.jobs.load(importId))!.status;

      let inFlight: Promise<void> | null = null;
      let busy = false;
      const onProgress = (done: number, total: number) => {
        this.log?.progress({ importId, requestId: job.requestId, processed: done, total });
        if (inFlight) return;
        inFlight = this.jobs.progress(importId, done).catch(() => undefined).finally(() => (inFlight = null));
      };
      try {
        await this.registry.importRows(rows, job.actor, {
          township: job.township,
          onProgress,
          within: {
            begin: async (em) => {
              const [lock] = await em.execute<{ ok: boolean }[]>(`select pg_try_advisory_xact_lock(hashtext('registry_import'), hashtext(?)) as ok`, [importId]);
              const [row] = await em.execute<{ status: string }[]>('select status from registry_import where id = ?', [importId]);
              if (!lock?.ok || row?.status !== 'importing') {
                busy = true;
                throw new BusyImport();
              }
            },
            commit: (em, r) =>
              this.jobs.finishDone(em, importId, rows.length, { created: r.created, updated: r.updated, unchanged: r.unchanged, duplicateFlags: r.duplicateFlags.length, livingAloneReports: [] }),
          },
        });
      } catch (err) {
        if (busy) return 'busy';
        throw err;
      } finally {
        await inFlight;
      }
      // After the commit: a child the import shows living alone opens its one report (idempotent per child and rule).
      if (this.livingAlone) {
        const reports = await this.livingAlone.checkTownship(this.registry, job.township, job.actor, job.requestId ?? importId);
        await this.jobs.addLivingAloneReports(importId, reports);
      }
      return 'done';
    } catch (err) {
      if (err instanceof BadRequestError && Array.isArray(err.details.errors)) return this.reject(importId, err.details.errors as RowError[]);
      if (finalAttempt) await this.jobs.finishFailed(importId, String(err));
      throw err;
    }
  }

  private async reject(importId: string, errors: RowError[]): Promise<'rejected'> {
    await this.jobs.finishRejected(importId, errors);
    return 'rejected';
  }
}

class BusyImport extends Error {
  constructor() {
    super('another run holds this import');
  }
}
