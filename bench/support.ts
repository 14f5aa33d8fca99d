import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import IORedis from 'ioredis';
import { Client } from 'pg';

/*
 * What every benchmark needs: its sizes from the environment, a fresh PostgreSQL database, the
 * built API and worker as child processes, its own Redis key prefix, and a clean-up that runs
 * whatever happens (databases dropped, keys deleted, processes killed, temp folders removed).
 */

export const ROOT = resolve(__dirname, '..', '..');
export const PG_ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const RUN_ID = randomBytes(3).toString('hex');

export function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, not "${raw}"`);
  return Math.floor(n);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function log(msg: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

// ---- clean-up: registered as things are made, run in reverse order once ----

const cleanups: { what: string; run: () => Promise<void> | void }[] = [];
let cleaning: Promise<void> | undefined;

export function onCleanup(what: string, run: () => Promise<void> | void): void {
  cleanups.push({ what, run });
}

export function cleanupAll(): Promise<void> {
  cleaning ??= (async () => {
    while (cleanups.length > 0) {
      const c = cleanups.pop()!;
      try {
        await c.run();
      } catch (err) {
        log(`clean-up of ${c.what} failed: ${String(err)}`);
      }
    }
  })();
  return cleaning;
}

// ---- PostgreSQL ----

export interface BenchDatabase {
  name: string;
  url: string;
  drop: () => Promise<void>;
}

/** A fresh database, empty or a copy of `template` (which must have no open connection). */
export async function createDatabase(label: string, template?: string): Promise<BenchDatabase> {
  const name = `shouhu_bench_${label}_${RUN_ID}`;
  const admin = new Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}${template ? ` template ${template}` : ''}`);
  await admin.end();
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    const c = new Client({ connectionString: PG_ADMIN_URL });
    await c.connect();
    await c.query(`drop database if exists ${name} with (force)`);
    await c.end();
  };
  onCleanup(`database ${name}`, drop);
  return { name, url: PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`), drop };
}

export async function serverVersions(): Promise<{ postgres: string; redis: string }> {
  const c = new Client({ connectionString: PG_ADMIN_URL });
  await c.connect();
  const pg = (await c.query<{ v: string }>(`select current_setting('server_version') as v`)).rows[0]!.v;
  await c.end();
  const r = new IORedis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const info = await r.info('server');
  r.disconnect();
  return { postgres: pg, redis: /redis_version:(\S+)/.exec(info)?.[1] ?? '?' };
}

// ---- Redis: only our own prefix is ever touched ----

export function newPrefix(label: string): string {
  const prefix = `bench-${RUN_ID}-${label}`;
  onCleanup(`redis keys ${prefix}:*`, () => deletePrefix(prefix).then(() => undefined));
  return prefix;
}

/** Deletes every key under `prefix:` (SCAN + UNLINK; never FLUSHALL: this Redis is shared). */
export async function deletePrefix(prefix: string): Promise<number> {
  const r = new IORedis(REDIS_URL, { maxRetriesPerRequest: 3 });
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 5000);
      cursor = next;
      if (keys.length > 0) deleted += await r.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
  return deleted;
}

// ---- temp folders and ports ----

export function tempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `shouhu-bench-${label}-`));
  onCleanup(`folder ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Where `--cpu-prof` writes: BENCH_PROFILE_DIR/<label> (kept) or a temp folder (removed). */
export function profileDir(label: string): string {
  const keep = process.env.BENCH_PROFILE_DIR;
  if (!keep) return tempDir(label);
  const dir = resolve(keep, label);
  mkdirSync(dir, { recursive: true });
  return dir;
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

// ---- the built API and worker ----

export interface Spawned {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  /** SIGTERM (graceful drain, exit 0; a --cpu-prof profile is written), SIGKILL after `graceMs`. */
  stop: (graceMs?: number) => Promise<number | null>;
}

export function spawnApp(entry: 'api' | 'worker' | 'floor', env: Record<string, string>, opts: { args?: string[]; nodeArgs?: string[] } = {}): Spawned {
  const script = entry === 'floor' ? resolve(__dirname, 'http-floor-server.js') : resolve(ROOT, `dist/apps/${entry}/src/main.js`);
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), script, ...(opts.args ?? [])], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (d: Buffer) => {
    out += d.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  let stopping: Promise<number | null> | undefined;
  const stop = (graceMs = 20_000) => {
    stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(t);
      return code;
    })();
    return stopping;
  };
  onCleanup(`${entry} process ${child.pid}`, () => stop(5000).then(() => undefined));
  return { child, output: () => out, exited, stop };
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      last = err;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

export async function waitForOutput(p: Spawned, text: string, what: string, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    what,
    async () => {
      if (p.child.exitCode !== null) throw new Error(`${what}: the process exited with ${p.child.exitCode}:\n${p.output().slice(-3000)}`);
      return p.output().includes(text);
    },
    timeoutMs,
  ).catch((err: unknown) => {
    throw new Error(`${String(err)}\n--- output ---\n${p.output().slice(-3000)}`);
  });
}

/** Environment of a spawned API or worker running the kernel test machine. */
export function appEnv(extra: Record<string, string>): Record<string, string> {
  return {
    REDIS_URL,
    CASE_DEFINITION_MODULES: resolve(ROOT, 'dist/test/fixtures/deadline-case.js'),
    LOG_LEVEL: 'warn',
    DEMO_SEED: 'off',
    ...extra,
  };
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}
