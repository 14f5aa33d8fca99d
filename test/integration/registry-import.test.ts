import { type Actor, BadRequestError, ManualClock } from '#shouhu/engine';
import { Database } from '#shouhu/persistence';
import { ChildRegistry, idCheckDigit, livingAloneFinding } from '#shouhu/registry';
import { DATABASE_TARGETS } from '../support/databases';

/* The census CSV import (all or nothing, in chunks, with progress) and the Art. 21 living-alone rule. */

jest.setTimeout(60_000);

const targets = DATABASE_TARGETS;
const idFor = (birthDate: string, seq: string) => {
  const first17 = `222426${birthDate.replace(/-/g, '')}${seq}`;
  return first17 + idCheckDigit(first17);
};
const CADRE: Actor = { userId: 'cadre-liu', unitId: 'maluguo-gov', role: 'township', jurisdictionPath: 'changbai/maluguo' };
const ZH = '学籍号,身份证号,姓名,出生日期,性别,民族,户籍,住址,乡镇,村,学校,班级,寄宿,健康状况,残疾情况,父母姓名,父母务工地,父母电话,监护人,监护人电话,委托书已签,居住情况,重点儿童';
const line = (id: string, idNumber: string, name: string, over: Partial<Record<'living' | 'guardian' | 'birth' | 'township', string>> = {}) =>
  [id, idNumber, name, over.birth ?? '2014-05-06', '女', '朝鲜族', '长白县马鹿沟镇', '马鹿沟村3组', over.township ?? '马鹿沟镇', 'maluguo-village', '马鹿沟镇中心小学', '三(2)班', '是', '健康', '',
    '父:王大山;母:李春花', '韩国;延吉', '13812345678;13912345678', over.guardian ?? '王奶奶(祖母)', '13987654321', '是', over.living ?? '委托监护', '否'].join(',');

async function rowErrors(work: Promise<unknown>): Promise<string[]> {
  const err = await work.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(BadRequestError);
  return ((err as BadRequestError).details.errors as { row: number; field: string }[]).map((e) => `${e.row}:${e.field}`);
}

