import { randomUUID } from 'node:crypto';
import { type CaseDefinition, DefinitionRegistry, SYSTEM_ACTOR, SystemClock, WorkflowEngine } from '#shouhu/engine';
import { Database, SqlCaseStore } from '#shouhu/persistence';
import { CHANGBAI_POLICY, protectionDefinitionsFor } from '#shouhu/protection';
import { MACHINE_SAMPLES } from './support/machine-samples';
import { importMaluguoChild, insertNotification, OTHER_TOWNSHIP, ROLE_PEOPLE, type ReliabilityStack, startReliabilityStack } from './support/reliability-stack';
import { TOKENS } from '../support/stack';

/*
 * Who may do what, over HTTP against the real API: every seeded role (and a police officer of another
 * township) × every endpoint, and × every event of every protection case type. The endpoint
 * expectations are written out by hand (a change that widens access fails here); the event
 * expectations come from the definitions' permission tables and the jurisdiction rule of the README:
 * 403 when the role may never send the event, 404 when it may but the case lies outside its sight,
 * else the state decides (200, or 422 when the state does not take the event or its guard refuses).
 */
jest.setTimeout(180_000);

const DEFINITIONS = protectionDefinitionsFor(CHANGBAI_POLICY);
const OTHER_POLICE = { unitId: 'jinhua-police', token: TOKENS.otherPolice, role: 'police' };
/** Every actor of the matrix: the 16 seeded roles, and the police and the government of another township. */
const ACTORS: Record<string, { unitId: string; token: string; role: string }> = {
  ...Object.fromEntries(Object.entries(ROLE_PEOPLE).map(([role, p]) => [role, { ...p, role }])),
  otherPolice: OTHER_POLICE,
  otherTownship: OTHER_TOWNSHIP,
};
const NAMES = Object.keys(ACTORS);

/** Where each case type's case lies and who answers for it (all in Maluguo township). */
const CASE_AREA = 'changbai/maluguo';
const OWNERS: Record<string, string> = {
  'mandatory-report': 'maluguo-police',
  emergency: 'maluguo-police',
  assessment: 'changbai-civil-affairs',
  guardianship: 'changbai-civil-affairs',
  'school-absence': 'maluguo-school',
  'dropout-return': 'maluguo-school',
  'census-verification': 'maluguo-town',
  'quarterly-return': 'maluguo-town',
  'yearly-summary': 'maluguo-town',
  'key-child-visits': 'maluguo-village',
};

let stack: ReliabilityStack;
const caseIds: Record<string, string> = {};
let unitPaths: Record<string, string> = {};
let inboxId = '';
const CHILD_ID = 'c-matrix-1';

beforeAll(async () => {
  stack = await startReliabilityStack('authz');
  // One case of every protection type, opened by the engine itself (as the worker's openCase does).
  const db = await Database.open({ kind: 'postgres', url: stack.databaseUrl });
  try {
    const engine = new WorkflowEngine(new DefinitionRegistry(DEFINITIONS), new SqlCaseStore(db), new SystemClock());
    for (const sample of MACHINE_SAMPLES) {
      const { subject, data } = sample.openings[0]!;
      const opened = await engine.open({ type: sample.type, subject, data, ownerUnitId: OWNERS[sample.type]!, jurisdictionPath: CASE_AREA, actor: SYSTEM_ACTOR });
      caseIds[sample.type] = opened.case.id;
    }
  } finally {
    await db.close();
  }
  unitPaths = Object.fromEntries((await stack.rows<{ id: string; jurisdiction_path: string }>('select id, jurisdiction_path from units')).map((u) => [u.id, u.jurisdiction_path]));
  // A notification for the Maluguo police station (the worker is not running: written here), and one registry file.
  inboxId = await insertNotification(stack, caseIds['mandatory-report']!, 'maluguo-police');
  expect(await importMaluguoChild(stack, CHILD_ID)).toBeLessThan(300);
});

afterAll(async () => {
  await stack?.stop();
});

// ---- the endpoint table, by hand ----

type Expect = number | ((actor: string) => number);
interface Endpoint {
  name: string;
  method: string;
  path: () => string;
  body?: () => unknown;
  contentType?: string;
  expect: Expect;
}

const everyone = (status: number) => () => status;
const only = (names: readonly string[], yes: number, no: number) => (a: string) => (names.includes(a) ? yes : no);
const except = (names: readonly string[], no: number, yes: number) => (a: string) => (names.includes(a) ? no : yes);

