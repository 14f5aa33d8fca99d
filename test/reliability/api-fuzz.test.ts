import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { DefinitionRegistry, SYSTEM_ACTOR, SystemClock, WorkflowEngine } from '#shouhu/engine';
import { Database, SqlCaseStore } from '#shouhu/persistence';
import { CHANGBAI_POLICY, protectionDefinitionsFor } from '#shouhu/protection';
import { TOKENS } from '../support/stack';
import { MACHINE_SAMPLES } from './support/machine-samples';
import {
  fingerprint,
  importMaluguoChild,
  insertNotification,
  OTHER_TOWNSHIP,
  REGISTRY_CSV_HEADER,
  ROLE_PEOPLE,
  type ReliabilityStack,
  startReliabilityStack,
} from './support/reliability-stack';

/*
 * Property-based fuzzing (fast-check) of the HTTP write endpoints against the real API and
 * PostgreSQL: arbitrary and almost-valid JSON bodies (wrong types, huge strings, deep nesting,
 * unknown fields, unicode), unknown events, every role's token and none, stale versions, bad ids,
 * bad content types and broken JSON. Properties: never a 5xx; a 4xx names an error and a message and
 * changes nothing in the database (one-query fingerprint before and after).
 *
 * FUZZ_RUNS (default 400) and FUZZ_SEED (default fixed) make longer or other runs reproducible.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 400);
const SEED = Number(process.env.FUZZ_SEED ?? 20261129);
jest.setTimeout(Math.max(120_000, RUNS * 1_500));

let stack: ReliabilityStack;
const ids = { kernelCase: '', reportCase: '', inbox: '', channel: '' };
const CHILD_ID = 'c-fuzz-1';
const DEFINITIONS = protectionDefinitionsFor(CHANGBAI_POLICY);
const protectionCases: Record<string, string> = {};

beforeAll(async () => {
  stack = await startReliabilityStack('fuzz');
  const kernel = await stack.client.call('POST', '/cases', TOKENS.school, { type: 'kernel-deadline', subject: { childId: 'c-fuzz' }, ownerUnitId: 'maluguo-police' });
  const report = await stack.client.call('POST', '/reports', TOKENS.school, { child: { childId: CHILD_ID, township: 'maluguo' }, triggers: ['ALONE_NO_GUARDIAN'], description: 'fuzz' });
  const channel = await stack.client.call('POST', '/channels', TOKENS.police, { kind: 'email', target: 'duty@example.org' });
  expect([kernel.status, report.status, channel.status]).toEqual([201, 201, 201]);
  ids.kernelCase = kernel.body.id;
  ids.reportCase = report.body.id;
  ids.channel = channel.body.id;
  ids.inbox = await insertNotification(stack, ids.reportCase, 'maluguo-police');
  expect(await importMaluguoChild(stack, CHILD_ID)).toBeLessThan(300);
  // One case of every protection type in Maluguo, opened by the engine itself (as the worker's openCase does).
  const db = await Database.open({ kind: 'postgres', url: stack.databaseUrl });
  try {
    const engine = new WorkflowEngine(new DefinitionRegistry(DEFINITIONS), new SqlCaseStore(db), new SystemClock());
    for (const sample of MACHINE_SAMPLES) {
      const { subject, data } = sample.openings[0]!;
      const opened = await engine.open({ type: sample.type, subject, data, ownerUnitId: 'maluguo-town', jurisdictionPath: 'changbai/maluguo', actor: SYSTEM_ACTOR });
      protectionCases[sample.type] = opened.case.id;
    }
  } finally {
    await db.close();
  }
});

afterAll(async () => {
  await stack?.stop();
});

// ---- values ----

const TOKENS_ALL = [...Object.values(ROLE_PEOPLE).map((p) => p.token), OTHER_TOWNSHIP.token, TOKENS.otherPolice];
const token = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...TOKENS_ALL) }, { weight: 1, arbitrary: fc.constantFrom(null, 'tok-nobody', 'Bearer', ' ') });

/** Up to 1.2 MB of UTF-8 (the body limit is 1 MiB), printed short. */
class Huge {
  constructor(readonly bytes: number) {}
  toJSON(): string {
    return '长'.repeat(Math.floor(this.bytes / 3));
  }
  [fc.toStringMethod](): string {
    return `Huge(${this.bytes} bytes)`;
  }
}
const hugeString = fc.integer({ min: 10_000, max: 1_200_000 }).map((n) => new Huge(n));
const unicode = fc.string({ unit: 'grapheme', maxLength: 40 });
/** Objects and arrays nested `depth` deep, built only when the body is serialized (fast-check prints it short). */
class Deep {
  constructor(readonly depth: number) {}
  toJSON(): unknown {
    let v: unknown = 'leaf';
    for (let i = 0; i < this.depth; i++) v = i % 2 ? [v] : { n: v };
    return v;
  }
  [fc.toStringMethod](): string {
    return `Deep(${this.depth})`;
  }
}
const deep = fc.integer({ min: 20, max: 3_000 }).map((depth) => new Deep(depth));
/** Any single field value, mostly the wrong type. */
const weird: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 1.5, 2 ** 53, -0, '1', '', ' ', 'null', '__proto__', 'constructor', '../etc/passwd', '<script>', "'; drop table cases; --"),
  fc.string({ maxLength: 30 }),
  unicode,
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
  { weight: 1, arbitrary: deep },
  { weight: 1, arbitrary: hugeString },
);

