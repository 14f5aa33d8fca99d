import { Workbook } from 'exceljs';
import { idCheckDigit } from './validate';
import { parseRegistryXlsx, readXlsxRecords } from './xlsx-import';

/* The census workbook: built here by exceljs itself, read back by the registry's XLSX reader. */

const idFor = (birthDate: string, seq: string) => {
  const first17 = `222426${birthDate.replace(/-/g, '')}${seq}`;
  return first17 + idCheckDigit(first17);
};
const HEADER = ['学籍号', '身份证号', '姓名', '出生日期', '性别', '民族', '户籍', '住址', '村', '健康状况', '居住情况', '父母姓名', '父母电话', '寄宿'];

/** The census on the first worksheet; `withNotes` adds a second sheet the reader must ignore. */
async function workbook(rows: unknown[][], withNotes = false): Promise<Buffer> {
  const book = new Workbook();
  const sheet = book.addWorksheet('名册');
  for (const r of rows) sheet.addRow(r);
  if (withNotes) book.addWorksheet('说明').addRow(['填表说明', 'not the census']);
  return Buffer.from(await book.xlsx.writeBuffer());
}

describe('parseRegistryXlsx', () => {
  it('reads the first worksheet with Chinese headers; dates as Excel dates or text; numbers and booleans as text', async () => {
    const file = await workbook([
      HEADER,
      ['X001', idFor('2014-05-06', '001'), '金小花', new Date(Date.UTC(2014, 4, 6)), '女', '朝鲜族', '长白县马鹿沟镇', '马鹿沟村3组', 'maluguo-village', '健康', '委托监护', '父:金大山;母:李春花', '13812345678;13912345678', true],
      [],
      ['X002', '', '王小明', '2015-09-10', '男', '汉族', '长白县马鹿沟镇', '马鹿沟村1组', 'maluguo-village', '健康', '父母监护', '父:王强', 13987654321, false],
    ]);
    // The entrusted child needs a guardian: add the columns to the header for row 1.
    const { rows, errors } = await parseRegistryXlsx(file, 'maluguo', '2026-03-02');
    expect(errors).toEqual([{ row: 1, field: 'entrustedGuardian', message: expect.any(String) }]);
    expect(rows).toEqual([]);

    const good = await workbook([
      [...HEADER, '监护人', '委托书已签'],
      ['X001', idFor('2014-05-06', '001'), '金小花', new Date(Date.UTC(2014, 4, 6)), '女', '朝鲜族', '长白县马鹿沟镇', '马鹿沟村3组', 'maluguo-village', '健康', '委托监护', '父:金大山;母:李春花', '13812345678;13912345678', true, '金奶奶(祖母)', '是'],
      [],
      ['X002', '', '王小明', '2015-09-10', '男', '汉族', '长白县马鹿沟镇', '马鹿沟村1组', 'maluguo-village', '健康', '父母监护', '父:王强', 13987654321, false],
    ], true);
    const parsed = await parseRegistryXlsx(good, 'maluguo', '2026-03-02');
    expect(parsed.errors).toEqual([]);
    expect(parsed.rows.map((r) => [r.row, r.childId, r.data.birthDate, r.data.sex, r.data.boarding, r.data.living, r.data.entrustedGuardian?.relation ?? null])).toEqual([
      [1, 'X001', '2014-05-06', 'female', true, 'with-entrusted-guardian', '祖母'],
      [2, 'X002', '2015-09-10', 'male', false, 'with-parent', null],
    ]);
    expect(parsed.rows[1]!.data.parents).toEqual([{ relation: 'father', name: '王强', workLocation: '', phone: '13987654321', callsPerMonth: null }]);
  });

  it('names each bad row and field, refuses an ID number stored as a number, and a missing column', async () => {
    const file = await workbook([
      HEADER,
      ['X001', 222426201405060011, '甲', '2014-02-30', '女', '朝鲜族', '户籍', '住址', 'maluguo-village', '健康', '父母监护', '', '', '否'],
      ['X002', '', '乙', '2014-05-06', '未知', '朝鲜族', '户籍', '住址', 'maluguo-village', '健康', '父母监护', '', '', '否'],
    ]);
    const { rows, errors } = await parseRegistryXlsx(file, 'maluguo', '2026-03-02');
    expect(rows).toEqual([]);
    expect(errors.map((e) => `${e.row}:${e.field}`)).toEqual(['1:csv', '2:sex']);
    expect(errors[0]!.message).toMatch(/column 2: a number too long/);

    const missing = await parseRegistryXlsx(await workbook([['学籍号', '姓名'], ['X1', '甲']]), 'maluguo', '2026-03-02');
    expect(missing.errors.map((e) => `${e.row}:${e.field}`)).toContain('0:birthDate');
  });

  it('a file that is not a workbook is one error on row 0', async () => {
    const { errors } = await parseRegistryXlsx(Buffer.from('childId,name\nX1,甲'), 'maluguo', '2026-03-02');
    expect(errors).toEqual([{ row: 0, field: 'file', message: expect.stringMatching(/not a readable \.xlsx workbook/) }]);
  });

  it('formulas give their result, rich text its text, and short rows are padded to the header', async () => {
    const book = new Workbook();
    const sheet = book.addWorksheet('s');
    sheet.addRow(['a', 'b', 'c']);
    sheet.addRow([{ formula: '1+1', result: 2 }, { richText: [{ text: '金' }, { text: '小花' }] }]);
    const records = await readXlsxRecords(Buffer.from(await book.xlsx.writeBuffer()));
    expect(records).toEqual([{ fields: ['a', 'b', 'c'] }, { fields: ['2', '金小花', ''] }]);
  });
});
