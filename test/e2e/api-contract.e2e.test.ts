import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  ApiClient,
  createTestDatabase,
  freePort,
  prepareDatabase,
  stackEnv,
  type StackProcess,
  startProcess,
  TOKENS,
  waitFor,
} from '../support/stack';

/*
 * The public HTTP contract around the kernel: authentication, validation (400 naming the field),
 * jurisdiction (404 outside it), permissions (403), state rules (422), listing and filters, and
 * the processes refusing to start on bad configuration or an unhandled machine action.
 */
jest.setTimeout(60_000);

let db: { url: string; drop: () => Promise<void> };
let env: Record<string, string>;
let api: StackProcess;
let client: ApiClient;

beforeAll(async () => {
  db = await createTestDatabase('api');
  await prepareDatabase(db.url);
  env = stackEnv(db.url, await freePort(), { KERNEL_ACCEPT_WITHIN_MS: '600000' });
  api = startProcess('api', env);
  client = new ApiClient(`http://127.0.0.1:${env.PORT}`);
  await waitFor('the API to be ready', async () => (await client.call('GET', '/health/ready', null)).status === 200, 30_000);
});

afterAll(async () => {
  api?.child.kill('SIGTERM');
  await api?.exited;
  await db?.drop();
});

const open = (token: string = TOKENS.school, body: Record<string, unknown> = {}) =>
  client.call('POST', '/cases', token, { type: 'kernel-deadline', subject: { childId: 'c-9' }, ownerUnitId: 'maluguo-police', ...body });

it('401 without a token or with an unknown one; health needs none', async () => {
  expect((await client.call('GET', '/cases', null)).status).toBe(401);
  expect((await client.call('GET', '/cases', 'nope')).status).toBe(401);
  expect((await client.call('GET', '/health', null)).body).toEqual({ status: 'ok' });
  expect((await client.call('GET', '/health/ready', null)).body).toMatchObject({ database: 'up', redis: 'up' });
});

it('400 naming the field and rule; unknown fields rejected; nothing is created', async () => {
  const before = (await client.call('GET', '/cases', TOKENS.police)).body.total;
  const missing = await client.call('POST', '/cases', TOKENS.school, { subject: {} });
  expect(missing.status).toBe(400);
  expect(missing.body.fields).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'type' })]));
  const extra = await open(TOKENS.school, { colour: 'red' });
  expect(extra.status).toBe(400);
  expect(extra.body.fields).toEqual([expect.objectContaining({ field: 'colour', rule: 'whitelistValidation' })]);
  const badId = await client.call('GET', '/cases/not-a-uuid', TOKENS.police);
  expect(badId.status).toBe(400);
  expect(badId.body.fields[0].field).toBe('id');
  const badVersion = await client.call('POST', `/cases/${crypto.randomUUID()}/events`, TOKENS.police, { type: 'ACCEPT', expectedVersion: 'one' });
  expect(badVersion.status).toBe(400);
  expect(badVersion.body.fields[0].field).toBe('expectedVersion');
  const reserved = await open();
  const res = await client.call('POST', `/cases/${reserved.body.id}/events`, TOKENS.police, { type: 'NOTE', payload: { $at: 'x' } });
  expect(res.status).toBe(400);
  expect(res.body.field).toBe('payload.$at');
  expect((await client.call('GET', '/cases', TOKENS.police)).body.total).toBe(before + 1);
});

it('422 for an unknown case type or owner unit; 201 with deadlines and allowed events', async () => {
  const unknownType = await open(TOKENS.school, { type: 'no-such-case' });
  expect(unknownType.status).toBe(422);
  expect(unknownType.body.field).toBe('type');
  expect((await open(TOKENS.school, { ownerUnitId: 'atlantis' })).body).toMatchObject({ error: 'unprocessable', field: 'ownerUnitId' });
  const created = await open();
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({
    state: 'awaitingAcceptance',
    version: 1,
    jurisdictionPath: 'changbai/maluguo/school',
    allowedEvents: ['NOTE'],
    deadlines: [expect.objectContaining({ name: 'acceptDeadline', overdue: false, dueAt: expect.stringMatching(/\+08:00$/) })],
  });
  expect(created.headers.get('x-request-id')).toBeTruthy();
});

it('422 naming the field when a protection case is opened without a proper child subject; nothing is created', async () => {
  const before = (await client.call('GET', '/cases?type=guardianship', TOKENS.civilAffairs)).body.total;
  const res = await client.call('POST', '/cases', TOKENS.civilAffairs, { type: 'guardianship', subject: { childId: 'c-1' }, jurisdictionPath: 'changbai/maluguo' });
  expect(res.status).toBe(422);
  expect(res.body).toMatchObject({ field: 'subject.township', problems: [expect.objectContaining({ field: 'subject.township' })] });
  expect((await client.call('GET', '/cases?type=guardianship', TOKENS.civilAffairs)).body.total).toBe(before);
});

