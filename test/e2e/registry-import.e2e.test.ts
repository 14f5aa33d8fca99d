import { Workbook } from 'exceljs';
import { DateTime } from 'luxon';
import { Client } from 'pg';
import { ApiClient, createTestDatabase, freePort, prepareDatabase, stackEnv, type RunningStack, type StackProcess, startApiAndWorker, TOKENS, waitFor } from '../support/stack';

/*
 * Registry imports as jobs over HTTP, with the built API and worker on the real PostgreSQL and Redis:
 * a CSV with bad rows is rejected with every row's errors and nothing imported; a good CSV is done
 * with processed == total while polling sees the status only move forward; a workbook imports; an
 * import whose Redis job never existed still runs (PostgreSQL is the truth). Then what the registry
 * opens by itself: the yearly summaries (once per unit and year; reminders to the unit, escalation to
 * the joint-meeting office), a key child's visit plan (409 while one is open), and who lists what.
 * The stack's clock stands on 10 December (after the summary reminder, before the 15 December due date).
 */
jest.setTimeout(180_000);

const T = {
  ...TOKENS, township: 'tok-maluguo-town', jinhuaTown: 'tok-jinhua-town', village: 'tok-maluguo-village', office: 'tok-office', education: 'tok-education',
};
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const HEADER = 'childId,name,birthDate,sex,ethnicity,householdRegistration,address,village,school,health,living,keyChild';
const row = (id: string, over: { birth?: string; village?: string; school?: string; living?: string; key?: string } = {}) =>
  [id, `学生${id}`, over.birth ?? '2015-03-01', '女', '朝鲜族', '长白县马鹿沟镇', '马鹿沟村', over.village ?? 'maluguo-village', over.school ?? '', '健康', over.living ?? '父母监护', over.key ?? '否'].join(',');
const RANK = ['queued', 'validating', 'importing', 'done'];

let db: { url: string; drop: () => Promise<void> };
let api: StackProcess;
let worker: StackProcess;
let client: ApiClient;
let stack: RunningStack;
let year: number;

async function upload(body: string | Buffer, type: string, token = T.township) {
  const res = await fetch(`${client.baseUrl}/api/v1/registry/imports`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': type }, body });
  return { status: res.status, body: (await res.json()) as any };
}

/** Polls until the import is finished; returns every state seen, in order. */
async function follow(id: string, token = T.township) {
  const seen: { status: string; processed: number; total: number }[] = [];
  const last = await waitFor('the import to finish', async () => {
    const r = await client.call('GET', `/registry/imports/${id}`, token);
    expect(r.status).toBe(200);
    seen.push({ status: r.body.status, processed: r.body.processed, total: r.body.total });
    return ['done', 'rejected', 'failed'].includes(r.body.status) ? r.body : undefined;
  }, 120_000, 25);
  return { last, seen };
}

const inbox = async (token: string) => (await client.call('GET', '/inbox?limit=100', token)).body.items as { caseId: string; reason: string }[];

beforeAll(async () => {
  db = await createTestDatabase('regimport');
  await prepareDatabase(db.url, [
    { userId: 'town-yang', userName: '杨镇长', unitId: 'maluguo-town', role: 'township', token: T.township },
    { userId: 'town-liu', userName: '刘乡长', unitId: 'jinhua-town', role: 'township', token: T.jinhuaTown },
    { userId: 'village-jin', userName: '金书记', unitId: 'maluguo-village', role: 'village', token: T.village },
    { userId: 'office-park', userName: '朴主任', unitId: 'changbai-joint-office', role: 'office', token: T.office },
    { userId: 'edu-wang', userName: '王科长', unitId: 'changbai-education', role: 'education', token: T.education },
  ]);
  const now = DateTime.now().setZone('Asia/Shanghai');
  let standOn = DateTime.fromObject({ year: now.year, month: 12, day: 10, hour: 10 }, { zone: 'Asia/Shanghai' });
  if (standOn <= now) standOn = standOn.plus({ years: 1 });
  year = standOn.year;
  const env = stackEnv(db.url, await freePort(), { CLOCK_OFFSET_MS: String(standOn.toMillis() - Date.now()), CASE_DEFINITION_MODULES: '' });
  stack = await startApiAndWorker(env);
  ({ api, worker, client } = stack);
});

afterAll(async () => {
  await stack?.stop();
  await db?.drop();
});

it('a CSV with bad rows is rejected with the per-row errors and nothing is imported', async () => {
  const res = await upload([HEADER, row('R1'), row('R2', { birth: '2015-02-30' }), row('R3', { living: '随便' }), row('R1')].join('\n'), 'text/csv');
  expect(res.status).toBe(202);
  expect(res.body).toMatchObject({ status: 'queued', format: 'csv', total: 0, processed: 0, imported: 0, errors: [], finishedAt: null });
  const { last } = await follow(res.body.id);
  expect(last.status).toBe('rejected');
  expect(last.errors.map((e: { row: number; field: string }) => `${e.row}:${e.field}`)).toEqual(['2:birthDate', '3:living', '4:childId']);
  expect(last.imported).toBe(0);
  expect((await client.call('GET', '/children', T.township)).body.total).toBe(0);
});

it('a township imports only into its own township: another one named in ?township= is a 400 on both import paths, nothing imported', async () => {
  const csv = [HEADER, row('X1')].join('\n');
  const job = await fetch(`${client.baseUrl}/api/v1/registry/imports?township=jinhua`, { method: 'POST', headers: { authorization: `Bearer ${T.township}`, 'content-type': 'text/csv' }, body: csv });
  const direct = await fetch(`${client.baseUrl}/api/v1/children/import?township=jinhua`, { method: 'POST', headers: { authorization: `Bearer ${T.township}`, 'content-type': 'text/csv' }, body: csv });
  for (const res of [job, direct]) {
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ field: 'township', message: expect.stringContaining('own township (maluguo)') });
  }
  expect((await client.call('GET', '/children', T.jinhuaTown)).body.total).toBe(0);
  expect((await client.call('GET', '/children', T.township)).body.total).toBe(0);
});

