import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { cpuGroups, cpuMeter, driveNotes, type LoadResult, openCases, waitReady } from './load';
import { collectProfile, type ProfileSummary } from './cpu-profile';
import { appEnv, freePort, intEnv, log, newPrefix, profileDir, spawnApp, tempDir, waitFor } from './support';

/*
 * Metric 5: the single-machine default, `main.js --with-worker` on PGlite in a temp DATA_DIR (no
 * DATABASE_URL), driven like the PostgreSQL stack; the rows are counted afterwards by opening the
 * same PGlite folder in this process once the API has exited.
 */

export const EMBEDDED_SETTINGS = {
  cases: intEnv('BENCH_EMBEDDED_CASES', 200),
  connections: intEnv('BENCH_EMBEDDED_CONNECTIONS', 16),
  warmup: intEnv('BENCH_EMBEDDED_WARMUP', 500),
  seconds: intEnv('BENCH_EMBEDDED_SECONDS', 15),
  cpuProfile: process.env.BENCH_CPU_PROF === '1',
};

export interface EmbeddedResult {
  opened: number;
  max: LoadResult;
  verified: { noteRows: number; notesSent: number; historyRows: number; expected: number; ok: boolean };
  cores: Record<string, number>;
  profile?: ProfileSummary;
}

export async function embedded(): Promise<EmbeddedResult> {
  const s = EMBEDDED_SETTINGS;
  const dataDir = tempDir('embedded');
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env = appEnv({ DATA_DIR: dataDir, PORT: String(port), QUEUE_PREFIX: newPrefix('embedded'), KERNEL_ACCEPT_WITHIN_MS: '86400000', DEMO_SEED: 'on' });
  const profDir = s.cpuProfile ? profileDir('prof-embedded') : undefined;
  const app = spawnApp('api', env, { args: ['--with-worker'], nodeArgs: profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [] });
  await waitReady(baseUrl, 120_000);
  // The demo directory's tokens are printed once on the first start; the police officer's will do.
  const token = await waitFor('the demo tokens', async () => /^\s+police\s+\S+\s+\S+\s+(shouhu_\S+)\s*$/m.exec(app.output())?.[1], 30_000);

  log(`embedded: opening ${s.cases} cases`);
  const caseIds = await openCases(baseUrl, token, s.cases);
  const load = { baseUrl, token, caseIds, connections: s.connections };
  const warmup = await driveNotes({ ...load, amount: s.warmup, label: 'e-warmup' });
  const amount = Math.max(1000, Math.round(warmup.rate * s.seconds));
  log(`embedded: ${amount} NOTE events (warm-up rate ${warmup.rate.toFixed(0)}/s)`);
  const cores = cpuMeter(cpuGroups({ 'api + worker (embedded)': app.child.pid }));
  const max = await driveNotes({ ...load, amount, label: 'e-max' });
  const coresUsed = cores();
  log(`embedded: ${max.ok} x 2xx in ${max.seconds.toFixed(1)} s = ${max.rate.toFixed(0)}/s; statuses ${JSON.stringify(max.statuses)}; cores ${JSON.stringify(coresUsed)}`);
  const code = await app.stop(60_000);
  if (code !== 0) log(`embedded: the API exited with ${code}`);
  const profile = profDir ? collectProfile(profDir, 'embedded API + worker') : undefined;

  const pg = new PGlite(join(dataDir, 'pglite'));
  try {
    const notesSent = warmup.ok + max.ok;
    const notes = await pg.query<{ n: number }>(`select count(*)::int as n from case_events where event_type = 'NOTE'`);
    const mine = await pg.query<{ n: number }>(`select count(*)::int as n from case_events where case_id = any($1::uuid[])`, [caseIds]);
    const noteRows = notes.rows[0]!.n;
    const historyRows = mine.rows[0]!.n;
    const expected = caseIds.length + notesSent;
    const verified = { noteRows, notesSent, historyRows, expected, ok: noteRows === notesSent && historyRows === expected };
    log(`embedded: verified ${historyRows} history rows, expected ${expected} (${verified.ok ? 'exact' : 'MISMATCH'})`);
    return { opened: caseIds.length, max, verified, cores: coresUsed, profile };
  } finally {
    await pg.close();
  }
}
