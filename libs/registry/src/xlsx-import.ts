import { type CellValue, Workbook } from 'exceljs';
import { type CensusRecord, type ImportRow, parseRegistryRecords } from './csv-import';
import type { RowError } from './types';

/**
 * The census file as an Excel workbook (.xlsx): the first worksheet, the same headers as the CSV
 * (English or Chinese) on its first non-empty row, one child per row. Dates may be Excel dates or
 * text (`YYYY-MM-DD`). Numbers longer than Excel keeps exactly (an 18-digit ID number typed as a
 * number) are refused: they must be stored as text.
 */
export async function parseRegistryXlsx(file: Buffer, township: string, today: string): Promise<{ rows: ImportRow[]; errors: RowError[] }> {
  const records = await readXlsxRecords(file);
  if ('error' in records) return { rows: [], errors: [{ row: 0, field: 'file', message: records.error }] };
  return parseRegistryRecords(records, township, today);
}

/** The first worksheet's rows as text records (empty rows kept, as the CSV reader keeps them). */
export async function readXlsxRecords(file: Buffer): Promise<CensusRecord[] | { error: string }> {
  const book = new Workbook();
  try {
    await book.xlsx.load(file as unknown as ArrayBuffer);
  } catch (err) {
    return { error: `not a readable .xlsx workbook (${err instanceof Error ? err.message : String(err)})` };
  }
  const sheet = book.worksheets[0];
  if (!sheet) return { error: 'the workbook has no worksheet' };
  const records: CensusRecord[] = [];
  let width = 0;
  sheet.eachRow({ includeEmpty: true }, (row) => {
    // row.values is 1-based and sparse: index 0 is always empty.
    const values = (row.values as CellValue[]).slice(1);
    const fields: string[] = [];
    const problems: string[] = [];
    for (let i = 0; i < values.length; i++) {
      const { text, problem } = cellText(values[i]);
      fields.push(text);
      if (problem) problems.push(`column ${i + 1}: ${problem}`);
    }
    if (width === 0 && fields.some((f) => f.trim() !== '')) width = fields.length; // the header row
    while (width > 0 && fields.length < width) fields.push(''); // trailing empty cells are not stored
    while (fields.length > width && width > 0 && fields[fields.length - 1]!.trim() === '') fields.pop();
    records.push(problems.length > 0 ? { fields, error: problems.join('; ') } : { fields });
  });
  return records;
}

function cellText(v: CellValue | undefined): { text: string; problem?: string } {
  if (v === null || v === undefined) return { text: '' };
  if (typeof v === 'string') return { text: v };
  if (typeof v === 'boolean') return { text: v ? '是' : '否' };
  if (typeof v === 'number') {
    if (Number.isInteger(v) && !Number.isSafeInteger(v)) return { text: '', problem: 'a number too long for Excel to keep exactly (store ID numbers and phones as text)' };
    return { text: String(v) };
  }
  // Excel dates: exceljs gives the calendar date at 00:00 UTC.
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? { text: '', problem: 'an invalid date' } : { text: v.toISOString().slice(0, 10) };
  if (typeof v === 'object') {
    if ('richText' in v) return { text: v.richText.map((r) => r.text).join('') };
    if ('error' in v) return { text: '', problem: `the cell holds the error ${String(v.error)}` };
    if ('formula' in v || 'sharedFormula' in v) return cellText((v as { result?: CellValue }).result as CellValue);
    if ('text' in v) return { text: String((v as { text: unknown }).text) };
  }
  return { text: String(v) };
}
