import { DateTime } from 'luxon';
import { ApiClient, createTestDatabase, freePort, prepareDatabase, stackEnv, type RunningStack, type StackProcess, startApiAndWorker, TOKENS, waitFor } from '../support/stack';

/*
 * The registry end to end over HTTP (real PostgreSQL and Redis). Every process runs on a clock shifted
 * to 60 s before the next quarterly-return due date (room for two processes to start on a loaded machine) (20 March/June/September/December, 00:00 Asia/Shanghai):
 * a township's census file with bad rows and a duplicate is refused whole; the fixed file imports; a
 * child under 16 living alone opens exactly one mandatory report, however often the file is saved;
 * the police verify household registration and the result returns to civil affairs; one township
 * files its quarterly return on time, another does not and the joint-meeting office is told.
 */
jest.setTimeout(180_000);

const T = { ...TOKENS, township: 'tok-maluguo-town', jinhuaTown: 'tok-jinhua-town', director: 'tok-director', office: 'tok-office' };
let db: { url: string; drop: () => Promise<void> };
let api: StackProcess;
let worker: StackProcess;
let client: ApiClient;
let stack: RunningStack;
let due: DateTime;

const HEADER = 'childId,name,birthDate,sex,ethnicity,householdRegistration,address,village,health,living,parentNames,parentPhones';
const row = (id: string, name: string, birth: string, living: string) =>
  [id, name, birth, '女', '朝鲜族', '长白县马鹿沟镇', '马鹿沟村3组', 'maluguo-village', '健康', living, '父:张三;母:李四', '13812345678;13987654321'].join(',');

async function importCsv(lines: string[]) {
  const res = await fetch(`${client.baseUrl}/api/v1/children/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${T.township}`, 'content-type': 'text/csv' },
    body: [HEADER, ...lines].join('\n'),
  });
  return { status: res.status, body: (await res.json()) as any };
}