describe.each(targets)('census import on %s', (_label, open) => {
  let h: { db: Database; dispose(): Promise<void> } | undefined;
  const clock = new ManualClock('2026-03-02T09:00:00+08:00');
  let reg: ChildRegistry;
  const count = async (table: string) => ((await h!.db.em().execute(`select count(*)::int as n from ${table}`)) as { n: number }[])[0]!.n;

  beforeAll(async () => {
    h = await open();
    await h.db.migrate();
    reg = new ChildRegistry(h.db, clock);
  });
  afterAll(() => h?.dispose());
  beforeEach(() => h!.db.em().execute('truncate duplicate_flags, child_file_reads, child_versions, children'));

  it('imports Chinese headers and words, one version per file, calling the progress callback per chunk', async () => {
    // Distinct birth dates, so the similar names (学生1号, 学生2号, ...) are not likely duplicates.
    const birth = (i: number) => `2014-${String(1 + (Math.floor(i / 28) % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`;
    const rows = Array.from({ length: 230 }, (_, i) => line(`G${String(i).padStart(3, '0')}`, idFor(birth(i), String(i).padStart(3, '0')), `学生${i}号`, { birth: birth(i) }));
    const progress: [number, number][] = [];
    const result = await reg.importCsv(`\uFEFF${ZH}\r\n${rows.join('\r\n')}\r\n`, CADRE, { township: 'maluguo', onProgress: (d, t) => progress.push([d, t]) });
    expect([result.created, result.updated, result.unchanged, result.duplicateFlags.length]).toEqual([230, 0, 0, 0]);
    expect(progress).toEqual([[100, 230], [200, 230], [230, 230]]);
    expect([await count('children'), await count('child_versions')]).toEqual([230, 230]);
    const g = await reg.get('G007', { ...CADRE, role: 'civil_affairs' });
    expect([g.sex, g.township, g.boarding, g.living, g.keyChild, g.entrustedGuardian?.relation, g.parents.map((p) => `${p.relation}:${p.name}@${p.workLocation}`).join('|')])
      .toEqual(['female', 'maluguo', true, 'with-entrusted-guardian', false, '祖母', 'father:王大山@韩国|mother:李春花@延吉']);
    // Re-import: one changed row updates (a new version), the others are unchanged.
    const again = await reg.importCsv(`${ZH}\n${line('G007', idFor(birth(7), '007'), '学生7号', { birth: birth(7), living: '独居', guardian: '' })}\n${line('G008', idFor(birth(8), '008'), '学生8号', { birth: birth(8) })}`, CADRE, { township: 'maluguo' });
    expect([again.created, again.updated, again.unchanged]).toEqual([0, 1, 1]);
    expect((await reg.history('G007')).map((v) => Object.keys(v.changes).length > 0 && v.version)).toEqual([1, 2]);
  });

  it('writes nothing when any row is bad, reporting each row and field', async () => {
    const csv = [ZH,
      line('G1', idFor('2014-05-06', '001'), '甲'),
      line('G2', idFor('2014-05-06', '001'), '乙'), // same ID number as row 1
      line('G3', '', '丙', { birth: '2014-02-30' }),
      line('G4', '', '丁', { living: '委托监护', guardian: '' }), // entrusted without a guardian
      line('G5', '', '戊', { township: 'jinhua' }),
    ].join('\n');
    expect(await rowErrors(reg.importCsv(csv, CADRE, { township: 'maluguo' }))).toEqual(['2:idNumber', '3:birthDate', '4:entrustedGuardian', '5:township']);
    expect(await count('children')).toBe(0);
    expect(await rowErrors(reg.importCsv('姓名,出生日期\n甲,2014-05-06', CADRE, { township: 'maluguo' }))).toContain('0:childId');
  });

  it('an ID number already on another file is a row error, and nothing of the file is written', async () => {
    await reg.importCsv(`${ZH}\n${line('G1', idFor('2014-05-06', '001'), '甲')}`, CADRE, { township: 'maluguo' });
    const csv = `${ZH}\n${line('G2', idFor('2014-05-06', '002'), '乙')}\n${line('G3', idFor('2014-05-06', '001'), '丙')}`;
    expect(await rowErrors(reg.importCsv(csv, CADRE, { township: 'maluguo' }))).toEqual(['2:idNumber']);
    expect([await count('children'), await count('child_versions')]).toEqual([1, 1]);
  });
});

describe('livingAloneFinding (Minors Protection Law Art. 21), dates in Asia/Shanghai', () => {
  const alone = { birthDate: '2010-03-15', living: 'alone' as const };
  const unattended = { birthDate: '2018-03-15', living: 'unattended' as const };

  it('under 16 living alone: up to the day before the 16th birthday', () => {
    expect(livingAloneFinding(alone, '2026-03-14')).toEqual({ rule: 'under16-alone', age: 15 });
    expect(livingAloneFinding(alone, '2026-03-15')).toBeNull();
    // 2026-03-14T16:30Z is already 15 March in Shanghai; 15:30Z is still the 14th.
    expect(livingAloneFinding(alone, new Date('2026-03-14T15:30:00Z'))).toEqual({ rule: 'under16-alone', age: 15 });
    expect(livingAloneFinding(alone, new Date('2026-03-14T16:30:00Z'))).toBeNull();
    expect(livingAloneFinding({ ...alone, living: 'with-entrusted-guardian' }, '2026-03-14')).toBeNull();
  });

  it('under 8 unattended: up to the day before the 8th birthday, then still under 16', () => {
    expect(livingAloneFinding(unattended, new Date('2026-03-14T15:59:59Z'))).toEqual({ rule: 'under8-unattended', age: 7 });
    expect(livingAloneFinding(unattended, new Date('2026-03-14T16:00:00Z'))).toEqual({ rule: 'under16-alone', age: 8 });
    expect(livingAloneFinding({ birthDate: '2012-02-29', living: 'alone' }, '2028-02-28')).toEqual({ rule: 'under16-alone', age: 15 });
    expect(livingAloneFinding({ birthDate: '2012-02-29', living: 'alone' }, '2028-02-29')).toBeNull();
    expect(livingAloneFinding({ birthDate: '2011-02-28', living: 'alone' }, '2027-02-28', { livingAloneUnder: 17, unattendedUnder: 8 })).toEqual({ rule: 'under16-alone', age: 16 });
  });
});
