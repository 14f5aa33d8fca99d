import { BadRequestError, ManualClock } from '#shouhu/engine';
import { Database } from '#shouhu/persistence';
import { AttendanceService, parseAttendanceCsv, type AttendanceRow } from '#shouhu/schools';
import { DATABASE_TARGETS } from '../support/databases';

/*
 * Attendance (4.2.3): the CSV reader, all-or-nothing recording, idempotent re-import and the dropout
 * count, on embedded PGlite and on a throwaway database of this machine's PostgreSQL.
 */

jest.setTimeout(60_000);

const targets = DATABASE_TARGETS;

const HEADER = 'childId,childName,township,village,className,date,status,reason';

/** The report a rejected submission carries. */
async function rejection(work: Promise<unknown>): Promise<{ row: number; field: string }[]> {
  const err = await work.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(BadRequestError);
  return ((err as BadRequestError).details.errors as { row: number; field: string }[]).map(({ row, field }) => ({ row, field }));
}

describe('parseAttendanceCsv', () => {
  it('reads quotes, doubled quotes, commas and line breaks inside quotes, a BOM and CRLF', () => {
    const text = `\uFEFF${HEADER}\r\nG001,"Kim, Minho",maluguo,maluguo-village,三(2)班,2026-03-02,absent,\r\n` +
      `G002,"李""小""红",maluguo,,"四(1)班",2026-03-02,excused,"发烧\r\n已就医"\r\n`;
    const { rows, errors } = parseAttendanceCsv(text);
    expect(errors).toEqual([]);
    expect(rows).toEqual([
      { childId: 'G001', childName: 'Kim, Minho', township: 'maluguo', village: 'maluguo-village', className: '三(2)班', date: '2026-03-02', status: 'absent', reason: null },
      { childId: 'G002', childName: '李"小"红', township: 'maluguo', village: null, className: '四(1)班', date: '2026-03-02', status: 'excused', reason: '发烧\r\n已就医' },
    ]);
  });

  it('accepts Chinese headers and status words, header names in any case, and LF without a final newline', () => {
    const zh = parseAttendanceCsv('学籍号,姓名,乡镇,村,班级,日期,状态,原因\nG1,甲,jinhua,,,2026-03-02,出勤,\nG2,乙,jinhua,,,2026-03-02,缺勤,\nG3,丙,jinhua,,,2026-03-02,请假,事假');
    expect(zh.errors).toEqual([]);
    expect(zh.rows.map((r) => r.status)).toEqual(['present', 'absent', 'excused']);
    const en = parseAttendanceCsv('CHILDID,ChildName,Township,Date,Status\nG1,甲,jinhua,2026-03-02,Present\n');
    expect(en.errors).toEqual([]);
    expect(en.rows).toEqual([{ childId: 'G1', childName: '甲', township: 'jinhua', village: null, className: null, date: '2026-03-02', status: 'present', reason: null }]);
  });

  it('reports every bad row and field with its 1-based data row number', () => {
    const text = [HEADER,
      'G1,甲,maluguo,,,2026-03-02,absent,', // 1: fine
      '-bad,乙,Maluguo,,,2026-02-30,late,', // 2: childId, township, date, status
      'G3,丙,maluguo,,,2026-03-02,excused,', // 3: excused without a reason
      'G4,丁,maluguo,,,2026-03-02', // 4: too few fields
      'G5,"戊,maluguo,,,2026-03-02,absent,', // 5: unterminated quote (swallows the rest)
    ].join('\n');
    const { errors } = parseAttendanceCsv(text);
    expect(errors.map(({ row, field }) => ({ row, field }))).toEqual([
      { row: 2, field: 'childId' }, { row: 2, field: 'township' }, { row: 2, field: 'date' }, { row: 2, field: 'status' },
      { row: 3, field: 'reason' }, { row: 4, field: 'csv' }, { row: 5, field: 'csv' },
    ]);
    expect(parseAttendanceCsv('name,date\nx,2026-03-02').errors.map((e) => `${e.row}:${e.field}`)).toEqual(['0:childId', '0:childName', '0:township', '0:status']);
    expect(parseAttendanceCsv(`${HEADER}\nG1,甲,maluguo,,,2026-03-02,absent,\nG1,甲,maluguo,,,2026-03-02,present,`).errors).toEqual([
      { row: 2, field: 'date', message: 'the same child and date as row 1' },
    ]);
  });
});

