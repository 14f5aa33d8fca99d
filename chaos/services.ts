import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { freePort, onCleanup, sleep, waitFor } from '../bench/support';
import { log } from './log';

/*
 * The chaos run's own PostgreSQL cluster and Redis, on free loopback ports and in a temp folder:
 * the shared servers on 5432 and 6379 are never flushed, stopped or restarted. Both are stopped
 * and their folders removed by the clean-up, whatever happens.
 */

/** Debian's PostgreSQL binaries: CHAOS_PG_BIN, else the newest /usr/lib/postgresql/<major>/bin. */
function pgBinDir(): string {
  if (process.env.CHAOS_PG_BIN) return process.env.CHAOS_PG_BIN;
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a)) : [];
  if (majors.length === 0) throw new Error('no PostgreSQL binaries under /usr/lib/postgresql; set CHAOS_PG_BIN to the folder holding initdb and pg_ctl');
  return join(root, majors[0]!, 'bin');
}

/** PostgreSQL refuses to run as root: its tools run as the `postgres` OS user when we are root. */
function asPostgres(cmd: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
}

/** Asynchronous, so that the load and the clocks of this process keep running while PostgreSQL stops and starts. */
function run(cmd: string, args: string[], timeoutMs = 60_000): Promise<string> {
  const [file, argv] = asPostgres(cmd, args);
  return new Promise((res, rej) =>
    execFile(file, argv, { encoding: 'utf8', timeout: timeoutMs }, (err, stdout, stderr) => (err ? rej(new Error(`${cmd} ${args.join(' ')}: ${String(err)}\n${stderr}`)) : res(stdout))),
  );
}

export class PrivatePostgres {
  private readonly bin = pgBinDir();
  readonly dir: string;
  readonly data: string;
  private constructor(readonly port: number) {
    this.dir = mkdtempSync(join(tmpdir(), 'shouhu-chaos-pg-'));
    if (process.getuid?.() === 0) chownSync(this.dir, Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()), Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()));
    this.data = join(this.dir, 'data');
  }

  /** initdb (trust, no fsync) and start; registered for clean-up before anything can fail. */
  static async start(): Promise<PrivatePostgres> {
    const pg = new PrivatePostgres(await freePort());
    onCleanup(`private PostgreSQL in ${pg.dir}`, () => pg.destroy());
    await run(join(pg.bin, 'initdb'), ['-D', pg.data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    await pg.startServer();
    return pg;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /**
   * `fsync=off` is safe here: the faults kill processes, not the machine, and the OS keeps what was
   * written. `synchronous_commit` stays on: off, a crash (`-m immediate`) loses acknowledged commits
   * (the first full run lost 7 acknowledged case openings that way, and the invariants caught it).
   */
  async startServer(): Promise<void> {
    const opts = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
    await run(join(this.bin, 'pg_ctl'), ['-D', this.data, '-l', join(this.dir, 'postgres.log'), '-o', opts, '-w', '-t', '60', 'start']);
    await waitFor('the private PostgreSQL to answer', () => this.query('select 1').then(() => true), 30_000, 200);
  }

  /** `fast` rolls back open transactions and closes connections; `immediate` is a crash (recovery on start). */
  async stopServer(mode: 'fast' | 'immediate'): Promise<void> {
    await run(join(this.bin, 'pg_ctl'), ['-D', this.data, '-m', mode, '-w', '-t', '60', 'stop']);
  }

  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    const c = new Client({ connectionString: this.url });
    await c.connect();
    try {
      return (await c.query(sql, params)).rows as T[];
    } finally {
      await c.end();
    }
  }

  async destroy(): Promise<void> {
    try {
      if (existsSync(join(this.data, 'postmaster.pid'))) await this.stopServer('immediate');
    } catch (err) {
      log(`stopping the private PostgreSQL: ${String(err)}`);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export class PrivateRedis {
  private child?: ChildProcess;
  private exited?: Promise<void>;
  private constructor(readonly port: number) {}

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    onCleanup(`private Redis on ${redis.port}`, () => redis.stop());
    await redis.startServer();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** No persistence: a restart comes back empty, like a Redis that lost its memory. */
  async startServer(): Promise<void> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--maxmemory-policy', 'noeviction'], {
      stdio: 'ignore',
    });
    this.child = child;
    this.exited = new Promise((res) => child.once('exit', () => res()));
    await waitFor('the private Redis to answer', () => this.command((r) => r.ping()).then((p) => p === 'PONG'), 15_000, 100);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await this.exited;
    await sleep(100);
  }

  async flushAll(): Promise<void> {
    await this.command((r) => r.flushall());
  }

  async command<T>(f: (r: IORedis) => Promise<T>): Promise<T> {
    const r = new IORedis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => undefined);
    try {
      await r.connect();
      return await f(r);
    } finally {
      r.disconnect();
    }
  }
}
