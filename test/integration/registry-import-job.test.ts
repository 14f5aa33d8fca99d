import { Workbook } from 'exceljs';
import { type Actor, ManualClock } from '#shouhu/engine';
import { Database } from '#shouhu/persistence';
import { ChildRegistry, type ImportOptions, type ImportRow, type ImportTransactionHooks, idCheckDigit, RegistryImportJobs, RegistryImportRunner } from '#shouhu/registry';
import { DATABASE_TARGETS } from '../support/databases';

/*
 * The registry import job without the queue (the worker's handler is a thin shell round it), on
 * PGlite and PostgreSQL: rejected with every row's errors and nothing written; done with progress
 * per chunk; a re-delivered job does nothing; a crash mid-import leaves nothing and the retry imports;
 * the last attempt marks it failed; two runs at once write once; a workbook imports like a CSV.
 */

jest.setTimeout(90_000);

const CADRE: Actor = { userId: 'cadre-liu', unitId: 'maluguo-town', role: 'township', jurisdictionPath: 'changbai/maluguo' };
const HEADER = 'childId,idNumber,name,birthDate,sex,ethnicity,householdRegistration,address,village,health,living';
const birth = (i: number) => `2014-${String(1 + (Math.floor(i / 28) % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`;
const idFor = (birthDate: string, seq: string) => {
  const first17 = `222426${birthDate.replace(/-/g, '')}${seq}`;
  return first17 + idCheckDigit(first17);
};
const row = (i: number, over: { birth?: string; living?: string } = {}) =>
  [`J${String(i).padStart(4, '0')}`, idFor(birth(i), String(i % 1000).padStart(3, '0')), `学生${i}号`, over.birth ?? birth(i), '女', '朝鲜族', '长白县马鹿沟镇', '马鹿沟村', 'maluguo-village', '健康', over.living ?? '父母监护'].join(',');
const csv = (n: number) => Buffer.from([HEADER, ...Array.from({ length: n }, (_, i) => row(i))].join('\n'));

/** A registry whose transaction dies after `failAfterChunks` chunks (a crash mid-import), once. */
class CrashingRegistry extends ChildRegistry {
  failAfterChunks: number | null = null;
  override importRows(rows: ImportRow[], actor: Actor, options: ImportOptions & { within?: ImportTransactionHooks }) {
    let chunks = 0;
    const failAt = this.failAfterChunks;
    this.failAfterChunks = null;
    return super.importRows(rows, actor, {
      ...options,
      onProgress: (d, t) => {
        options.onProgress?.(d, t);
        if (failAt !== null && ++chunks === failAt) throw new Error('the worker died');
      },
    });
  }
}

