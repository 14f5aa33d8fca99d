import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { writeFastPolicy } from '../support/fast-policy';
import { ApiClient, createTestDatabase, freePort, prepareDatabase, stackEnv, type RunningStack, type StackProcess, startApiAndWorker, TOKENS, waitFor } from '../support/stack';

/*
 * A school's duty end to end over HTTP (real PostgreSQL and Redis; the county's school deadlines
 * shrunk to seconds, the dropout threshold to 5 school days): an attendance file with a bad row is
 * refused whole; an unexplained absence opens a case and the guardian must be reached; a child found
 * alone opens a mandatory report by itself; a run of absence registers a dropout; reminders come on
 * their rhythm and stop when the child is back; failed visits make the written report due; the bureau
 * and the township acknowledge it and the bureau orders the guardian; the child returns and is struck
 * off; the monthly and quarterly reports come from the data.
 */
jest.setTimeout(120_000);

const T = { ...TOKENS, education: 'tok-education', township: 'tok-township', director: 'tok-child-director' };
let db: { url: string; drop: () => Promise<void> };
let dir: string;
let api: StackProcess;
let worker: StackProcess;
let client: ApiClient;
let stack: RunningStack;

/** The last `n` weekdays before today, in Asia/Shanghai, oldest first. */
function schoolDays(n: number): string[] {
  const days: string[] = [];
  let d = DateTime.now().setZone('Asia/Shanghai').startOf('day');
  while (days.length < n) {
    d = d.minus({ days: 1 });
    if (d.weekday <= 5) days.unshift(d.toISODate()!);
  }
  return days;
}

const csv = (rows: string[][]) => ['childId,childName,township,village,className,date,status,reason', ...rows.map((r) => r.join(','))].join('\r\n');

async function upload(body: string) {
  const res = await fetch(`${client.baseUrl}/api/v1/schools/attendance`, {
    method: 'POST',
    headers: { authorization: `Bearer ${T.school}`, 'content-type': 'text/csv' },
    body,
  });
  return { status: res.status, body: (await res.json()) as any };
}

