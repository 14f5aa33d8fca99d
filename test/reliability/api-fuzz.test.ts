import fc from 'fast-check';
import { DefinitionRegistry, SYSTEM_ACTOR, SystemClock, WorkflowEngine } from '#shouhu/engine';
import { Database, SqlCaseStore } from '#shouhu/persistence';
import { CHANGBAI_POLICY, protectionDefinitionsFor } from '#shouhu/protection';
import { TOKENS } from '../support/stack';
import { MACHINE_SAMPLES } from './support/machine-samples';
import { type FuzzFixtures, type FuzzRequest, protectionEvents, writeRequests } from './support/fuzz-requests';
import { fingerprint, importMaluguoChild, insertNotification, type ReliabilityStack, startReliabilityStack } from './support/reliability-stack';

/*
 * Property-based fuzzing (fast-check) of the HTTP write endpoints against the real API and
 * PostgreSQL: arbitrary and almost-valid JSON bodies (wrong types, huge strings, deep nesting,
 * unknown fields, unicode), unknown events, every role's token and none, stale versions, bad ids,
 * bad content types and broken JSON. Properties: never a 5xx; a 4xx names an error and a message and
 * changes nothing in the database (one-query fingerprint before and after).
 *
 * The requests: support/fuzz-requests.ts. FUZZ_RUNS (default 400) and FUZZ_SEED (default fixed) make
 * longer or other runs reproducible.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 400);
const SEED = Number(process.env.FUZZ_SEED ?? 20261129);
jest.setTimeout(Math.max(120_000, RUNS * 1_500));

let stack: ReliabilityStack;
const CHILD_ID = 'c-fuzz-1';
const DEFINITIONS = protectionDefinitionsFor(CHANGBAI_POLICY);
/** Filled in before the first run; the requests read them when generated. */
const fx: FuzzFixtures = { kernelCase: '', reportCase: '', inbox: '', channel: '', childId: CHILD_ID, protectionCases: {} };

beforeAll(async () => {
  stack = await startReliabilityStack('fuzz');
  const kernel = await stack.client.call('POST', '/cases', TOKENS.school, { type: 'kernel-deadline', subject: { childId: 'c-fuzz' }, ownerUnitId: 'maluguo-police' });
  const report = await stack.client.call('POST', '/reports', TOKENS.school, { child: { childId: CHILD_ID, township: 'maluguo' }, triggers: ['ALONE_NO_GUARDIAN'], description: 'fuzz' });
  const channel = await stack.client.call('POST', '/channels', TOKENS.police, { kind: 'email', target: 'duty@example.org' });
  expect([kernel.status, report.status, channel.status]).toEqual([201, 201, 201]);
  fx.kernelCase = kernel.body.id;
  fx.reportCase = report.body.id;
  fx.channel = channel.body.id;
  fx.inbox = await insertNotification(stack, fx.reportCase, 'maluguo-police');
  expect(await importMaluguoChild(stack, CHILD_ID)).toBeLessThan(300);
  // One case of every protection type in Maluguo, opened by the engine itself (as the worker's openCase does).
  const db = await Database.open({ kind: 'postgres', url: stack.databaseUrl });
  try {
    const engine = new WorkflowEngine(new DefinitionRegistry(DEFINITIONS), new SqlCaseStore(db), new SystemClock());
    for (const sample of MACHINE_SAMPLES) {
      const { subject, data } = sample.openings[0]!;
      const opened = await engine.open({ type: sample.type, subject, data, ownerUnitId: 'maluguo-town', jurisdictionPath: 'changbai/maluguo', actor: SYSTEM_ACTOR });
      fx.protectionCases[sample.type] = opened.case.id;
    }
  } finally {
    await db.close();
  }
});

afterAll(async () => {
  await stack?.stop();
});

// ---- the property ----

/** The API's body limit (apps/api/src/bootstrap.ts). */
const BODY_LIMIT = 1_048_576;

