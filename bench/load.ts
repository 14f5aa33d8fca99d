import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { Agent, request } from 'node:http';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { percentile, waitFor } from './support';

/*
 * HTTP load on the kernel machine: open cases, then NOTE events (a self-transition with an assign:
 * one UPDATE of the case and one history row each) spread round-robin over the cases, so two
 * requests in flight never touch the same case.
 */

export const BENCH_UNIT = 'bench-unit';

/** A unit of our own and a police token for it: only the hash is stored, as the API does. */
export async function seedToken(databaseUrl: string): Promise<string> {
  const token = `bench_${randomBytes(18).toString('base64url')}`;
  const c = new Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    await c.query(
      `insert into units (id, name, kind, parent_id, jurisdiction_path) values ($1, 'Bench unit', 'police', null, 'bench')
       on conflict (id) do nothing`,
      [BENCH_UNIT],
    );
    await c.query(`insert into access_tokens (token_hash, user_id, user_name, unit_id, role) values ($1, 'bench-police', 'Bench', $2, 'police')`, [
      createHash('sha256').update(token).digest('hex'),
      BENCH_UNIT,
    ]);
  } finally {
    await c.end();
  }
  return token;
}

export async function waitReady(baseUrl: string, timeoutMs = 60_000): Promise<void> {
  await waitFor('the API to be ready', async () => (await fetch(`${baseUrl}/api/v1/health/ready`)).status === 200, timeoutMs, 200);
}

export async function openCases(baseUrl: string, token: string, n: number, concurrency = 16): Promise<string[]> {
  const ids: string[] = [];
  let next = 0;
  const one = async (i: number) => {
    const res = await fetch(`${baseUrl}/api/v1/cases`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'kernel-deadline', subject: { childId: `bench-${i}` } }),
    });
    const body = (await res.json()) as { id?: string };
    if (res.status !== 201 || !body.id) throw new Error(`opening a case: ${res.status} ${JSON.stringify(body)}`);
    ids.push(body.id);
  };
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      while (next < n) await one(next++);
    }),
  );
  return ids;
}

export interface LoadResult {
  ok: number;
  statuses: Record<string, number>;
  errors: number;
  timeouts: number;
  seconds: number;
  /** 2xx per second of wall time. */
  rate: number;
  latency: { p50: number; p95: number; p99: number; max: number };
}

export interface LoadOptions {
  baseUrl: string;
  token: string;
  caseIds: readonly string[];
  connections: number;
  amount: number;
  overallRate?: number;
  label: string;
}

let noteCounter = 0;

/** `amount` NOTE events with autocannon; every response is awaited, so nothing is cut off in flight. */
export async function driveNotes(o: LoadOptions): Promise<LoadResult> {
  const connections = Math.min(o.connections, o.amount);
  const headers = { authorization: `Bearer ${o.token}`, 'content-type': 'application/json' };
  const latencies: number[] = [];
  const started = Date.now();
  const result = await new Promise<autocannon.Result>((res, rej) => {
    const inst = autocannon(
      {
        url: o.baseUrl,
        connections,
        amount: o.amount,
        overallRate: o.overallRate,
        timeout: 30,
        requests: [
          {
            method: 'POST',
            headers,
            setupRequest: (req) => {
              const i = noteCounter++;
              const caseId = o.caseIds[i % o.caseIds.length]!;
              return { ...req, path: `/api/v1/cases/${caseId}/events`, body: JSON.stringify({ type: 'NOTE', payload: { text: `${o.label} note ${i}` } }) };
            },
          },
        ],
      },
      (err, r) => (err ? rej(err) : res(r)),
    );
    inst.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      if (status >= 200 && status < 300) latencies.push(ms);
    });
  });
  const seconds = (Date.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const statuses = Object.fromEntries(Object.entries(result.statusCodeStats).map(([k, v]) => [k, v.count]));
  return {
    ok: result['2xx'],
    statuses,
    errors: result.errors,
    timeouts: result.timeouts,
    seconds,
    rate: result['2xx'] / seconds,
    latency: { p50: r1(percentile(latencies, 50)), p95: r1(percentile(latencies, 95)), p99: r1(percentile(latencies, 99)), max: r1(latencies.at(-1) ?? NaN) },
  };
}

const r1 = (x: number) => Math.round(x * 10) / 10;

/**
 * Open-loop load at an even pace: request i is due at start + i / rate whatever happened before,
 * and its latency counts from that due time (no coordinated omission, no per-second bursts).
 */
export async function pacedNotes(o: Omit<LoadOptions, 'amount' | 'overallRate'> & { rate: number; seconds: number }): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: o.connections });
  const url = new URL(o.baseUrl);
  const total = Math.max(1, Math.round(o.rate * o.seconds));
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  const started = performance.now();
  const one = (i: number) =>
    new Promise<void>((res) => {
      const due = started + (i * 1000) / o.rate;
      const caseId = o.caseIds[noteCounter++ % o.caseIds.length]!;
      const body = JSON.stringify({ type: 'NOTE', payload: { text: `${o.label} note ${i}` } });
      const req = request(
        { agent, host: url.hostname, port: url.port, method: 'POST', path: `/api/v1/cases/${caseId}/events`, headers: { authorization: `Bearer ${o.token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (r) => {
          r.resume();
          r.on('end', () => {
            const code = String(r.statusCode);
            statuses[code] = (statuses[code] ?? 0) + 1;
            if (r.statusCode && r.statusCode < 300) latencies.push(performance.now() - due);
            res();
          });
        },
      );
      req.on('error', () => {
        errors++;
        res();
      });
      req.end(body);
    });
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const wait = started + (i * 1000) / o.rate - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inFlight.push(one(i));
  }
  await Promise.all(inFlight);
  agent.destroy();
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const ok = latencies.length;
  return {
    ok,
    statuses,
    errors,
    timeouts: 0,
    seconds,
    rate: ok / seconds,
    latency: { p50: r1(percentile(latencies, 50)), p95: r1(percentile(latencies, 95)), p99: r1(percentile(latencies, 99)), max: r1(latencies.at(-1) ?? NaN) },
  };
}

// ---- CPU seconds per process during a phase: where the machine's two cores went ----

const CLK_TCK = 100;

function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime + stime
  } catch {
    return 0;
  }
}

function pidsNamed(name: string): number[] {
  try {
    return execFileSync('pgrep', ['-x', name], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export type CpuGroups = Record<string, () => number[]>;

export function cpuGroups(named: Record<string, number | undefined>): CpuGroups {
  const groups: CpuGroups = {
    postgres: () => pidsNamed('postgres'),
    'redis-server': () => pidsNamed('redis-server'),
    'bench (load generator)': () => [process.pid],
  };
  for (const [k, pid] of Object.entries(named)) if (pid) groups[k] = () => [pid];
  return groups;
}

/** Starts counting; the returned function gives cores used per group (CPU seconds / wall seconds). */
export function cpuMeter(groups: CpuGroups): () => Record<string, number> {
  const snap = () => {
    const s: Record<string, Map<number, number>> = {};
    for (const [k, pids] of Object.entries(groups)) s[k] = new Map(pids().map((p) => [p, cpuSecondsOf(p)]));
    return s;
  };
  const before = snap();
  const t0 = Date.now();
  return () => {
    const after = snap();
    const wall = (Date.now() - t0) / 1000;
    const out: Record<string, number> = {};
    for (const k of Object.keys(groups)) {
      let used = 0;
      for (const [pid, sec] of after[k]!) used += sec - (before[k]!.get(pid) ?? 0);
      out[k] = Math.round((used / wall) * 100) / 100;
    }
    return out;
  };
}