/** An almost-valid body: as is, or one field dropped, replaced by a weird value, or an unknown field added; or anything at all. */
function mutated(base: Record<string, unknown>, extraKeys: string[] = []): fc.Arbitrary<unknown> {
  const keys = [...Object.keys(base), ...extraKeys, 'unknownField', '__proto__', '$at'];
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant(base) },
    { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...keys), weird).map(([k, v]) => ({ ...base, [k]: v })) },
    ...(Object.keys(base).length > 0
      ? [{ weight: 1, arbitrary: fc.constantFrom(...Object.keys(base)).map((k) => Object.fromEntries(Object.entries(base).filter(([key]) => key !== k))) }]
      : []),
    { weight: 1, arbitrary: fc.oneof(fc.jsonValue({ maxDepth: 3 }), weird) },
  );
}

const caseTypes = ['kernel-deadline', 'mandatory-report', 'emergency', 'assessment', 'dropout-return', 'quarterly-return', 'no-such-type', 'Kernel', ''];
const eventTypes = ['ACCEPT', 'NOTE', 'CLOSE', 'REMIND_LATER', 'DISPATCH', 'GIVE_FEEDBACK', 'CONCLUDE', 'HANDOVER', 'NO_SUCH_EVENT', 'xstate.after.acceptDeadline.kernel-deadline.awaitingAcceptance', 'xstate.init', 'a'.repeat(70), '__proto__'];
const caseId = () => fc.constantFrom(ids.kernelCase, ids.reportCase, randomUUID(), 'not-a-uuid', '00000000-0000-0000-0000-000000000000', '%2e%2e%2fhealth');

interface FuzzRequest {
  label: string;
  method: string;
  path: string;
  body: unknown;
  /** Sent as is instead of JSON (broken JSON, CSV, form data). */
  raw?: string;
  contentType?: string | null;
  token: string | null;
}

const openCase = fc.record({
  body: mutated({ type: 'kernel-deadline', subject: { childId: 'c-f' }, ownerUnitId: 'maluguo-police' }, ['data', 'jurisdictionPath']).chain((b) =>
    fc.constantFrom(...caseTypes).map((type) => (b && typeof b === 'object' && !Array.isArray(b) && 'type' in b && typeof (b as { type: unknown }).type === 'string' ? { ...b, type } : b)),
  ),
}).map(({ body }) => ({ label: 'POST /cases', method: 'POST', path: '/cases', body }));

const sendEvent = fc
  .record({
    id: fc.constant(null).chain(() => caseId()),
    type: fc.oneof(fc.constantFrom(...eventTypes), weird),
    payload: fc.oneof(fc.constant(undefined), fc.constant({ text: 'n' }), fc.constant({ $at: 'x' }), fc.constant({ type: 'X' }), weird),
    expectedVersion: fc.oneof(fc.constant(undefined), fc.constantFrom(1, 2, 3, 99, 0, -1, 1.5, '2', 2 ** 31, 2 ** 53)),
    extra: fc.option(weird, { nil: undefined }),
  })
  .map(({ id, type, payload, expectedVersion, extra }) => ({
    label: 'POST /cases/:id/events',
    method: 'POST',
    path: `/cases/${id}/events`,
    body: { type, payload, expectedVersion, ...(extra === undefined ? {} : { colour: extra }) },
  }));