it('403 for a role that may not send the event; 422 naming the state; 409 for a stale version', async () => {
  const { body: c } = await open();
  const forbidden = await client.call('POST', `/cases/${c.id}/events`, TOKENS.school, { type: 'ACCEPT' });
  expect(forbidden.status).toBe(403);
  expect(forbidden.body.allowedRoles).toEqual(['police']);
  const wrongState = await client.call('POST', `/cases/${c.id}/events`, TOKENS.police, { type: 'CLOSE' });
  expect(wrongState.status).toBe(422);
  expect(wrongState.body).toMatchObject({ state: 'awaitingAcceptance', accepted: ['ACCEPT', 'NOTE'] });
  const stale = await client.call('POST', `/cases/${c.id}/events`, TOKENS.police, { type: 'ACCEPT', expectedVersion: 5 });
  expect(stale.status).toBe(409);
  expect(stale.body.currentVersion).toBe(1);
  const view = await client.call('GET', `/cases/${c.id}`, TOKENS.police);
  expect(view.body).toMatchObject({ version: 1, state: 'awaitingAcceptance', allowedEvents: ['ACCEPT', 'NOTE'] });
  expect((await client.call('GET', `/cases/${c.id}/history`, TOKENS.police)).body.entries).toHaveLength(1);
});

it('jurisdiction: another township\'s police get 404 and do not see the case in lists', async () => {
  const { body: c } = await open();
  expect((await client.call('GET', `/cases/${c.id}`, TOKENS.otherPolice)).status).toBe(404);
  expect((await client.call('POST', `/cases/${c.id}/events`, TOKENS.otherPolice, { type: 'ACCEPT' })).status).toBe(404);
  expect((await client.call('GET', `/cases/${c.id}/history`, TOKENS.otherPolice)).status).toBe(404);
  const theirs = await client.call('GET', '/cases', TOKENS.otherPolice);
  expect(theirs.body.items.map((x: { id: string }) => x.id)).not.toContain(c.id);
  const county = await client.call('GET', `/cases/${c.id}`, TOKENS.civilAffairs);
  expect(county.status).toBe(200);
  expect(county.body.allowedEvents).toEqual(['NOTE']);
});

it('lists by type, state and overdue, paginated', async () => {
  const { body: c } = await open();
  await client.call('POST', `/cases/${c.id}/events`, TOKENS.police, { type: 'ACCEPT' });
  const accepted = await client.call('GET', '/cases?state=accepted&type=kernel-deadline&limit=1', TOKENS.police);
  expect(accepted.status).toBe(200);
  expect(accepted.body.items).toHaveLength(1);
  expect(accepted.body.items[0].state).toBe('accepted');
  expect(accepted.body.total).toBeGreaterThanOrEqual(1);
  const overdue = await client.call('GET', '/cases?overdue=true', TOKENS.police);
  expect(overdue.body.total).toBe(0); // every deadline here is ten minutes away
  expect((await client.call('GET', '/cases?overdue=maybe', TOKENS.police)).status).toBe(400);
  expect((await client.call('GET', '/cases?limit=1000', TOKENS.police)).status).toBe(400);
});

it('serves the OpenAPI document at /docs', async () => {
  const res = await fetch(`${client.baseUrl}/docs-json`);
  expect(res.status).toBe(200);
  const doc = (await res.json()) as { paths: Record<string, unknown> };
  expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/cases', '/api/v1/cases/{id}/events', '/api/v1/inbox']));
});

it('the worker refuses to start when a machine names an action no handler carries out', async () => {
  const fixture = resolve(__dirname, '../../dist/test/fixtures/unhandled-action-case.js');
  const w = startProcess('worker', { ...env, CASE_DEFINITION_MODULES: `${env.CASE_DEFINITION_MODULES},${fixture}` });
  expect(await w.exited).toBe(1);
  expect(w.output()).toContain('no effect handler for: kernel-unhandled@1: teleportChild');
});

it('bad configuration stops the process with a clear message and no stack trace', async () => {
  const p = startProcess('api', { ...env, PORT: 'eighty', LOG_LEVEL: 'loud' });
  expect(await p.exited).toBe(1);
  expect(p.output()).toContain('PORT: PORT must be a whole number from 0 to 65535');
  expect(p.output()).toContain('LOG_LEVEL');
  expect(p.output()).not.toMatch(/\n\s+at /);
});

it('without Redis, a production process says how to get one instead of crashing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shouhu-'));
  try {
    const p = startProcess('worker', { ...env, REDIS_URL: `redis://127.0.0.1:${await freePort()}`, DATA_DIR: dir });
    expect(await p.exited).toBe(1);
    expect(p.output()).toContain('No Redis answers at');
    expect(p.output()).not.toMatch(/\n\s+at /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
