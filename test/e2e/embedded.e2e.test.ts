import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient, freePort, type StackProcess, startProcess, waitFor } from '../support/stack';
import { resolve } from 'node:path';

/*
 * The embedded default: no DATABASE_URL (PGlite under DATA_DIR), nothing answering at REDIS_URL
 * (a redis-server is started with its data under DATA_DIR), API and worker in one process, demo
 * tokens printed on first start — and a deadline still fires.
 */
jest.setTimeout(90_000);

let dataDir: string;
let proc: StackProcess | undefined;

afterAll(async () => {
  proc?.child.kill('SIGTERM');
  await proc?.exited;
  rmSync(dataDir, { recursive: true, force: true });
});

it('starts on PGlite with its own redis-server, seeds demo tokens, and fires a deadline', async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'shouhu-embedded-'));
  const port = await freePort();
  const redisPort = await freePort();
  proc = startProcess(
    'api',
    {
      DATA_DIR: dataDir,
      PORT: String(port),
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      LOG_LEVEL: 'warn',
      CASE_DEFINITION_MODULES: resolve(__dirname, '../../dist/test/fixtures/deadline-case.js'),
      KERNEL_ACCEPT_WITHIN_MS: '1500',
      RECONCILE_INTERVAL_MS: '1000',
    },
    ['--with-worker'],
  );
  await waitFor('the embedded start', async () => proc!.output().includes('listening on'), 60_000);
  expect(existsSync(join(dataDir, 'pglite'))).toBe(true);
  expect(existsSync(join(dataDir, 'redis', 'appendonlydir'))).toBe(true);

  const token = (role: string) => new RegExp(`^\\s+${role}\\s+\\S+\\s+\\S+\\s+(shouhu_\\S+)$`, 'm').exec(proc!.output())?.[1];
  const school = token('school');
  const police = token('police');
  expect(school).toBeDefined();
  expect(police).toBeDefined();

  const client = new ApiClient(`http://127.0.0.1:${port}`);
  expect((await client.call('GET', '/health/ready', null)).status).toBe(200);
  const opened = await client.call('POST', '/cases', school!, { type: 'kernel-deadline', subject: { childId: 'c-1' }, ownerUnitId: 'maluguo-police' });
  expect(opened.status).toBe(201);
  const overdue = await waitFor('the deadline on PGlite', async () => {
    const c = await client.call('GET', `/cases/${opened.body.id}`, police!);
    return c.body.state === 'overdue' ? c.body : undefined;
  });
  expect(overdue.version).toBe(2);
  const inbox = await waitFor('the notification', async () => {
    const r = await client.call('GET', '/inbox', police!);
    return r.body.total > 0 ? r.body : undefined;
  });
  expect(inbox.items).toHaveLength(1);
  expect(inbox.items[0]).toMatchObject({ caseId: opened.body.id, unitId: 'maluguo-police', reason: 'not accepted within the deadline' });

  proc.child.kill('SIGTERM');
  expect(await proc.exited).toBe(0);
  proc = undefined;
});