/** Units below the township (the school, the village committee) and other townships do not see a township's case. */
const BLIND_TO_MALUGUO_CASE = ['school', 'kindergarten', 'village', 'child_director', 'otherPolice', 'otherTownship'];
const OTHER_TOWNSHIP_ACTORS = ['otherPolice', 'otherTownship'];
const REGISTRY_WRITERS = ['civil_affairs', 'township', 'village', 'child_director', 'otherTownship'];
const REPORTERS = ['school', 'kindergarten', 'hospital', 'village', 'child_director', 'social_worker', 'welfare_institution', 'police', 'civil_affairs', 'otherPolice'];

const ENDPOINTS: Endpoint[] = [
  { name: 'GET /policy', method: 'GET', path: () => '/policy', expect: everyone(200) },
  { name: 'GET /cases', method: 'GET', path: () => '/cases', expect: everyone(200) },
  { name: 'GET /cases/:id', method: 'GET', path: () => `/cases/${caseIds['mandatory-report']}`, expect: except(BLIND_TO_MALUGUO_CASE, 404, 200) },
  { name: 'GET /cases/:id/history', method: 'GET', path: () => `/cases/${caseIds['mandatory-report']}/history`, expect: except(BLIND_TO_MALUGUO_CASE, 404, 200) },
  { name: 'GET /cases/:id/deliveries', method: 'GET', path: () => `/cases/${caseIds['mandatory-report']}/deliveries`, expect: except(BLIND_TO_MALUGUO_CASE, 404, 200) },
  { name: 'GET /cases/:unknown', method: 'GET', path: () => `/cases/${randomUUID()}`, expect: everyone(404) },
  // The dropout case: its school and village committee take part wherever it lies; no report yet → 422.
  { name: 'GET /cases/:id/written-report', method: 'GET', path: () => `/cases/${caseIds['dropout-return']}/written-report`, expect: only(OTHER_TOWNSHIP_ACTORS, 404, 422) },
  { name: 'POST /cases (kernel)', method: 'POST', path: () => '/cases', body: () => ({ type: 'kernel-deadline', subject: { childId: 'c-m' } }), expect: only(['school', 'police', 'civil_affairs', 'otherPolice'], 201, 403) },
  { name: 'POST /cases/:unknown/events', method: 'POST', path: () => `/cases/${randomUUID()}/events`, body: () => ({ type: 'ACCEPT' }), expect: everyone(404) },
  {
    name: 'POST /reports',
    method: 'POST',
    path: () => '/reports',
    body: () => ({ child: { childId: 'c-m', township: 'maluguo' }, triggers: ['ALONE_NO_GUARDIAN'], description: 'matrix' }),
    expect: only(REPORTERS, 201, 403),
  },
  { name: 'GET /children', method: 'GET', path: () => '/children', expect: everyone(200) },
  { name: 'GET /children/:id', method: 'GET', path: () => `/children/${CHILD_ID}`, expect: only(OTHER_TOWNSHIP_ACTORS, 404, 200) },
  { name: 'GET /children/:id/history', method: 'GET', path: () => `/children/${CHILD_ID}/history`, expect: only(OTHER_TOWNSHIP_ACTORS, 404, 200) },
  { name: 'GET /children/:id/cases', method: 'GET', path: () => '/children/child-1/cases', expect: everyone(200) },
  { name: 'POST /children (empty file)', method: 'POST', path: () => '/children', body: () => ({}), expect: only(REGISTRY_WRITERS, 400, 403) },
  // Another township's government keeps the registry too, but Maluguo's file is not found for it.
  { name: 'PATCH /children/:id', method: 'PATCH', path: () => `/children/${CHILD_ID}`, body: () => ({ health: '健康' }), expect: (a) => (a === 'otherTownship' ? 404 : REGISTRY_WRITERS.includes(a) ? 200 : 403) },
  { name: 'PATCH /children/:unknown', method: 'PATCH', path: () => '/children/c-nobody', body: () => ({ health: '健康' }), expect: only(REGISTRY_WRITERS, 404, 403) },
  { name: 'POST /registry/quarterly-returns', method: 'POST', path: () => '/registry/quarterly-returns', body: () => ({ quarter: '2026-Q1' }), expect: only(['civil_affairs'], 201, 403) },
  { name: 'POST /schools/attendance (bad row)', method: 'POST', path: () => '/schools/attendance', body: () => ({ rows: [{}] }), expect: only(['school'], 400, 403) },
  {
    name: 'GET /schools/:unitId/dropout-report',
    method: 'GET',
    path: () => '/schools/maluguo-school/dropout-report?month=2026-03',
    expect: only(['village', 'child_director', ...OTHER_TOWNSHIP_ACTORS], 404, 200),
  },
  { name: 'GET /dropout-recheck', method: 'GET', path: () => '/dropout-recheck?quarter=2026-Q1', expect: everyone(200) },
  { name: 'GET /channels', method: 'GET', path: () => '/channels', expect: everyone(200) },
  { name: 'DELETE /channels/:unknown', method: 'DELETE', path: () => `/channels/${randomUUID()}`, expect: everyone(404) },
  { name: 'GET /inbox', method: 'GET', path: () => '/inbox', expect: everyone(200) },
  // Only the Maluguo police station's people may acknowledge its notification.
  { name: 'POST /inbox/:id/ack', method: 'POST', path: () => `/inbox/${inboxId}/ack`, expect: only(['police'], 200, 404) },
];