async function send(r: FuzzRequest): Promise<{ status: number; body: any; text: string }> {
  const headers: Record<string, string> = {};
  if (r.token !== null) headers.authorization = `Bearer ${r.token}`;
  let body: string | undefined;
  if (r.raw !== undefined) body = r.raw;
  else if (r.body !== undefined) body = JSON.stringify(r.body);
  const type = r.contentType === undefined ? (body === undefined ? undefined : 'application/json') : r.contentType;
  if (type) headers['content-type'] = type;
  let res: Response;
  try {
    res = await fetch(`${stack.client.baseUrl}/api/v1${r.path}`, { method: r.method, headers, body });
  } catch (err) {
    // Over the body limit the server answers 413 and closes the connection while the client still sends.
    if (Buffer.byteLength(body ?? '') > BODY_LIMIT) return { status: 413, body: { error: 'payload_too_large', message: 'closed by the server' }, text: '' };
    throw err;
  }
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed, text };
}

const describeRequest = (r: FuzzRequest) => {
  const body = r.raw ?? JSON.stringify(r.body) ?? '';
  return `${r.label} ${r.method} ${r.path} token=${r.token} type=${r.contentType ?? 'json'} body(${body.length})=${body.slice(0, 300)}`;
};

/** Runs the property over `requests`; returns how often each status and endpoint came up. */
async function fuzz(requests: fc.Arbitrary<FuzzRequest>, runs: number, seed: number) {
  const statuses = new Map<number, number>();
  const labels = new Map<string, number>();
  await fc.assert(
    fc.asyncProperty(requests, async (r) => {
      const before = await fingerprint(stack);
      const res = await send(r);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      labels.set(r.label.split(' (')[0]!, (labels.get(r.label.split(' (')[0]!) ?? 0) + 1);
      const where = `${describeRequest(r)}\n→ ${res.status} ${res.text.slice(0, 500)}`;
      if (res.status >= 500) throw new Error(`5xx for ${where}`);
      if (res.status >= 400) {
        const b = res.body as { error?: unknown; message?: unknown } | null;
        if (typeof b?.error !== 'string' || typeof b?.message !== 'string' || b.message === '') throw new Error(`a 4xx without error and message: ${where}`);
        const after = await fingerprint(stack);
        expect({ request: where, after }).toEqual({ request: where, after: before });
      }
    }),
    { numRuns: runs, seed, endOnFailure: true, verbose: 1 },
  ).catch((err: unknown) => {
    const cause = (err as { cause?: unknown }).cause;
    throw new Error(`fuzzing failed (replay: FUZZ_SEED=${seed} FUZZ_RUNS=${RUNS})\n${String(err)}${cause ? `\ncaused by: ${String(cause)}` : ''}`);
  });
  return { statuses: Object.fromEntries(statuses), labels: Object.fromEntries(labels) };
}

it(`the write endpoints under ${RUNS} random requests (seed ${SEED}): never a 5xx; a refused request names its error and changes nothing`, async () => {
  const { statuses, labels } = await fuzz(writeRequests(fx), RUNS, SEED);
  console.log(`api-fuzz seed ${SEED}: ${RUNS} runs; statuses ${JSON.stringify(statuses)}; endpoints ${JSON.stringify(labels)}`);
  // The run covered the ground: refusals of many kinds and some accepted writes.
  const seen = Object.keys(statuses).map(Number);
  expect(seen.filter((s) => s >= 400).length).toBeGreaterThanOrEqual(3);
  expect(seen.some((s) => s < 300)).toBe(true);
});

it(`protection events with mutated fields, ${RUNS} runs (seed ${SEED + 1}): never a 5xx; a refused event changes nothing`, async () => {
  const { statuses } = await fuzz(protectionEvents(fx, DEFINITIONS), RUNS, SEED + 1);
  console.log(`api-fuzz protection events seed ${SEED + 1}: ${RUNS} runs; statuses ${JSON.stringify(statuses)}`);
  expect(Object.keys(statuses).map(Number).some((s) => s < 300)).toBe(true);
});
