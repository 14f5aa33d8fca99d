import { onCleanup, type Spawned, sleep, spawnApp } from '../bench/support';
import { log } from './log';
import type { PrivatePostgres, PrivateRedis } from './services';

/*
 * The faults: workers killed with SIGKILL and replaced (two run at once most of the time, never
 * fewer than one), Redis flushed, Redis stopped and started empty, PostgreSQL stopped (fast, or
 * immediate: a crash) and started again. The API process is never restarted: it must recover alone.
 */

interface WorkerSlot {
  n: number;
  proc: Spawned;
  ready: boolean;
  killed: boolean;
}

export class WorkerPool {
  private readonly slots: WorkerSlot[] = [];
  private watch?: NodeJS.Timeout;
  private count = 0;
  private nextSpawnAt = 0;
  started = 0;
  killed = 0;
  /** Exited before "worker started" (e.g. launched while PostgreSQL or Redis was down): replaced. */
  failedStarts = 0;
  /** Exited on their own after starting: a worker that did not survive a fault. */
  crashes: string[] = [];
  maxReadyAtOnce = 0;

  constructor(
    private readonly env: Record<string, string>,
    private readonly target: number,
  ) {}

  /** Starts `target` workers and keeps that many alive (a supervisor's job) until `stop`. */
  async start(): Promise<void> {
    // Registered after the services, so it runs first: no replacement is started while everything is being stopped.
    onCleanup('worker supervisor', () => this.stop());
    for (let i = 0; i < this.target; i++) this.spawn();
    this.watch = setInterval(() => this.topUp(), 500);
    while (this.readyCount() < this.target) await sleep(100);
  }

  readyCount(): number {
    return this.slots.filter((s) => s.ready && !s.killed && s.proc.child.exitCode === null).length;
  }

  /** SIGKILL one ready worker and start its replacement, but only while another one is ready (waits up to `waitMs` for that). */
  async killOne(pick: (n: number) => number, waitMs: number): Promise<boolean> {
    const until = Date.now() + waitMs;
    while (this.readyCount() < 2 && Date.now() < until) await sleep(200);
    const ready = this.slots.filter((s) => s.ready && !s.killed && s.proc.child.exitCode === null);
    if (ready.length < 2) return false;
    const victim = ready[pick(ready.length)]!;
    victim.killed = true;
    victim.proc.child.kill('SIGKILL');
    await victim.proc.exited;
    this.killed++;
    this.spawn();
    return true;
  }

  async stop(): Promise<void> {
    clearInterval(this.watch);
    this.watch = undefined;
    await Promise.all(this.slots.map((s) => s.proc.stop(10_000)));
  }

  private topUp(): void {
    for (let i = this.slots.length - 1; i >= 0; i--) if (this.slots[i]!.proc.child.exitCode !== null || this.slots[i]!.proc.child.signalCode !== null) this.slots.splice(i, 1);
    // After a failed start (PostgreSQL or Redis down) wait a little: a start costs a core for a second or two.
    if (Date.now() < this.nextSpawnAt) return;
    while (this.slots.length < this.target) this.spawn();
  }

  private spawn(): void {
    const slot: WorkerSlot = { n: ++this.count, proc: spawnApp('worker', this.env), ready: false, killed: false };
    this.started++;
    this.slots.push(slot);
    const onData = () => {
      if (!slot.ready && slot.proc.output().includes('worker started')) {
        slot.ready = true;
        this.maxReadyAtOnce = Math.max(this.maxReadyAtOnce, this.readyCount());
      }
    };
    slot.proc.child.stdout!.on('data', onData);
    void slot.proc.exited.then((code) => {
      if (slot.killed) return;
      if (!slot.ready) {
        this.failedStarts++;
        this.nextSpawnAt = Date.now() + 2000;
        log(`worker #${slot.n} exited before it started (code ${code}); the supervisor starts another`);
      } else if (this.watch) {
        this.crashes.push(`worker #${slot.n} exited with ${code}: ${slot.proc.output().slice(-1500)}`);
        log(`worker #${slot.n} CRASHED (exit ${code})`);
      }
    });
  }
}

export type FaultKind = 'redis-flushall' | 'redis-restart' | 'pg-restart' | 'pg-crash';

export interface FaultRecord {
  kind: FaultKind;
  atSec: number;
  downMs: number;
  /** From the service being back (or the flush) until /health/ready answered 200 again. */
  readyAfterMs: number | null;
  /** [start, end] in ms since epoch: from the fault until the API was ready again. */
  window: [number, number];
}

export interface FaultSettings {
  downMs: number;
  recoverWithinMs: number;
}

export class FaultInjector {
  readonly faults: FaultRecord[] = [];

  constructor(
    private readonly pg: PrivatePostgres,
    private readonly redis: PrivateRedis,
    private readonly baseUrl: string,
    private readonly settings: FaultSettings,
    private readonly t0: number,
  ) {}

  async inject(kind: FaultKind): Promise<void> {
    const start = Date.now();
    let back = start;
    log(`fault: ${kind}`);
    switch (kind) {
      case 'redis-flushall':
        await this.redis.flushAll();
        break;
      case 'redis-restart':
        await this.redis.stop();
        await sleep(this.settings.downMs);
        back = Date.now();
        await this.redis.startServer();
        break;
      case 'pg-restart':
      case 'pg-crash':
        await this.pg.stopServer(kind === 'pg-restart' ? 'fast' : 'immediate');
        await sleep(this.settings.downMs);
        back = Date.now();
        await this.pg.startServer();
        break;
    }
    back = Math.max(back, Date.now());
    const readyAfterMs = await this.waitReady(back);
    const end = Date.now();
    this.faults.push({ kind, atSec: (start - this.t0) / 1000, downMs: back - start, readyAfterMs, window: [start, end] });
    log(`fault: ${kind} over; the API was ready again ${readyAfterMs === null ? 'NEVER' : `${readyAfterMs} ms`} after the service was back`);
  }

  /** Polls readiness (no restart of anything): the time until it answers 200, or null past the limit. */
  private async waitReady(from: number): Promise<number | null> {
    while (Date.now() - from < this.settings.recoverWithinMs) {
      try {
        const res = await fetch(`${this.baseUrl}/api/v1/health/ready`, { signal: AbortSignal.timeout(5000) });
        if (res.status === 200) return Date.now() - from;
      } catch {
        // not yet
      }
      await sleep(200);
    }
    return null;
  }
}