async function call(ep: Pick<Endpoint, 'method' | 'path' | 'body' | 'contentType'>, token: string | null) {
  return stack.client.call(ep.method, ep.path(), token, ep.body?.(), ep.contentType ? { 'content-type': ep.contentType } : {});
}

describe('authorization matrix: endpoints', () => {
  it(`every endpoint × ${NAMES.length} actors answers as the table says`, async () => {
    const wrong: string[] = [];
    for (const ep of ENDPOINTS) {
      for (const name of NAMES) {
        const res = await call(ep, ACTORS[name]!.token);
        const want = typeof ep.expect === 'number' ? ep.expect : ep.expect(name);
        if (res.status !== want) wrong.push(`${ep.name} as ${name}: ${res.status} (want ${want}) ${JSON.stringify(res.body).slice(0, 200)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('without a token, or with an unknown one, every endpoint but /health answers 401', async () => {
    const wrong: string[] = [];
    for (const ep of ENDPOINTS) {
      for (const token of [null, 'tok-nobody', '']) {
        const res = await call(ep, token);
        if (res.status !== 401) wrong.push(`${ep.name} with ${JSON.stringify(token)}: ${res.status}`);
        else expect(res.body).toMatchObject({ error: 'unauthorized', message: expect.any(String) });
      }
    }
    for (const path of ['/health', '/health/ready']) {
      for (const token of [null, 'tok-nobody']) expect((await stack.client.call('GET', path, token)).status).toBe(200);
    }
    expect(wrong).toEqual([]);
  });
});

// ---- events: from the definitions ----

function visible(actor: { unitId: string }, def: CaseDefinition): boolean {
  const path = unitPaths[actor.unitId]!;
  if (OWNERS[def.id] === actor.unitId) return true;
  if (CASE_AREA === path || CASE_AREA.startsWith(`${path}/`)) return true;
  const subject = MACHINE_SAMPLES.find((s) => s.type === def.id)!.openings[0]!.subject;
  return (def.participants ?? []).some((field) => subject[field] === actor.unitId);
}

describe('authorization matrix: every event of every protection case type', () => {
  it.each(DEFINITIONS.map((d) => [d.id, d] as const))('%s: 403 for a role that may not send it, 404 outside sight, else the state decides', async (_type, def) => {
    const wrong: string[] = [];
    let checked = 0;
    for (const [event, roles] of Object.entries(def.permissions.events)) {
      for (const name of NAMES) {
        const actor = ACTORS[name]!;
        const res = await stack.client.call('POST', `/cases/${caseIds[def.id]}/events`, actor.token, { type: event, payload: {} });
        const want = !roles.includes(actor.role) ? [403] : !visible(actor, def) ? [404] : [200, 422];
        checked++;
        if (!want.includes(res.status)) wrong.push(`${event} as ${name}: ${res.status} (want ${want.join('/')}) ${JSON.stringify(res.body).slice(0, 160)}`);
      }
    }
    expect(checked).toBe(Object.keys(def.permissions.events).length * NAMES.length);
    expect(wrong).toEqual([]);
  });

  it('opening: every case type × every actor is 201 exactly for the roles the definition lets open it, else 403', async () => {
    const wrong: string[] = [];
    for (const sample of MACHINE_SAMPLES) {
      const def = DEFINITIONS.find((d) => d.id === sample.type)!;
      const { subject, data } = sample.openings[0]!;
      for (const name of NAMES) {
        const actor = ACTORS[name]!;
        const res = await stack.client.call('POST', '/cases', actor.token, { type: def.id, subject, data });
        const want = def.permissions.open.includes(actor.role) ? 201 : 403;
        if (res.status !== want) wrong.push(`open ${def.id} as ${name}: ${res.status} (want ${want}) ${JSON.stringify(res.body).slice(0, 160)}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
