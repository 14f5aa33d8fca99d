import { cpus, loadavg } from 'node:os';
import { DirectoryService, seedCountyDirectory } from '#shouhu/directory';
import { Database } from '#shouhu/persistence';
import { idCheckDigit } from '#shouhu/registry';
import { appEnv, cleanupAll, createDatabase, freePort, intEnv, log, newPrefix, sleep, spawnApp, waitFor, waitForOutput } from './support';

/*
 * `npm run bench:import`: a township's census of BENCH_IMPORT_ROWS children (10,000) uploaded as CSV
 * to `POST /api/v1/registry/imports` of the built API, imported by the built worker, on a fresh
 * PostgreSQL database and the local Redis under a prefix of its own. Samples `GET /registry/imports/:id`
 * every BENCH_IMPORT_SAMPLE_MS (500) while it runs and prints the status and progress over time, then
 * the time from upload to `done`. Everything it made is removed at the end.
 */

const ROWS = intEnv('BENCH_IMPORT_ROWS', 10_000);
const SAMPLE_MS = intEnv('BENCH_IMPORT_SAMPLE_MS', 500);
const TOKEN = 'bench-township-token';

const HEADER = 'childId,idNumber,name,birthDate,sex,ethnicity,householdRegistration,address,village,school,health,living,parentNames,parentPhones';
const SURNAMES = ['金', '朴', '李', '崔', '王', '张', '刘', '赵', '孙', '郑'];
const GIVEN = ['小花', '明', '春梅', '志强', '丽', '海', '秀英', '建国', '玉兰', '成'];

/** One plausible row per child: distinct file and ID numbers, birth dates spread over eight years. */
function censusCsv(n: number): string {
  const lines = [HEADER];
  for (let i = 0; i < n; i++) {
    const day = 1 + (i % 28), month = 1 + (Math.floor(i / 28) % 12), yearOf = 2010 + (Math.floor(i / 336) % 8);
    const birth = `${yearOf}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    const first17 = `222426${birth.replace(/-/g, '')}${String(i % 1000).padStart(3, '0')}`;
    const name = `${SURNAMES[i % 10]}${GIVEN[Math.floor(i / 10) % 10]}${Math.floor(i / 100)}`;
    lines.push([`B${String(i).padStart(6, '0')}`, first17 + idCheckDigit(first17), name, birth, i % 2 ? '男' : '女', '朝鲜族', '长白县马鹿沟镇', `马鹿沟村${1 + (i % 9)}组`,
      'maluguo-village', i % 4 === 0 ? 'maluguo-school' : '', '健康', i % 3 === 0 ? '父母监护' : 'with-parent', '父:金大山;母:李春花', '13812345678;13912345678'].join(','));
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const db = await createDatabase('import');
  const prep = await Database.open({ kind: 'postgres', url: db.url });
  try {
    await prep.migrate();
    const directory = new DirectoryService(prep);
    await seedCountyDirectory(directory);
    await directory.issueToken({ userId: 'bench-cadre', userName: '杨镇长', unitId: 'maluguo-town', role: 'township' }, TOKEN);
  } finally {
    await prep.close();
  }
  const port = await freePort();
  const env = appEnv({ DATABASE_URL: db.url, PORT: String(port), QUEUE_PREFIX: newPrefix('import'), CASE_DEFINITION_MODULES: '' });
  const api = spawnApp('api', env);
  const worker = spawnApp('worker', env);
  const base = `http://127.0.0.1:${port}/api/v1`;
  await waitFor('the API', async () => (await fetch(`${base}/health/ready`)).status === 200, 60_000);
  await waitForOutput(worker, 'worker started', 'the worker');

  const csv = censusCsv(ROWS);
  log(`${ROWS} rows, ${(Buffer.byteLength(csv) / 1e6).toFixed(2)} MB; ${cpus().length} CPUs, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const t0 = Date.now();
  const res = await fetch(`${base}/registry/imports`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/csv' }, body: csv });
  const accepted = (await res.json()) as { id: string; status: string };
  if (res.status !== 202) throw new Error(`upload answered ${res.status}: ${JSON.stringify(accepted)}`);
  const acceptedMs = Date.now() - t0;
  const samples: string[] = [];
  let last: { status: string; processed: number; total: number; result?: unknown; errors?: unknown[] };
  for (;;) {
    const r = await fetch(`${base}/registry/imports/${accepted.id}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    last = (await r.json()) as typeof last;
    const line = `${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s  ${last.status.padEnd(10)} ${String(last.processed).padStart(6)} / ${last.total}`;
    samples.push(line);
    log(line);
    if (['done', 'rejected', 'failed'].includes(last.status)) break;
    await sleep(SAMPLE_MS);
  }
  const totalMs = Date.now() - t0;
  await Promise.all([api.stop(), worker.stop()]);
  process.stdout.write(
    [
      `registry import of ${ROWS} children through POST /registry/imports (CSV, PostgreSQL + Redis, worker job)`,
      `upload answered 202 in ${acceptedMs} ms; ${last.status} after ${(totalMs / 1000).toFixed(1)} s (sampled every ${SAMPLE_MS} ms)`,
      `result: ${JSON.stringify(last.result ?? last.errors)}`,
      ...samples,
    ].join('\n') + '\n',
  );
  if (last.status !== 'done') process.exitCode = 1;
}

main()
  .catch((err: unknown) => {
    log(`FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exitCode = 1;
  })
  .finally(() => cleanupAll());