const fileReport = mutated({ child: { childId: 'c-f', township: 'maluguo' }, triggers: ['ALONE_NO_GUARDIAN'], description: 'fuzz' }).chain((body) =>
  fc.oneof(
    fc.constant(body),
    fc.tuple(fc.constantFrom('childId', 'township', 'village', 'school', 'name', 'extra'), weird).map(([k, v]) => ({ child: { childId: 'c-f', township: 'maluguo', [k]: v }, triggers: ['MISSING'], description: 'x' })),
    fc.array(fc.oneof(fc.constantFrom('ALONE_NO_GUARDIAN', 'NOT_A_TRIGGER', 'S1_PRIVATE_PARTS_INJURY'), unicode), { maxLength: 25 }).map((triggers) => ({ child: { childId: 'c-f', township: 'maluguo' }, triggers, description: 'x' })),
    fc.constantFrom('atlantis', 'jinhua', 'maluguo').chain((township) => fc.constantFrom('maluguo-village', 'jinhua-village', 'maluguo-school', 'nowhere').map((village) => ({ child: { childId: 'c-f', township, village }, triggers: ['MISSING'], description: 'x' }))),
  ).map((b) => ({ label: 'POST /reports', method: 'POST', path: '/reports', body: b })),
);

const CHILD = {
  childId: 'c-new', name: '李小军', birthDate: '2015-09-10', sex: 'male', ethnicity: '汉族', householdRegistration: '长白县马鹿沟镇',
  address: '马鹿沟村1组', township: 'maluguo', village: 'maluguo-village', health: '健康', living: 'with-parent',
};
const createChild = mutated(CHILD, ['idNumber', 'parents', 'entrustedGuardian', 'keyChild', 'boarding']).map((body) => ({ label: 'POST /children', method: 'POST', path: '/children', body }));
const patchChild = fc
  .tuple(fc.constantFrom(CHILD_ID, 'c-nobody', '..', 'c-' + 'x'.repeat(80), '%E9%95%BF'), mutated({ health: '健康' }, ['expectedVersion', 'living', 'birthDate', 'idNumber', 'township', 'childId', 'parents']))
  .map(([id, body]) => ({ label: 'PATCH /children/:id', method: 'PATCH', path: `/children/${id}`, body }));

const ROW = { childId: 'c-a1', childName: '王小明', township: 'maluguo', village: 'maluguo-village', className: '三年级二班', date: '2026-03-02', status: 'absent', reason: null };
const attendance = fc.oneof(
  fc.array(mutated(ROW), { maxLength: 4 }).map((rows) => ({ label: 'POST /schools/attendance', method: 'POST', path: '/schools/attendance', body: { rows } })),
  mutated({ rows: [ROW] }).map((body) => ({ label: 'POST /schools/attendance', method: 'POST', path: '/schools/attendance', body })),
  fc.array(fc.array(fc.oneof(fc.string({ maxLength: 12 }), unicode, fc.constantFrom('"', ',', '\n', 'absent', '2026-02-30')), { maxLength: 9 }), { maxLength: 5 }).map((rows) => ({
    label: 'POST /schools/attendance (csv)',
    method: 'POST',
    path: '/schools/attendance',
    body: undefined,
    raw: ['childId,childName,township,village,className,date,status,reason', ...rows.map((r) => r.join(','))].join('\n'),
    contentType: 'text/csv',
  })),
);
const importChildren = fc
  .tuple(fc.array(fc.array(fc.oneof(fc.string({ maxLength: 12 }), unicode, fc.constantFrom('"', ',', '独居', '2016-05-01', 'maluguo-village')), { maxLength: 13 }), { maxLength: 4 }), fc.constantFrom('', '?township=maluguo', '?township=jinhua', '?township=ATLANTIS', '?township=%00'))
  .map(([rows, query]) => ({
    label: 'POST /children/import',
    method: 'POST',
    path: `/children/import${query}`,
    body: undefined,
    raw: [REGISTRY_CSV_HEADER, ...rows.map((r) => r.join(','))].join('\n'),
    contentType: 'text/csv',
  }));
