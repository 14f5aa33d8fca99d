import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { Client } from 'pg';
import { DirectoryService, seedCountyDirectory } from '#shouhu/directory';
import { Database } from '#shouhu/persistence';

/*
 * The real stack for end-to-end tests: a fresh PostgreSQL database on this machine, the Redis at
 * 127.0.0.1:6379 under a queue prefix of its own, and the built API and worker as child processes.
 */

export const PG_ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ROOT = resolve(__dirname, '../..');

export const TOKENS = {
  school: 'tok-school-maluguo',
  police: 'tok-police-maluguo',
  civilAffairs: 'tok-civil-affairs',
  otherPolice: 'tok-police-jinhua',
} as const;

export async function createTestDatabase(label: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `shouhu_${label}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  return {
    url,
    drop: async () => {
      const c = new Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export interface TestPerson {
  userId: string;
  userName: string;
  unitId: string;
  role: string;
  token: string;
}

/** Migrates and seeds the county directory with known tokens (and any extra people), then closes. */
export async function prepareDatabase(url: string, people: TestPerson[] = []): Promise<void> {
  const db = await Database.open({ kind: 'postgres', url });
  try {
    await db.migrate();
    const directory = new DirectoryService(db);
    await seedCountyDirectory(directory);
    await directory.issueToken({ userId: 'teacher-li', userName: '李老师', unitId: 'maluguo-school', role: 'school' }, TOKENS.school);
    await directory.issueToken({ userId: 'officer-wang', userName: '王警官', unitId: 'maluguo-police', role: 'police' }, TOKENS.police);
    await directory.issueToken({ userId: 'worker-zhang', userName: '张社工', unitId: 'changbai-civil-affairs', role: 'civil_affairs' }, TOKENS.civilAffairs);
    await directory.issueToken({ userId: 'officer-kim', userName: '金警官', unitId: 'jinhua-police', role: 'police' }, TOKENS.otherPolice);
    for (const { token, ...person } of people) await directory.issueToken(person, token);
  } finally {
    await db.close();
  }
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
    srv.on('error', rej);
  });
}

export interface StackProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

export function startProcess(entry: 'api' | 'worker', env: Record<string, string>, extraArgs: string[] = []): StackProcess {
  const child = spawn(process.execPath, [resolve(ROOT, `dist/apps/${entry}/src/main.js`), ...extraArgs], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  return { child, output: () => out, exited };
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 15_000, everyMs = 100): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** Environment for API and worker processes of one test file. */
export function stackEnv(databaseUrl: string, port: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    PORT: String(port),
    QUEUE_PREFIX: `e2e-${randomBytes(4).toString('hex')}`,
    CASE_DEFINITION_MODULES: resolve(ROOT, 'dist/test/fixtures/deadline-case.js'),
    RECONCILE_INTERVAL_MS: '500',
    OUTBOX_GRACE_MS: '500',
    LOG_LEVEL: 'warn',
    DEMO_SEED: 'off',
    ...extra,
  };
}

/** The built API and one worker on `env`, both ready; `stop()` sends SIGTERM and waits for both. */
export interface RunningStack {
  api: StackProcess;
  worker: StackProcess;
  client: ApiClient;
  stop: () => Promise<void>;
}

export async function startApiAndWorker(env: Record<string, string>, readyWithinMs = 30_000): Promise<RunningStack> {
  const api = startProcess('api', env);
  const worker = startProcess('worker', env);
  const client = new ApiClient(`http://127.0.0.1:${env.PORT}`);
  const stop = async () => {
    worker.child.kill('SIGTERM');
    api.child.kill('SIGTERM');
    await Promise.all([worker.exited, api.exited]);
  };
  try {
    await waitFor('the API', async () => (await client.call('GET', '/health/ready', null)).status === 200, readyWithinMs);
    await waitFor('the worker', async () => worker.output().includes('worker started'), readyWithinMs);
  } catch (err) {
    await stop();
    throw err;
  }
  return { api, worker, client, stop };
}

export class ApiClient {
  constructor(readonly baseUrl: string) {}

  async call(method: string, path: string, token: string | null, body?: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(`${this.baseUrl}/api/v1${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as any) : null, headers: res.headers };
  }
}
