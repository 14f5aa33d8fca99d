import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { verifyWebhookSignature } from '#shouhu/notify';
import { writeFastPolicy } from '../support/fast-policy';
import {
  ApiClient,
  createTestDatabase,
  freePort,
  prepareDatabase,
  stackEnv,
  type RunningStack,
  type StackProcess,
  startApiAndWorker,
  TOKENS,
  waitFor,
} from '../support/stack';

/*
 * One child's story through the four mechanisms, over HTTP on the real PostgreSQL and Redis, with a
 * county policy whose acceptance deadline and follow-up rhythm are shrunk to seconds:
 * a school reports a child living alone -> the police station is told -> nobody accepts -> the
 * escalation reaches the county bureau and the joint-meeting office -> police accept and dispatch ->
 * temporary care -> an assessment case opens for civil affairs -> plan approved -> the women's
 * federation accepts the referral -> follow-up reminders arrive -> the case is closed. The reporter
 * is told of the acceptance, the progress within three days and the outcome, and sees nothing else.
 */
jest.setTimeout(120_000);

let db: { url: string; drop: () => Promise<void> };
let dir: string;
let env: Record<string, string>;
let api: StackProcess;
let worker: StackProcess;
let client: ApiClient;
let stack: RunningStack;
let sql: Client;
let receiver: Server;
const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
const WEBHOOK_SECRET = 'maluguo-police-alerts-secret';

const T = {
  ...TOKENS,
  psb: 'tok-psb',
  office: 'tok-office',
  supervisor: 'tok-supervisor',
  womensFederation: 'tok-womens-federation',
  township: 'tok-township',
};

async function inbox(token: string): Promise<{ caseId: string; reason: string; payload: Record<string, unknown> }[]> {
  const res = await client.call('GET', '/inbox?limit=100', token);
  expect(res.status).toBe(200);
  return res.body.items;
}

async function send(token: string, caseId: string, type: string, payload: Record<string, unknown> = {}) {
  const res = await client.call('POST', `/cases/${caseId}/events`, token, { type, payload });
  if (res.status !== 200) throw new Error(`${type} -> ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function childCase(type: string): Promise<{ id: string; state: string }> {
  return waitFor(`a ${type} case for the child`, async () => {
    const res = await client.call('GET', '/children/c-2001/cases', T.civilAffairs);
    return res.body.cases.find((c: { type: string }) => c.type === type);
  });
}

beforeAll(async () => {
  db = await createTestDatabase('story');
  await prepareDatabase(db.url, [
    { userId: 'psb-duty', userName: '县公安局值班室', unitId: 'changbai-psb', role: 'psb', token: T.psb },
    { userId: 'office-park', userName: '朴主任', unitId: 'changbai-joint-office', role: 'office', token: T.office },
    { userId: 'supervisor-cui', userName: '崔局长', unitId: 'changbai-civil-affairs', role: 'civil_affairs_supervisor', token: T.supervisor },
    { userId: 'wf-li', userName: '李主席', unitId: 'changbai-womens-federation', role: 'service', token: T.womensFederation },
    { userId: 'town-yang', userName: '杨镇长', unitId: 'maluguo-town', role: 'township', token: T.township },
  ]);
  dir = mkdtempSync(join(tmpdir(), 'shouhu-story-'));
  const policyFile = writeFastPolicy(dir, { reportAccept: 'PT2S', followUpEvery: 'PT3S', guardianshipRefusal: 'PT3S' });
  env = stackEnv(db.url, await freePort(), { PROTECTION_POLICY_FILE: policyFile, CASE_DEFINITION_MODULES: '' });
  stack = await startApiAndWorker(env);
  ({ api, worker, client } = stack);
  sql = new Client({ connectionString: db.url });
  await sql.connect();
  // The police station routes its alerts into its own system: a local receiver stands in for it.
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  const port = (receiver.address() as { port: number }).port;
  const channel = await client.call('POST', '/channels', T.police, { kind: 'webhook', target: `http://127.0.0.1:${port}/alerts`, secret: WEBHOOK_SECRET });
  expect(channel.status).toBe(201);
});