it('a good CSV is done, processed == total, the files are there; polling only ever sees the status move forward', async () => {
  const lines = Array.from({ length: 1500 }, (_, i) => row(`G${String(i).padStart(4, '0')}`, {
    village: i % 3 === 0 ? 'maluguo-other-village' : 'maluguo-village',
    school: i % 5 === 0 ? 'maluguo-school' : i % 7 === 0 ? '马鹿沟镇中心小学' : '',
    birth: `2015-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
    key: i === 1 || i === 2 ? '是' : '否',
  }));
  const res = await upload([HEADER, ...lines].join('\n'), 'text/csv; charset=utf-8');
  expect(res.status).toBe(202);
  const { last, seen } = await follow(res.body.id);
  expect([last.status, last.total, last.processed, last.imported, last.errors]).toEqual(['done', 1500, 1500, 1500, []]);
  expect(last.result).toMatchObject({ created: 1500, updated: 0, unchanged: 0 });
  for (let i = 1; i < seen.length; i++) {
    expect(RANK.indexOf(seen[i]!.status)).toBeGreaterThanOrEqual(RANK.indexOf(seen[i - 1]!.status));
    if (seen[i]!.status === seen[i - 1]!.status) expect(seen[i]!.processed).toBeGreaterThanOrEqual(seen[i - 1]!.processed);
  }
  expect((await client.call('GET', '/children?limit=1', T.township)).body.total).toBe(1500);
  // Another township does not see the import.
  expect((await client.call('GET', `/registry/imports/${res.body.id}`, T.jinhuaTown)).status).toBe(404);
  expect((await client.call('GET', `/registry/imports/${res.body.id}`, T.civilAffairs)).status).toBe(200);

  // Finer than township: the village sees its village, the school its pupils (by unit id or name).
  const village = (await client.call('GET', '/children?limit=500', T.village)).body;
  expect(village.total).toBe(1000);
  expect(village.items.every((c: { village: string }) => c.village === 'maluguo-village')).toBe(true);
  const school = (await client.call('GET', '/children?limit=500', T.school)).body;
  const pupils = lines.filter((l) => /,(maluguo-school|马鹿沟镇中心小学),/.test(l)).length;
  expect(school.total).toBe(pupils);
  expect(school.items.every((c: { school: string }) => ['maluguo-school', '马鹿沟镇中心小学'].includes(c.school))).toBe(true);
  expect((await client.call('GET', '/children?limit=1&village=maluguo-other-village', T.village)).body.total).toBe(1000);
});

it('an XLSX workbook is done', async () => {
  const book = new Workbook();
  const sheet = book.addWorksheet('名册');
  sheet.addRow(['学籍号', '姓名', '出生日期', '性别', '民族', '户籍', '住址', '村', '健康状况', '居住情况']);
  sheet.addRow(['X001', '金小花', new Date(Date.UTC(2014, 4, 6)), '女', '朝鲜族', '长白县马鹿沟镇', '马鹿沟村', 'maluguo-village', '健康', '父母监护']);
  sheet.addRow(['X002', '王小明', '2015-09-10', '男', '汉族', '长白县马鹿沟镇', '马鹿沟村', 'maluguo-village', '健康', '父母监护']);
  const res = await upload(Buffer.from(await book.xlsx.writeBuffer()), XLSX);
  expect([res.status, res.body.format]).toEqual([202, 'xlsx']);
  const { last } = await follow(res.body.id);
  expect([last.status, last.processed, last.total]).toEqual(['done', 2, 2]);
  expect((await client.call('GET', '/children/X001', T.township)).body.birthDate).toBe('2014-05-06');
  expect((await upload('not a file', 'application/json')).status).toBe(400);
  expect((await upload('x', 'text/csv', T.school)).status).toBe(202);
});

it('an import whose Redis job was lost still runs (the reconcile round finds it in PostgreSQL)', async () => {
  const pg = new Client({ connectionString: db.url });
  await pg.connect();
  try {
    const actor = { userId: 'town-yang', unitId: 'maluguo-town', role: 'township', jurisdictionPath: 'changbai/maluguo' };
    const [{ id }] = (await pg.query(
      `insert into registry_import (id, status, format, township, jurisdiction_path, actor, content, created_at, updated_at)
       values (gen_random_uuid(), 'queued', 'csv', 'maluguo', 'changbai/maluguo', $1, $2, now() - interval '1 minute', now() - interval '1 minute') returning id`,
      [JSON.stringify(actor), Buffer.from([HEADER, row('L001')].join('\n'))],
    )).rows;
    const { last } = await follow(id);
    expect(last.status).toBe('done');
  } finally {
    await pg.end();
  }
});

it('yearly summaries: once per unit and year; the reminder reaches the unit, a missed year escalates to the office', async () => {
  const first = await client.call('POST', '/registry/yearly-summaries', T.office, { year });
  expect(first.status).toBe(201);
  const units = first.body.opened.map((o: { unitId: string }) => o.unitId);
  expect(units).toEqual(expect.arrayContaining(['maluguo-town', 'jinhua-town', 'changbai-education', 'changbai-civil-affairs', 'changbai-psb']));
  expect(units).not.toContain('changbai-joint-office');
  expect(units).not.toContain('maluguo-police');
  const again = await client.call('POST', '/registry/yearly-summaries', T.office, { year });
  expect([again.status, again.body.opened, again.body.alreadyOpen]).toEqual([200, [], units.length]);
  expect(again.body.message).toMatch(/already open/);
  expect((await client.call('POST', '/registry/yearly-summaries', T.township, { year })).status).toBe(403);
  expect((await client.call('POST', '/registry/yearly-summaries', T.office, { year: 'next' })).status).toBe(400);

  // 10 December: past the reminder instant, so each unit is reminded at once, in its own inbox.
  const mine = first.body.opened.find((o: { unitId: string }) => o.unitId === 'maluguo-town').caseId;
  const edu = first.body.opened.find((o: { unitId: string }) => o.unitId === 'changbai-education').caseId;
  await waitFor('the township reminded', async () => (await inbox(T.township)).some((n) => n.caseId === mine));
  await waitFor('the education bureau reminded', async () => (await inbox(T.education)).some((n) => n.caseId === edu));
  expect((await inbox(T.office)).some((n) => n.caseId === mine)).toBe(false);

  // Last year's summaries, opened after their due date: overdue at once, escalated to the joint-meeting office.
  const late = await client.call('POST', '/registry/yearly-summaries', T.office, { year: year - 1 });
  const lateTown = late.body.opened.find((o: { unitId: string }) => o.unitId === 'maluguo-town').caseId;
  expect((await client.call('GET', `/cases/${lateTown}`, T.township)).body.state).toBe('overdue');
  await waitFor('the office told of the missed summary', async () => (await inbox(T.office)).some((n) => n.caseId === lateTown));
});

it('a key child\'s visit plan: opened for the child\'s village, 409 while open, 422 for a child not marked key, 404 elsewhere', async () => {
  const opened = await client.call('POST', '/children/G0001/key-child-visits', T.village);
  expect(opened.status).toBe(201);
  expect(opened.body).toMatchObject({ type: 'key-child-visits', ownerUnitId: 'maluguo-village', subject: { childId: 'G0001', township: 'maluguo', village: 'maluguo-village' } });
  const twice = await client.call('POST', '/children/G0001/key-child-visits', T.township);
  expect([twice.status, twice.body.caseId]).toEqual([409, opened.body.id]);
  expect((await client.call('POST', '/children/G0003/key-child-visits', T.village)).status).toBe(422);
  expect((await client.call('POST', '/children/G0002/key-child-visits', T.jinhuaTown)).status).toBe(404);
  expect((await client.call('POST', '/children/NOPE/key-child-visits', T.village)).status).toBe(404);
  // Ended, a new plan may be opened.
  expect((await client.call('POST', `/cases/${opened.body.id}/events`, T.village, { type: 'END', payload: { reason: '不再是重点对象' } })).status).toBe(200);
  expect((await client.call('POST', '/children/G0001/key-child-visits', T.village)).status).toBe(201);
});