async function send(token: string, caseId: string, type: string, payload: Record<string, unknown> = {}) {
  const res = await client.call('POST', `/cases/${caseId}/events`, token, { type, payload });
  if (res.status !== 200) throw new Error(`${type} -> ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

const inbox = async (token: string) => (await client.call('GET', '/inbox?limit=100', token)).body.items as { caseId: string; reason: string }[];

beforeAll(async () => {
  db = await createTestDatabase('registry');
  await prepareDatabase(db.url, [
    { userId: 'town-yang', userName: '杨镇长', unitId: 'maluguo-town', role: 'township', token: T.township },
    { userId: 'town-liu', userName: '刘乡长', unitId: 'jinhua-town', role: 'township', token: T.jinhuaTown },
    { userId: 'director-jin', userName: '金主任', unitId: 'maluguo-village', role: 'child_director', token: T.director },
    { userId: 'office-park', userName: '朴主任', unitId: 'changbai-joint-office', role: 'office', token: T.office },
  ]);
  const now = DateTime.now().setZone('Asia/Shanghai');
  const lastMonthOfQuarter = now.startOf('quarter').plus({ months: 2 });
  due = lastMonthOfQuarter.set({ day: 20 }).startOf('day');
  if (due <= now.plus({ minutes: 1 })) due = due.plus({ months: 3 });
  const offset = due.toMillis() - 60_000 - Date.now();
  const env = stackEnv(db.url, await freePort(), { CLOCK_OFFSET_MS: String(offset), CASE_DEFINITION_MODULES: '' });
  stack = await startApiAndWorker(env);
  ({ api, worker, client } = stack);
  // Maluguo must still be able to file on time after steps 1-4: say so if the start took the margin.
  const left = due.toMillis() - (Date.now() + offset);
  if (left < 20_000) throw new Error(`the processes took too long to start: only ${left} ms left before the due date`);
});

afterAll(async () => {
  await stack?.stop();
  await db?.drop();
});

it('import, the living-alone rule, police verification, and the quarterly return on time and late', async () => {
  // 1. Bad rows and a duplicate: refused whole, each row named.
  const bad = await importCsv([row('c-5001', '张小花', '2016-05-01', '父母监护'), row('c-5001', '张小花', '2016-05-01', '父母监护'), row('c-5002', '王小明', '2016-13-40', '委托监护')]);
  expect(bad.status).toBe(400);
  expect(bad.body.errors.map((e: { row: number }) => e.row).sort()).toEqual(expect.arrayContaining([2, 3]));
  expect((await client.call('GET', '/children', T.township)).body.total).toBe(0);

  // 2. The fixed file imports; the child living alone opens one mandatory report by itself.
  const good = [row('c-5001', '张小花', '2016-05-01', 'with-parent'), row('c-5003', '李小军', '2015-09-10', '独居')];
  const imported = await importCsv(good);
  expect(imported.status).toBe(201);
  expect(imported.body).toMatchObject({ created: 2 });
  expect(imported.body.livingAloneReports).toHaveLength(1);
  const again = await importCsv(good);
  expect(again.body.livingAloneReports).toEqual([]);
  const cases = (await client.call('GET', '/children/c-5003/cases', T.civilAffairs)).body.cases;
  expect(cases.map((c: { type: string }) => c.type)).toEqual(['mandatory-report']);
  await waitFor('the police station notice', async () => (await inbox(T.police)).some((n) => n.caseId === cases[0].id));

  // 3. Sensitive data is masked for the township, in full for civil affairs.
  expect((await client.call('GET', '/children/c-5001', T.township)).body.parents[0].phone).toBe('138****5678');
  expect((await client.call('GET', '/children/c-5001', T.civilAffairs)).body.parents[0].phone).toBe('13812345678');

  // 4. Census: the village submits, the township reviews, the police verify; the result returns to civil affairs.
  const census = await client.call('POST', '/cases', T.civilAffairs, {
    type: 'census-verification', subject: { township: 'maluguo', village: 'maluguo-village' }, data: { records: 2 }, jurisdictionPath: 'changbai/maluguo/village',
  });
  expect(census.status).toBe(201);
  await send(T.director, census.body.id, 'SUBMIT_RECORDS', { count: 2 });
  await send(T.township, census.body.id, 'REVIEWED');
  await send(T.police, census.body.id, 'VERIFIED', { discrepancies: [] });
  await waitFor('the verification result at civil affairs', async () => (await inbox(T.civilAffairs)).some((n) => n.caseId === census.body.id));

  // 5. The quarter's returns: Maluguo files before the 20th; Jinhua does not, and the office is told.
  const quarter = `${due.year}-Q${due.quarter}`;
  const opened = await client.call('POST', '/registry/quarterly-returns', T.civilAffairs, { quarter });
  expect(opened.status).toBe(201);
  expect(opened.body.opened).toHaveLength(8);
  const byTown = Object.fromEntries(opened.body.opened.map((o: { township: string; caseId: string }) => [o.township, o.caseId]));
  const filed = await send(T.township, byTown.maluguo, 'FILE_RETURN', { newCount: 2, changedCount: 0, noLongerLeftBehind: 0, moved: 0 });
  expect(filed.state).toBe('filedOnTime');
  const late = await waitFor('the joint-meeting office told of Jinhua\'s missing return', async () => (await inbox(T.office)).find((n) => n.caseId === byTown.jinhua), 120_000);
  expect(late.reason).toBeTruthy();
  expect((await client.call('GET', `/cases/${byTown.jinhua}`, T.jinhuaTown)).body.state).toMatch(/overdue/);
  expect((await inbox(T.office)).some((n) => n.caseId === byTown.maluguo)).toBe(false);
  const lateFiling = await send(T.jinhuaTown, byTown.jinhua, 'FILE_RETURN', { newCount: 0, changedCount: 1, noLongerLeftBehind: 0, moved: 0 });
  expect(lateFiling.state).toBe('filedLate');
});