describe.each(DATABASE_TARGETS)('registry import job on %s', (_label, open) => {
  let h: { db: Database; dispose(): Promise<void> } | undefined;
  const clock = new ManualClock('2026-03-02T09:00:00+08:00');
  let jobs: RegistryImportJobs;
  let registry: CrashingRegistry;
  let runner: RegistryImportRunner;
  const progress: number[] = [];
  const count = async (table: string) => ((await h!.db.em().execute(`select count(*)::int as n from ${table}`)) as { n: number }[])[0]!.n;
  const upload = (content: Buffer, format: 'csv' | 'xlsx' = 'csv') => jobs.create({ format, content, township: 'maluguo', actor: CADRE, requestId: 'req-1' });

  beforeAll(async () => {
    h = await open();
    await h.db.migrate();
    jobs = new RegistryImportJobs(h.db, clock);
    registry = new CrashingRegistry(h.db, clock);
    runner = new RegistryImportRunner(jobs, registry, null, { progress: (f) => progress.push(f.processed) });
  });
  afterAll(() => h?.dispose());
  beforeEach(async () => {
    progress.length = 0;
    await h!.db.em().execute('truncate registry_import, duplicate_flags, child_file_reads, child_versions, children');
  });

  it('a file with bad rows is rejected with every row error, and nothing is imported', async () => {
    const bad = Buffer.from([HEADER, row(1), row(2, { birth: '2014-02-30' }), row(3, { living: '随便' }), row(1)].join('\n'));
    const job = await upload(bad);
    expect([job.status, job.total, job.processed, job.finishedAt]).toEqual(['queued', 0, 0, null]);
    expect(await runner.run(job.id)).toBe('rejected');
    const seen = await jobs.view(job.id, CADRE);
    expect(seen.status).toBe('rejected');
    expect(seen.errors.map((e) => `${e.row}:${e.field}`)).toEqual(['2:birthDate', '2:idNumber', '3:living', '4:idNumber', '4:childId']);
    expect([seen.processed, seen.imported, typeof seen.finishedAt]).toEqual([0, 0, 'string']);
    expect(await count('children')).toBe(0);
  });

  it('a good file is done: progress per chunk, processed == total, every file written; a re-delivered job does nothing', async () => {
    const job = await upload(csv(250));
    expect(await runner.run(job.id)).toBe('done');
    const done = await jobs.view(job.id, CADRE);
    expect([done.status, done.total, done.processed, done.imported, done.errors]).toEqual(['done', 250, 250, 250, []]);
    expect(done.result).toMatchObject({ created: 250, updated: 0, unchanged: 0 });
    expect(progress).toEqual([100, 200, 250]);
    expect(await count('children')).toBe(250);
    expect(await runner.run(job.id)).toBe('done');
    expect([await count('children'), await count('child_versions')]).toEqual([250, 250]);
  });

  it('likely duplicates inside one file are flagged as if the rows were written one after the other, across chunks', async () => {
    const lines = Array.from({ length: 150 }, (_, i) => row(i));
    const twin = (i: number, of: number, name: string) =>
      [`J${String(i).padStart(4, '0')}`, '', name, birth(of), '女', '朝鲜族', '长白县马鹿沟镇', '马鹿沟村', 'maluguo-village', '健康', '父母监护'].join(',');
    lines[120] = twin(120, 5, '学生5号'); // same name and birth date as row 5 (another chunk)
    lines[40] = twin(40, 12, '学生12'); // one edit from row 12's name, same birth date
    const job = await upload(Buffer.from([HEADER, ...lines].join('\n')));
    expect(await runner.run(job.id)).toBe('done');
    expect((await jobs.view(job.id, CADRE)).result?.duplicateFlags).toBe(2);
    const flags = await h!.db.em().execute<{ child_id: string; other_child_id: string; reason: string }[]>('select child_id, other_child_id, reason from duplicate_flags order by child_id');
    expect(flags.map((f) => `${f.child_id}>${f.other_child_id}:${f.reason}`)).toEqual(['J0040>J0012:similar-name', 'J0120>J0005:same-name-birth-township']);
  });

  it('a crash mid-import leaves nothing half-imported; the retried job imports the whole file', async () => {
    const job = await upload(csv(250));
    registry.failAfterChunks = 2;
    await expect(runner.run(job.id, false)).rejects.toThrow('the worker died');
    expect(await count('children')).toBe(0);
    expect((await jobs.view(job.id, CADRE)).status).toBe('importing');
    expect(await jobs.unfinishedIdleSince(new Date(clock.now().getTime() + 1))).toEqual([job.id]);
    expect(await runner.run(job.id, false)).toBe('done');
    expect([await count('children'), (await jobs.view(job.id, CADRE)).processed]).toEqual([250, 250]);
    expect(await jobs.unfinishedIdleSince(new Date(clock.now().getTime() + 1))).toEqual([]);
  });

  it('an unexpected error on the last attempt marks the import failed, with nothing imported', async () => {
    const job = await upload(csv(150));
    registry.failAfterChunks = 1;
    await expect(runner.run(job.id, true)).rejects.toThrow('the worker died');
    const failed = await jobs.view(job.id, CADRE);
    expect([failed.status, failed.imported, failed.errors[0]?.field]).toEqual(['failed', 0, 'import']);
    expect(await runner.run(job.id)).toBe('failed');
    expect(await count('children')).toBe(0);
  });

  it('another jurisdiction does not see the import', async () => {
    const job = await upload(csv(1));
    const other: Actor = { userId: 'x', unitId: 'jinhua-town', role: 'township', jurisdictionPath: 'changbai/jinhua' };
    await expect(jobs.view(job.id, other)).rejects.toThrow(/not found/);
    await expect(jobs.view('not-a-uuid', CADRE)).rejects.toThrow(/not found/);
    expect((await jobs.view(job.id, { ...other, unitId: 'changbai-civil-affairs', role: 'civil_affairs', jurisdictionPath: 'changbai' })).id).toBe(job.id);
  });

  it('a workbook imports like the CSV', async () => {
    const book = new Workbook();
    const sheet = book.addWorksheet('名册');
    sheet.addRow(['学籍号', '姓名', '出生日期', '性别', '民族', '户籍', '住址', '村', '健康状况', '居住情况']);
    sheet.addRow(['W1', '金小花', new Date(Date.UTC(2014, 4, 6)), '女', '朝鲜族', '长白县马鹿沟镇', '马鹿沟村', 'maluguo-village', '健康', '父母监护']);
    sheet.addRow(['W2', '王小明', '2015-09-10', '男', '汉族', '长白县马鹿沟镇', '马鹿沟村', 'maluguo-village', '健康', '父母监护']);
    const job = await upload(Buffer.from(await book.xlsx.writeBuffer()), 'xlsx');
    expect(await runner.run(job.id)).toBe('done');
    expect((await registry.get('W1', { ...CADRE, role: 'civil_affairs' })).birthDate).toBe('2014-05-06');
    expect(await count('children')).toBe(2);
  });
});

describe('two runs of one import at once (PostgreSQL)', () => {
  it('write the files once', async () => {
    const h = await DATABASE_TARGETS[1]![1]();
    try {
      await h.db.migrate();
      const clock = new ManualClock('2026-03-02T09:00:00+08:00');
      const jobs = new RegistryImportJobs(h.db, clock);
      const registry = new ChildRegistry(h.db, clock);
      const job = await jobs.create({ format: 'csv', content: csv(300), township: 'maluguo', actor: CADRE, requestId: null });
      const outcomes = await Promise.allSettled([new RegistryImportRunner(jobs, registry, null).run(job.id), new RegistryImportRunner(jobs, registry, null).run(job.id)]);
      const values = outcomes.map((o) => (o.status === 'fulfilled' ? o.value : `error: ${String(o.reason)}`));
      expect(values).toContain('done');
      expect((await jobs.view(job.id, CADRE)).status).toBe('done');
      const [{ n }] = (await h.db.em().execute('select count(*)::int as n from child_versions')) as [{ n: number }];
      expect(n).toBe(300);
    } finally {
      await h.dispose();
    }
  });
});
