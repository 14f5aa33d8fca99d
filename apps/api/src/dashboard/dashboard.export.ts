import ExcelJS from 'exceljs';
import type { Dashboard } from './dashboard.queries';

/** One table per figure of the dashboard; the CSV and the workbook carry the same rows. */
interface Table {
  name: string;
  header: string[];
  rows: (string | number)[][];
}

export function dashboardTables(d: Dashboard): Table[] {
  return [
    { name: 'open-cases', header: ['case type', 'township', 'open cases'], rows: d.openCases.map((r) => [r.type, r.township, r.count]) },
    { name: 'overdue-by-unit', header: ['unit id', 'unit', 'overdue cases'], rows: d.overdueByUnit.map((r) => [r.unitId, r.unitName, r.cases]) },
    { name: 'escalations', header: ['month', 'chain', 'escalations'], rows: d.escalations.byChain.map((r) => [d.escalations.month, r.chain, r.count]) },
    {
      name: 'quarterly-returns',
      header: ['quarter', 'township', 'status', 'filed at'],
      rows: d.quarterlyReturns.rows.map((r) => [r.quarter, r.township, r.status, r.filedAt ?? '']),
    },
  ];
}

const cell = (v: string | number): string => {
  const text = String(v);
  // Quote what needs it; a leading = + - @ is neutralised so a spreadsheet never runs it as a formula.
  const safe = /^[=+\-@]/.test(text) && typeof v === 'string' ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/** One CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese names): a `section` column first. */
export function dashboardCsv(d: Dashboard): Buffer {
  const lines = [`section,scope,generated at`, [cell('dashboard'), cell(d.scope || '*'), cell(d.generatedAt)].join(',')];
  for (const t of dashboardTables(d)) {
    lines.push('', ['section', ...t.header].map(cell).join(','));
    for (const row of t.rows) lines.push([t.name, ...row].map(cell).join(','));
  }
  return Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf8');
}

/** The same tables as a workbook, one sheet each. */
export async function dashboardXlsx(d: Dashboard): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.creator = 'Shouhu';
  for (const t of dashboardTables(d)) {
    const sheet = book.addWorksheet(t.name);
    sheet.addRow(t.header).font = { bold: true };
    for (const row of t.rows) sheet.addRow(row);
    sheet.columns.forEach((c) => (c.width = 24));
  }
  return Buffer.from(await book.xlsx.writeBuffer());
}