async function send(token: string, caseId: string, type: string, payload: Record<string, unknown> = {}) {
  const res = await client.call('POST', `/cases/${caseId}/events`, token, { type, payload });
  if (res.status !== 200) throw new Error(`${type} -> ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

const inbox = async (token: string) => (await client.call('GET', '/inbox?limit=100', token)).body.items as { caseId: string; reason: string }[];
const casesOf = async (childId: string) => (await client.call('GET', `/children/${childId}/cases`, T.civilAffairs)).body.cases as { id: string; type: string; state: string }[];

beforeAll(async () => {
  db = await createTestDatabase('school');
  await prepareDatabase(db.url, [
    { userId: 'edu-chu', userName: '楚副局长', unitId: 'changbai-education', role: 'education', token: T.education },
    { userId: 'town-yang', userName: '杨镇长', unitId: 'maluguo-town', role: 'township', token: T.township },
    { userId: 'director-jin', userName: '金主任', unitId: 'maluguo-village', role: 'child_director', token: T.director },
  ]);
  dir = mkdtempSync(join(tmpdir(), 'shouhu-school-'));
  const policy = writeFastPolicy(dir, {}, { reachGuardian: 'PT2S', persuasionReminderEvery: 'PT2S', dropoutAfterSchoolDays: 5 });
  const env = stackEnv(db.url, await freePort(), { PROTECTION_POLICY_FILE: policy, CASE_DEFINITION_MODULES: '' });
  stack = await startApiAndWorker(env);
  ({ api, worker, client } = stack);
});

afterAll(async () => {
  await stack?.stop();
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

it('absence, child found alone, dropout, persuasion, written report, order, return, reports', async () => {
  const days = schoolDays(6);
  const first = days[0]!;

  // A file with one bad row is refused whole, naming the row and the field.
  const bad = await upload(csv([['c-4001', '小红', 'maluguo', 'maluguo-village', '三年级一班', first, 'absent', ''], ['c-4002', '小刚', 'maluguo', '', '', 'yesterday', 'present', '']]));
  expect(bad.status).toBe(400);
  expect(bad.body.errors).toEqual([expect.objectContaining({ row: 2, field: 'date' })]);
  expect(await casesOf('c-4001')).toEqual([]);

  // Day one: two unexplained absences open two cases; the guardian must be reached in time.
  const day1 = await upload(csv([
    ['c-4001', '小红', 'maluguo', 'maluguo-village', '三年级一班', first, 'absent', ''],
    ['c-4003', '小军', 'maluguo', 'maluguo-village', '三年级一班', first, 'absent', ''],
    ['c-4002', '小刚', 'maluguo', '', '三年级一班', first, 'present', ''],
  ]));
  expect(day1.status).toBe(201);
  expect(day1.body.absenceCasesOpened).toHaveLength(2);
  const [absence] = await casesOf('c-4001');
  expect(absence).toMatchObject({ type: 'school-absence', state: 'reachingGuardian.inTime' });
  await waitFor('the missed reach-the-guardian deadline told to the township', async () => (await inbox(T.township)).some((n) => n.caseId === absence!.id));

  // The teacher finds c-4003 alone at home: a mandatory report opens by itself.
  const other = (await casesOf('c-4003'))[0]!;
  await send(T.school, other.id, 'CHILD_ALONE', { details: '父母外出务工，孩子独自在家' });
  const report = await waitFor('the mandatory report', async () => (await casesOf('c-4003')).find((c) => c.type === 'mandatory-report'));
  await waitFor('the police station notice', async () => (await inbox(T.police)).some((n) => n.caseId === report.id));

  // Five school days of unexplained absence: a dropout is registered and the return work starts.
  const run = await upload(csv(days.slice(1, 5).map((d) => ['c-4001', '小红', 'maluguo', 'maluguo-village', '三年级一班', d, 'absent', ''])));
  expect(run.body.dropoutsRegistered).toEqual([absence!.id]);
  const dropout = await waitFor('the dropout case', async () => (await casesOf('c-4001')).find((c) => c.type === 'dropout-return'));
  expect((await client.call('GET', `/cases/${dropout.id}`, T.school)).body.state).toMatch(/^persuading/);
  expect((await client.call('GET', `/cases/${dropout.id}`, T.director)).status).toBe(200); // the village's child director takes part

  // Reminders come to the teacher and the child director while the child is not back.
  // Three reminders on the (shrunk) weekly rhythm, each to the teacher's school and the child director.
  await waitFor('three reminders to the child director', async () => (await inbox(T.director)).filter((n) => n.caseId === dropout.id).length >= 3, 20_000);
  expect((await inbox(T.school)).filter((n) => n.caseId === dropout.id && /劝返/.test(n.reason)).length).toBeGreaterThanOrEqual(3);
  await send(T.school, dropout.id, 'RECORD_VISIT', { by: 'teacher', outcome: 'failed', notes: '家中无人' });
  await send(T.director, dropout.id, 'RECORD_VISIT', { by: 'child_director', outcome: 'failed', notes: '祖母称孩子不愿上学' });
  const due = await send(T.school, dropout.id, 'RECORD_VISIT', { by: 'teacher', outcome: 'failed', notes: '<script>alert(1)</script> 仍未返校' });
  expect(due.state).toMatch(/^writtenReportDue/);

  // The written report goes to the county education bureau and the township, who acknowledge it.
  await send(T.school, dropout.id, 'SUBMIT_WRITTEN_REPORT', { statement: '经三次上门劝返无效，特此书面报告，请依法采取措施。' });
  const html = await fetch(`${client.baseUrl}/api/v1/cases/${dropout.id}/written-report?format=html`, { headers: { authorization: `Bearer ${T.education}` } });
  expect(html.headers.get('content-type')).toContain('text/html');
  const page = await html.text();
  expect(page).toContain('书面报告');
  expect(page).toContain('祖母称孩子不愿上学');
  expect(page).not.toContain('<script>alert(1)</script>');
  await waitFor('the bureau notice', async () => (await inbox(T.education)).some((n) => n.caseId === dropout.id));
  await send(T.education, dropout.id, 'ACKNOWLEDGE');
  const acting = await send(T.township, dropout.id, 'ACKNOWLEDGE');
  expect(acting.state).toMatch(/^bureauActing/);
  await send(T.education, dropout.id, 'RECORD_GUARDIAN_ORDER', { order: '责令监护人于十五日内送子女入学', issuedBy: '县教育局' });

  // The child is back: struck off; the reminders stop.
  const back = await send(T.school, dropout.id, 'CHILD_RETURNED', { returnDate: days[5] });
  expect(back.state).toMatch(/^returned/);
  expect(back.deadlines).toEqual([]);
  const reminders = (await inbox(T.director)).filter((n) => n.caseId === dropout.id).length;
  await new Promise((r) => setTimeout(r, 3000));
  expect((await inbox(T.director)).filter((n) => n.caseId === dropout.id).length).toBe(reminders);

  // Rhythm reports come from the data.
  const month = DateTime.fromISO(days[5]!, { zone: 'Asia/Shanghai' });
  const monthly = await client.call('GET', `/schools/maluguo-school/dropout-report?month=${month.toFormat('yyyy-MM')}`, T.school);
  expect(monthly.status).toBe(200);
  expect(monthly.body.returned.map((c: { childId: string }) => c.childId)).toContain('c-4001');
  const quarter = `${month.year}-Q${month.quarter}`;
  const recheck = await client.call('GET', `/dropout-recheck?quarter=${quarter}`, T.education);
  expect(recheck.status).toBe(200);
  expect(JSON.stringify(recheck.body.townships)).toContain('c-4001');
});
