import { createHash } from 'node:crypto';
import { ManualClock, uuidFromName } from '#shouhu/engine';
import { Database } from '#shouhu/persistence';
import { renderWrittenReport, SchoolReports, toMarkdown, type WrittenReportInput } from '#shouhu/schools';
import { DATABASE_TARGETS } from '../support/databases';

/*
 * The school's written report (pure) and the monthly and quarterly dropout reports, computed from
 * dropout-return cases and their history rows, at month and quarter boundaries in Asia/Shanghai.
 */

jest.setTimeout(60_000);

const targets = DATABASE_TARGETS;

describe('the written report', () => {
  const input: WrittenReportInput = {
    school: { id: 'maluguo-school', name: '马鹿沟镇中心小学' },
    child: { childId: 'G2206230012', name: '金小明', township: 'maluguo', village: 'maluguo-village', school: 'maluguo-school' },
    case: { id: '5f0c2a8e-1d7b-5c3e-9a41-0b6f7d2e8c11', openedAt: '2026-03-09T01:00:00.000Z', state: 'writtenReportDue', data: { since: '2026-03-02', consecutiveDays: 5 } },
    visits: [
      { by: '李老师', at: '2026-03-14T16:30:00.000Z', outcome: 'failed', notes: '监护人外出务工 | 祖母称孩子不愿上学' },
      { by: '李老师、金明淑', at: '2026-03-10T01:30:00.000Z', outcome: 'promised', notes: '<script>alert("x")</script>' },
      { by: '王校长', at: '2026-03-20T07:05:00.000Z', outcome: 'refused', notes: '第三次家访\n仍拒绝返校' },
    ],
    statement: '学校已三次上门劝返未果。<img src=x onerror=alert(1)>',
    failedVisits: 2,
    since: '2026-03-02',
    generatedAt: '2026-03-23T02:00:00.000Z',
    recipients: ['长白县教育局', '马鹿沟镇人民政府'],
  };

  it('as Markdown: title, addressees, the child, the run, every visit in Asia/Shanghai, the statement, the law, the case id', () => {
    const md = renderWrittenReport(input, 'markdown');
    expect(md.startsWith('# 关于学生辍学劝返情况的书面报告\n')).toBe(true);
    for (const s of ['主送 To：** 长白县教育局、马鹿沟镇人民政府', 'G2206230012', '金小明', 'maluguo-village', '自 2026-03-02 起无故旷课，连续 5 个上学日',
      '至本报告日（2026-03-23）已 21 天未返校', '共开展劝返 3 次，其中未果 2 次', '长政办发〔2016〕39号）四(二)3', '第八十三条', input.case.id, '学校已三次上门劝返未果']) {
      expect(md).toContain(s);
    }
    const visitRows = md.split('\n').filter((l) => /^\| [123] \|/.test(l));
    expect(visitRows).toEqual([
      '| 1 | 李老师、金明淑 | 2026-03-10 09:30 | 承诺返校（promised） | &lt;script&gt;alert("x")&lt;/script&gt; |',
      '| 2 | 李老师 | 2026-03-15 00:30 | 劝返未果（failed） | 监护人外出务工 \\| 祖母称孩子不愿上学 |',
      '| 3 | 王校长 | 2026-03-20 15:05 | 拒绝返校（refused） | 第三次家访<br>仍拒绝返校 |',
    ]);
  });

  it('as HTML: a standalone printable page where notes and statement cannot inject markup', () => {
    const html = renderWrittenReport(input, 'html');
    expect(html).toMatch(/^<!DOCTYPE html>\n<html lang="zh-CN">/);
    expect(html).toMatch(/<meta charset="utf-8">[\s\S]*<style>[\s\S]*@media print/);
    expect(html).not.toMatch(/<script|<img|<link|src=["']?http/i);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    const cells = [...html.matchAll(/<tr><td>([123])<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td>/g)].map((m) => [m[1], m[2], m[3]]);
    expect(cells).toEqual([['1', '李老师、金明淑', '2026-03-10 09:30'], ['2', '李老师', '2026-03-15 00:30'], ['3', '王校长', '2026-03-20 15:05']]);
    for (const s of ['关于学生辍学劝返情况的书面报告', '长白县教育局、马鹿沟镇人民政府', '未成年人保护法》第八十三条', input.case.id]) expect(html).toContain(s);
  });
});

describe.each(targets)('dropout reports on %s', (_label, open) => {
  let h: { db: Database; dispose(): Promise<void> } | undefined;
  const clock = new ManualClock('2026-04-05T10:00:00+08:00');
  const q = (sql: string, params: unknown[] = []) => h!.db.em().execute(sql, params) as Promise<Record<string, any>[]>;

  type Spec = { key: string; school?: string; owner?: string; township?: string; path?: string; type?: string; opened: string; since: string; days?: number; returned?: Record<string, string>; relapse?: string; closedAt?: string; state?: string };
  /** A dropout-return case as the engine would have left it: the case row and its hash-chained history. */
  async function insertCase(s: Spec): Promise<void> {
    const id = uuidFromName(`report-test/${s.key}`);
    const township = s.township ?? 'maluguo';
    const subject = { childId: `G-${s.key}`, name: `学生${s.key}`, township, village: `${township}-village`, ...(s.school === undefined ? { school: `${township}-school` } : s.school ? { school: s.school } : {}) };
    const events: [string, unknown, string | null, string, string][] = [['case.opened', { subject }, null, 'persuading', s.opened]];
    if (s.returned) events.push(['CHILD_RETURNED', s.returned, 'persuading', 'returned', s.returned.at ?? s.opened]);
    if (s.relapse) events.push(['RELAPSE', { date: s.relapse }, 'returned', 'persuading', `${s.relapse}T08:00:00+08:00`]);
    if (s.closedAt) events.push(['CASE_CLOSED', {}, events.at(-1)![3], 'closed', s.closedAt]);
    let prev: string | null = null;
    const hashes = events.map(([type, payload]) => (prev = createHash('sha256').update(`${prev}${type}${JSON.stringify(payload)}`).digest('hex')));
    const state = s.state ?? events.at(-1)![3];
    await q(
      `insert into cases (id, type, machine_id, machine_version, policy_version, owner_unit_id, jurisdiction_path, subject, data, snapshot, state_value, state, status, version, last_seq, last_hash, created_by, created_at, updated_at)
       values (?, ?, 'dropout-return', 1, 'changbai-2016.1', ?, ?, ?::jsonb, ?::jsonb, '{}'::jsonb, ?::jsonb, ?, ?, ?, ?, ?, 'teacher-li', ?::timestamptz, ?::timestamptz)`,
      [id, s.type ?? 'dropout-return', s.owner ?? `${township}-school`, s.path ?? `changbai/${township}`, JSON.stringify(subject),
        JSON.stringify({ since: s.since, consecutiveDays: s.days ?? 5 }), JSON.stringify(state), state, state === 'closed' ? 'done' : 'active',
        events.length, events.length, hashes.at(-1), s.opened, events.at(-1)![4]],
    );
    for (const [i, [type, payload, from, to, at]] of events.entries()) {
      await q(
        `insert into case_events (case_id, seq, event_type, payload, actor_user_id, actor_unit_id, actor_role, from_state, to_state, at, prev_hash, hash)
         values (?, ?, ?, ?::jsonb, 'teacher-li', ?, 'school', ?, ?, ?, ?, ?)`,
        [id, i + 1, type, JSON.stringify(payload), s.owner ?? `${township}-school`, from, to, new Date(at).toISOString(), i ? hashes[i - 1] : null, hashes[i]],
      );
    }
  }
  const keys = (items: { childId: string }[]) => items.map((i) => i.childId.slice(2)).sort();

  beforeAll(async () => {
    h = await open();
    await h.db.migrate();
    await q(`insert into units (id, name, kind, jurisdiction_path) values
      ('maluguo-school', '马鹿沟镇中心小学', 'school', 'changbai/maluguo'), ('jinhua-school', '金华乡中心小学', 'school', 'changbai/jinhua'),
      ('changbai-education', '长白县教育局', 'education_bureau', 'changbai'), ('fusong-school', '抚松某小学', 'school', 'fusong/x')`);
    const cases: Spec[] = [
      { key: 'c1', opened: '2026-03-31T23:30:00+08:00', since: '2026-03-10' }, // March in Shanghai, still out
      { key: 'c2', opened: '2026-04-01T00:10:00+08:00', since: '2026-03-16' }, // April in Shanghai (March in UTC)
      { key: 'c3', opened: '2026-02-27T10:00:00+08:00', since: '2026-02-10', returned: { returnDate: '2026-03-01', at: '2026-03-02T09:00:00+08:00' } },
      { key: 'c4', opened: '2026-02-01T08:00:00+08:00', since: '2026-01-12', returned: { returnDate: '2026-04-01', at: '2026-04-01T09:00:00+08:00' } },
      { key: 'c5', opened: '2026-02-20T09:00:00+08:00', since: '2026-02-02', returned: { returnDate: '2026-02-28T16:30:00Z', at: '2026-03-01T08:00:00+08:00' } }, // 03-01 00:30 in Shanghai
      { key: 'c6', school: '', owner: 'maluguo-school', opened: '2026-03-10T09:00:00+08:00', since: '2026-02-23', state: 'writtenReportDue' }, // the school's by owner only
      { key: 'c7', township: 'jinhua', opened: '2026-03-12T09:00:00+08:00', since: '2026-03-02', state: 'bureauActing' },
      { key: 'c8', opened: '2026-01-20T09:00:00+08:00', since: '2026-01-05', returned: { returnDate: '2026-02-20' }, closedAt: '2026-02-21T09:00:00+08:00' },
      { key: 'c9', type: 'mandatory-report', opened: '2026-03-05T09:00:00+08:00', since: '2026-03-01' },
      { key: 'c10', township: 'x', owner: 'fusong-school', school: 'fusong-school', path: 'fusong/x', opened: '2026-03-05T09:00:00+08:00', since: '2026-03-01' },
      { key: 'c11', path: 'changbai-east/maluguo', opened: '2026-03-05T09:00:00+08:00', since: '2026-03-01', school: 'jinhua-school', owner: 'jinhua-school' },
      { key: 'c12', opened: '2025-11-03T09:00:00+08:00', since: '2025-10-13', returned: { returnDate: '2025-12-31' } },
      { key: 'c13', opened: '2025-12-01T09:00:00+08:00', since: '2025-11-10', closedAt: '2026-01-15T09:00:00+08:00' }, // struck off without return
      { key: 'c15', opened: '2026-01-10T09:00:00+08:00', since: '2026-01-05', returned: { returnDate: '2026-02-02', at: '2026-02-02T10:00:00+08:00' }, relapse: '2026-03-09' }, // back, then out again
      { key: 'c14', opened: '2025-12-20T09:00:00+08:00', since: '2025-12-01', returned: { at: '2026-03-31T16:30:00Z' } }, // no returnDate: the row's day, 04-01 in Shanghai
    ];
    for (const c of cases) await insertCase(c);
  });
  afterAll(() => h?.dispose());

  it("monthly: new dropouts, returns and those still out at the month's end, by Asia/Shanghai dates", async () => {
    const r = await new SchoolReports(h!.db, clock).monthly('maluguo-school', '2026-03');
    expect(r.school).toEqual({ id: 'maluguo-school', name: '马鹿沟镇中心小学' });
    expect(r.period).toEqual({ start: '2026-03-01', end: '2026-03-31', asOf: '2026-03-31' });
    expect(keys(r.newDropouts)).toEqual(['c1', 'c6']);
    expect(keys(r.returned)).toEqual(['c3', 'c5']);
    expect(keys(r.stillOut)).toEqual(['c1', 'c14', 'c15', 'c4', 'c6']);
    expect(r.totals).toEqual({ newDropouts: 2, returned: 2, stillOut: 5 });
    expect(r.stillOut.find((c) => c.childId === 'G-c15')).toMatchObject({ since: '2026-03-09', daysOut: 22, returnDate: null, state: 'persuading' });
    expect(r.stillOut.find((c) => c.childId === 'G-c6')).toMatchObject({ since: '2026-02-23', daysOut: 36, state: 'writtenReportDue', school: { id: 'maluguo-school', name: '马鹿沟镇中心小学' }, returnDate: null });
    expect(r.returned.find((c) => c.childId === 'G-c5')).toMatchObject({ returnDate: '2026-03-01', daysOut: 27 });
    const april = await new SchoolReports(h!.db, clock).monthly('maluguo-school', '2026-04');
    expect(keys(april.newDropouts)).toEqual(['c2']);
    expect(keys(april.returned)).toEqual(['c14', 'c4']);
    expect(april.period.asOf).toBe('2026-04-05');
    const february = await new SchoolReports(h!.db, clock).monthly('maluguo-school', '2026-02');
    expect(keys(february.returned)).toEqual(['c15', 'c8']);
    expect(february.returned[0]).toMatchObject({ childId: 'G-c15', since: '2026-01-05', returnDate: '2026-02-02', daysOut: 28 });
    const md = toMarkdown(r);
    expect(md).toContain('# 马鹿沟镇中心小学 2026-03 月度辍学情况报告');
    expect(md).toContain('| 2 | 2 | 5 |');
    for (const k of ['c1', 'c3', 'c4', 'c5', 'c6', 'c14', 'c15']) expect(md).toContain(`G-${k} |`);
    expect(md).not.toContain('G-c2 |');
  });

  it('quarterly re-check: still out at the quarter end plus returned in the quarter, grouped by township, county only', async () => {
    const r = await new SchoolReports(h!.db, clock).quarterlyRecheck('changbai', '2026-Q1');
    expect(r.period).toEqual({ start: '2026-01-01', end: '2026-03-31', asOf: '2026-03-31' });
    expect(r.townships.map((t) => [t.township, keys(t.stillOut), keys(t.returned)])).toEqual([
      ['jinhua', ['c7'], []],
      ['maluguo', ['c1', 'c14', 'c15', 'c4', 'c6'], ['c3', 'c5', 'c8']], // c15 came back in February but is out again
    ]);
    expect(r.totals).toEqual({ stillOut: 6, returned: 3 });
    expect(r.townships[0]!.stillOut[0]).toMatchObject({ school: { id: 'jinhua-school', name: '金华乡中心小学' }, since: '2026-03-02', daysOut: 29, state: 'bureauActing', childName: '学生c7' });
    const q4 = await new SchoolReports(h!.db, clock).quarterlyRecheck('changbai', '2025-Q4');
    expect(q4.townships.map((t) => [t.township, keys(t.stillOut), keys(t.returned)])).toEqual([['maluguo', ['c13', 'c14'], ['c12']]]);
    const md = toMarkdown(r);
    expect(md).toMatch(/## jinhua[\s\S]*G-c7[\s\S]*## maluguo[\s\S]*G-c8/);
    expect(md).not.toMatch(/G-c(2|9|10|11|12|13) /);
  });
});