describe.each(targets)('attendance on %s', (_label, open) => {
  let h: { db: Database; dispose(): Promise<void> } | undefined;
  const clock = new ManualClock('2026-03-21T00:30:00+08:00'); // still 2026-03-20 in UTC
  const q = <T = Record<string, any>>(sql: string, params: unknown[] = []) => h!.db.em().execute(sql, params) as Promise<T[]>;
  const service = (days = 3) => new AttendanceService(h!.db, clock, { dropoutAfterSchoolDays: days });
  const row = (childId: string, date: string, status: AttendanceRow['status'], reason: string | null = null): AttendanceRow =>
    ({ childId, childName: `学生${childId}`, township: 'maluguo', village: 'maluguo-village', className: '三(2)班', date, status, reason });

  beforeAll(async () => {
    h = await open();
    await h.db.migrate();
    await q(`insert into units (id, name, kind, jurisdiction_path) values
      ('maluguo-school', '马鹿沟镇中心小学', 'school', 'changbai/maluguo'), ('jinhua-school', '金华乡中心小学', 'school', 'changbai/jinhua')`);
  });
  afterAll(() => h?.dispose());
  beforeEach(() => q('delete from attendance'));

  it('imports a CSV: one row per child and day, as read, recorded by the actor', async () => {
    const csv = `\uFEFF学籍号,姓名,乡镇,村,班级,日期,状态,原因\r\nG001,"Kim, Minho",maluguo,maluguo-village,三(2)班,2026-03-19,缺勤,\r\nG002,李小红,maluguo,,,2026-03-19,请假,"发烧,已就医"\r\n`;
    const result = await service().importCsv('maluguo-school', csv, 'teacher-li');
    expect(result.recorded).toBe(2);
    expect(result.unexplainedAbsences).toEqual([
      { childId: 'G001', childName: 'Kim, Minho', township: 'maluguo', village: 'maluguo-village', className: '三(2)班', date: '2026-03-19' },
    ]);
    const rows = await q(`select school_unit_id, child_id, child_name, village, class_name, date::text as date, status, reason, recorded_by from attendance order by child_id`);
    expect(rows).toEqual([
      { school_unit_id: 'maluguo-school', child_id: 'G001', child_name: 'Kim, Minho', village: 'maluguo-village', class_name: '三(2)班', date: '2026-03-19', status: 'absent', reason: null, recorded_by: 'teacher-li' },
      { school_unit_id: 'maluguo-school', child_id: 'G002', child_name: '李小红', village: null, class_name: null, date: '2026-03-19', status: 'excused', reason: '发烧,已就医', recorded_by: 'teacher-li' },
    ]);
  });

  it('writes nothing when any row is bad, and reports the rows', async () => {
    await service().record('maluguo-school', [row('G1', '2026-03-18', 'present')], 'teacher-li');
    const csv = `${HEADER}\nG1,甲,maluguo,,,2026-03-19,absent,\nG2,乙,maluguo,,,2026-03-19,excused,\nG3,丙,maluguo,,,2026/03/19,absent,\n`;
    expect(await rejection(service().importCsv('maluguo-school', csv, 'teacher-li'))).toEqual([{ row: 2, field: 'reason' }, { row: 3, field: 'date' }]);
    // A date after today in Asia/Shanghai (today is 2026-03-21 there, 2026-03-20 in UTC).
    const future = [row('G1', '2026-03-21', 'absent'), row('G2', '2026-03-22', 'absent'), { ...row('G3', '2026-03-20', 'present'), township: 'Ma Lu' }];
    expect(await rejection(service().record('maluguo-school', future, 'teacher-li'))).toEqual([{ row: 2, field: 'date' }, { row: 3, field: 'township' }]);
    expect(await q(`select child_id, date::text as date from attendance`)).toEqual([{ child_id: 'G1', date: '2026-03-18' }]);
  });

  it('re-importing the same file changes nothing; a corrected status updates the row in place', async () => {
    const csv = `${HEADER}\nG1,甲,maluguo,,,2026-03-16,absent,\nG1,甲,maluguo,,,2026-03-17,absent,\nG2,乙,maluguo,,,2026-03-17,present,\n`;
    const first = await service().importCsv('maluguo-school', csv, 'teacher-li');
    const before = await q(`select * from attendance order by child_id, date`);
    const second = await service().importCsv('maluguo-school', csv, 'teacher-li');
    expect(second).toEqual(first);
    expect(await q(`select * from attendance order by child_id, date`)).toEqual(before);
    await service().importCsv('maluguo-school', `${HEADER}\nG1,甲,maluguo,,,2026-03-17,excused,病假\n`, 'teacher-li');
    const after = await q(`select id, date::text as date, status, reason from attendance where child_id = 'G1' order by date`);
    expect(after).toEqual([
      { id: before[0]!.id, date: '2026-03-16', status: 'absent', reason: null },
      { id: before[1]!.id, date: '2026-03-17', status: 'excused', reason: '病假' },
    ]);
  });

  it("refuses to overwrite another school's record of the same child and day", async () => {
    await service().record('jinhua-school', [row('G9', '2026-03-19', 'present')], 'teacher-kim');
    const batch = [row('G8', '2026-03-19', 'absent'), row('G9', '2026-03-19', 'absent')];
    expect(await rejection(service().record('maluguo-school', batch, 'teacher-li'))).toEqual([{ row: 2, field: 'childId' }]);
    expect(await q(`select child_id, school_unit_id, status from attendance`)).toEqual([{ child_id: 'G9', school_unit_id: 'jinhua-school', status: 'present' }]);
  });

  it('counts consecutive unexplained school days back from the latest day: a present day breaks the run, a day without a record is skipped', async () => {
    const rows = [
      row('A', '2026-03-02', 'absent'), row('A', '2026-03-03', 'present'), row('A', '2026-03-04', 'absent'),
      row('A', '2026-03-05', 'absent'), /* no record for A on 03-06 */ row('A', '2026-03-09', 'absent'),
      row('B', '2026-03-05', 'absent'), row('B', '2026-03-06', 'absent'), row('B', '2026-03-09', 'absent'), // exactly 3
      row('C', '2026-03-06', 'absent'), row('C', '2026-03-09', 'absent'), // one short
      row('D', '2026-03-04', 'absent'), row('D', '2026-03-05', 'absent'), row('D', '2026-03-06', 'absent'), row('D', '2026-03-09', 'excused', '家中有事'),
    ];
    const result = await service(3).record('maluguo-school', rows, 'teacher-li');
    expect(result.recorded).toBe(14);
    expect(result.unexplainedAbsences).toHaveLength(12); // A 4, B 3, C 2, D 3
    expect(result.dropouts.map(({ childId, consecutiveDays, since, lastDate }) => ({ childId, consecutiveDays, since, lastDate }))).toEqual([
      { childId: 'A', consecutiveDays: 3, since: '2026-03-04', lastDate: '2026-03-09' },
      { childId: 'B', consecutiveDays: 3, since: '2026-03-05', lastDate: '2026-03-09' },
    ]);
    expect((await service(4).record('maluguo-school', rows, 'teacher-li')).dropouts).toEqual([]);
    // Later days extend or break the run of earlier imports.
    const next = await service(3).record('maluguo-school', [row('A', '2026-03-10', 'present'), row('C', '2026-03-10', 'absent')], 'teacher-li');
    expect(next.dropouts).toEqual([{ childId: 'C', childName: '学生C', township: 'maluguo', village: 'maluguo-village', consecutiveDays: 3, since: '2026-03-06', lastDate: '2026-03-10' }]);
  });
});