const ack = fc.constantFrom('inbox', 'random', 'bad').map((which) => ({
  label: 'POST /inbox/:id/ack',
  method: 'POST',
  path: `/inbox/${which === 'inbox' ? ids.inbox : which === 'random' ? randomUUID() : 'x%20y'}/ack`,
  body: undefined,
}));
const channels = fc.oneof(
  mutated({ kind: 'webhook', target: 'https://example.org/hook', secret: 'a-long-enough-secret' }).map((body) => ({ label: 'POST /channels', method: 'POST', path: '/channels', body })),
  fc.constantFrom('channel', 'random', 'bad').map((which) => ({ label: 'DELETE /channels/:id', method: 'DELETE', path: `/channels/${which === 'channel' ? ids.channel : which === 'random' ? randomUUID() : 'nope'}`, body: undefined })),
);
const quarterly = mutated({ quarter: '2026-Q2' }).map((body) => ({ label: 'POST /registry/quarterly-returns', method: 'POST', path: '/registry/quarterly-returns', body }));

/** The same requests with a broken body or content type. */
const badEncoding = fc
  .tuple(
    fc.constantFrom('/cases', `/cases/{case}/events`, '/reports', '/children', '/schools/attendance', '/registry/quarterly-returns', '/channels'),
    fc.oneof(fc.constantFrom('{"type":', '{', '[', 'null', '"str"', '1e999', '{"a":1}{"b":2}', '\u0000', '{"__proto__":{"polluted":1}}', ''), fc.string({ maxLength: 30 }), unicode),
    fc.constantFrom('application/json', 'application/json; charset=utf-16', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'text/csv', 'application/xml', null),
  )
  .map(([path, raw, contentType]) => ({ label: `POST ${path} (raw ${contentType})`, method: 'POST', path: path.replace('{case}', ids.kernelCase), body: undefined, raw, contentType }));

const request: fc.Arbitrary<FuzzRequest> = fc
  .tuple(
    fc.oneof(openCase, { weight: 3, arbitrary: sendEvent }, fileReport, createChild, patchChild, attendance, importChildren, ack, channels, quarterly, { weight: 2, arbitrary: badEncoding }),
    token,
  )
  .map(([r, t]) => ({ ...r, token: t }) as FuzzRequest);

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
  const { statuses, labels } = await fuzz(request, RUNS, SEED);
  console.log(`api-fuzz seed ${SEED}: ${RUNS} runs; statuses ${JSON.stringify(statuses)}; endpoints ${JSON.stringify(labels)}`);
  // The run covered the ground: refusals of many kinds and some accepted writes.
  const seen = Object.keys(statuses).map(Number);
  expect(seen.filter((s) => s >= 400).length).toBeGreaterThanOrEqual(3);
  expect(seen.some((s) => s < 300)).toBe(true);
});

/**
 * Every person's event of every protection case type, sent by a role allowed to send it on a case it
 * sees, with the sample's fields mutated (wrong types reach the machines' guards and actions).
 */
const protectionEvent: fc.Arbitrary<FuzzRequest> = fc
  .constantFrom(...MACHINE_SAMPLES.flatMap((sample) => sample.events.filter((e) => !e.type.startsWith('xstate.')).map((event) => ({ sample, event }))))
  .chain(({ sample, event }) => {
    const { type, $at: _at, $actor: _actor, ...fields } = event;
    const roles = DEFINITIONS.find((d) => d.id === sample.type)!.permissions.events[type]!;
    return fc.tuple(mutated(fields), fc.constantFrom(...roles)).map(([payload, role]) => ({
      label: `${sample.type} ${type}`,
      method: 'POST',
      path: `/cases/${protectionCases[sample.type]}/events`,
      body: { type, payload },
      token: ROLE_PEOPLE[role]!.token,
    }));
  });

it(`protection events with mutated fields, ${RUNS} runs (seed ${SEED + 1}): never a 5xx; a refused event changes nothing`, async () => {
  const { statuses } = await fuzz(protectionEvent, RUNS, SEED + 1);
  console.log(`api-fuzz protection events seed ${SEED + 1}: ${RUNS} runs; statuses ${JSON.stringify(statuses)}`);
  expect(Object.keys(statuses).map(Number).some((s) => s < 300)).toBe(true);
});