afterAll(async () => {
  await stack?.stop();
  await sql?.end();
  await new Promise((r) => receiver?.close(r));
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

it('a child living alone: report, escalation, emergency, temporary care, assessment, assistance, closure', async () => {
  // 1. The school reports; the police station of the child's township is told at once.
  const filed = await client.call('POST', '/reports', T.school, {
    child: { childId: 'c-2001', name: '小明', township: 'maluguo', village: 'maluguo-village', school: 'maluguo-school' },
    triggers: ['ALONE_NO_GUARDIAN'],
    description: '孩子独自在家三天，父母在外务工联系不上',
  });
  expect(filed.status).toBe(201);
  const report = filed.body;
  expect(report).toMatchObject({ type: 'mandatory-report', ownerUnitId: 'maluguo-police', jurisdictionPath: 'changbai/maluguo/village' });
  await waitFor('the police station notice', async () => (await inbox(T.police)).some((n) => n.caseId === report.id));
  // ... and, through its webhook channel, a signed POST, recorded on the case as delivered.
  const hook = await waitFor('the signed webhook', async () => received.find((r) => r.body.includes(report.id)));
  expect(verifyWebhookSignature(WEBHOOK_SECRET, hook.headers['x-shouhu-timestamp'] as string, hook.body, hook.headers['x-shouhu-signature'] as string)).toBe(true);
  expect(JSON.parse(hook.body).notification).toMatchObject({ caseId: report.id, unitId: 'maluguo-police' });
  const deliveries = await waitFor('the delivery record', async () => {
    const d = await client.call('GET', `/cases/${report.id}/deliveries`, T.police);
    return d.body.items.some((x: { status: string }) => x.status === 'delivered') ? d.body.items : undefined;
  });
  expect(deliveries[0]).toMatchObject({ kind: 'webhook', unitId: 'maluguo-police', status: 'delivered', attempts: 1 });

  // 2. Nobody accepts within the (shrunk) deadline: the county bureau and the joint-meeting office are told.
  await waitFor('escalation to the county PSB', async () => (await inbox(T.psb)).some((n) => n.caseId === report.id));
  await waitFor('escalation to the joint-meeting office', async () => (await inbox(T.office)).some((n) => n.caseId === report.id));
  const history = await client.call('GET', `/cases/${report.id}/history`, T.police);
  expect(history.body.entries.map((e: { eventType: string }) => e.eventType)).toContain('xstate.after.reportAccept.mandatory-report.awaitingAcceptance');

  // 3. A school cannot dispatch police (403) and cannot read the case (404); township staff see it but may not dispatch.
  expect((await client.call('POST', `/cases/${report.id}/events`, T.school, { type: 'DISPATCH' })).status).toBe(403);
  expect((await client.call('GET', `/cases/${report.id}`, T.school)).status).toBe(404);
  expect((await client.call('POST', `/cases/${report.id}/events`, T.township, { type: 'DISPATCH' })).status).toBe(403);
  const townView = await client.call('GET', `/cases/${report.id}`, T.township);
  expect(townView.body.data.reporter).toBe('[confidential]');
  expect((await client.call('GET', `/cases/${report.id}`, T.police)).body.data.reporter).toMatchObject({ unitId: 'maluguo-school' });

  // 4. Police accept and dispatch: the emergency case opens for the same child.
  await send(T.police, report.id, 'ACCEPT');
  await send(T.police, report.id, 'DISPATCH');
  const emergency = await childCase('emergency');
  await send(T.police, emergency.id, 'TEMPORARY_CARE', { ground: 'A92_2_GUARDIAN_MISSING', institution: '长白县儿童福利院' });
  await send(T.police, report.id, 'GIVE_FEEDBACK', { summary: '已出警，儿童已临时安置' });
  await send(T.police, emergency.id, 'HANDOVER');

  // 5. The assessment case opens for civil affairs; assessment, plan, supervisor approval.
  const assessment = await childCase('assessment');
  expect((await client.call('GET', `/cases/${assessment.id}`, T.civilAffairs)).body.ownerUnitId).toBe('changbai-civil-affairs');
  const closeTooSoon = await client.call('POST', `/cases/${assessment.id}/events`, T.supervisor, { type: 'APPROVE_CLOSURE' });
  expect(closeTooSoon.status).toBe(422); // no plan yet: closing is not possible
  await send(T.civilAffairs, assessment.id, 'SUBMIT_ASSESSMENT', { safety: 'at-risk', health: '营养不良', guardianship: 'unable' });
  await send(T.civilAffairs, assessment.id, 'SUBMIT_PLAN', { goals: ['临时照料', '联系父母'], referrals: ['service:womens-federation'] });
  expect((await client.call('POST', `/cases/${assessment.id}/events`, T.civilAffairs, { type: 'APPROVE_PLAN' })).status).toBe(403);
  await send(T.supervisor, assessment.id, 'APPROVE_PLAN');

  // 6. The women's federation gets the referral and accepts it; follow-up reminders come on their rhythm.
  await waitFor('the referral', async () => (await inbox(T.womensFederation)).some((n) => n.caseId === assessment.id));
  await send(T.womensFederation, assessment.id, 'REFERRAL_ACCEPTED', { service: 'service:womens-federation' });
  const reminders = await waitFor('two follow-up reminders', async () => {
    const mine = (await inbox(T.civilAffairs)).filter((n) => n.caseId === assessment.id && /follow|随访|回访/i.test(n.reason));
    return mine.length >= 2 ? mine : undefined;
  }, 20_000);
  expect(reminders.length).toBeGreaterThanOrEqual(2);
  await send(T.civilAffairs, assessment.id, 'FOLLOW_UP_VISIT', { notes: '父母已返乡' });
  await send(T.civilAffairs, assessment.id, 'REASSESS', { guardianship: 'able' });
  await send(T.civilAffairs, assessment.id, 'RETURN_HOME');
  await send(T.civilAffairs, assessment.id, 'REQUEST_CLOSURE');
  const closed = await send(T.supervisor, assessment.id, 'APPROVE_CLOSURE');
  expect(closed.status).toBe('done');

  // 7. The police conclude the report; the reporter is told the outcome.
  await send(T.police, report.id, 'CONCLUDE', { outcome: '父母返乡，监护恢复，民政持续随访' });

  // 8. The reporter got the acceptance, the progress and the outcome — and sees nothing else.
  const reporterNotices = await waitFor('the outcome notice', async () => {
    const mine = (await inbox(T.school)).filter((n) => n.caseId === report.id);
    return mine.length >= 3 ? mine : undefined;
  });
  expect(reporterNotices).toHaveLength(3);
  expect((await client.call('GET', `/cases/${report.id}`, T.school)).status).toBe(404);
  expect((await client.call('GET', `/cases/${assessment.id}`, T.school)).status).toBe(404);
  const schoolSees = await client.call('GET', '/cases', T.school);
  expect(schoolSees.body.items.map((c: { id: string }) => c.id)).not.toContain(report.id);

  // 9. The child's page lists every case in order, each with a verifiable history.
  const story = await client.call('GET', '/children/c-2001/cases', T.civilAffairs);
  expect(story.body.cases.map((c: { type: string }) => c.type)).toEqual(['mandatory-report', 'emergency', 'assessment']);
  for (const c of story.body.cases) {
    expect((await client.call('GET', `/cases/${c.id}/history`, T.civilAffairs)).body.verification).toEqual({ valid: true });
  }
});

it('guardianship: the refusal period runs out with nobody acting and the court application falls due by itself', async () => {
  const opened = await client.call('POST', '/cases', T.civilAffairs, {
    type: 'guardianship',
    subject: { childId: 'c-2002', township: 'maluguo', village: 'maluguo-village' },
    data: { findings: '父母拒不履行监护职责' },
    jurisdictionPath: 'changbai/maluguo/village',
  });
  expect(opened.status).toBe(201);
  const id = opened.body.id;
  await send(T.civilAffairs, id, 'ADMONISH', { by: 'civil_affairs', measures: ['训诫'] });
  const refusing = await send(T.civilAffairs, id, 'REFUSAL_OBSERVED');
  expect(refusing.state).toBe('refusal');
  expect(refusing.deadlines.map((d: { name: string }) => d.name)).toContain('guardianshipRefusal');
  // Nobody sends anything: the worker fires the (shrunk) six-month deadline from its durable timer.
  const due = await waitFor('the application to fall due', async () => {
    const c = await client.call('GET', `/cases/${id}`, T.civilAffairs);
    return c.body.state.startsWith('applicationDue') ? c.body : undefined;
  }, 20_000);
  expect(due.allowedEvents).toContain('FILE_APPLICATION');
  await waitFor('the joint-meeting office notice', async () => (await inbox(T.office)).some((n) => n.caseId === id && /撤销|revoke/.test(n.reason)));
  const last = (await client.call('GET', `/cases/${id}/history`, T.civilAffairs)).body.entries.at(-1);
  expect(last).toMatchObject({ actor: { role: 'system' }, fromState: 'refusal' });
});
