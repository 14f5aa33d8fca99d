import { mdText, stateLabel } from './labels';
import type { DropoutCaseItem, MonthlySchoolReport, QuarterlyRecheckReport } from './report-types';

/** A rhythm report as Markdown (Chinese with English), for printing or sending on. */
export function toMarkdown(report: MonthlySchoolReport | QuarterlyRecheckReport): string {
  return report.kind === 'monthly' ? monthlyMarkdown(report) : quarterlyMarkdown(report);
}

const HEAD = ['学籍号 Child ID', '姓名 Name', '乡镇 Township', '学校 School', '辍学起始 Since', '连续旷课（上学日） School days', '离校天数 Days out', '复学日期 Returned', '状态 State', '案件 Case'];

function table(items: DropoutCaseItem[]): string[] {
  const rows = items.map((c) =>
    [c.childId, c.childName ?? '—', c.township, c.school.name ?? c.school.id, c.since, c.consecutiveDays ?? '—', c.daysOut, c.returnDate ?? '—', stateLabel(c.state), c.caseId].map(mdText),
  );
  if (rows.length === 0) return ['（无 none）', ''];
  return [`| ${HEAD.join(' | ')} |`, `| ${HEAD.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`), ''];
}

function monthlyMarkdown(r: MonthlySchoolReport): string {
  return [
    `# ${mdText(r.school.name)} ${mdText(r.month)} 月度辍学情况报告`,
    '',
    `*Monthly dropout report of ${mdText(r.school.id)} for ${mdText(r.month)} (Asia/Shanghai)*`,
    '',
    `统计期间 Period：${r.period.start} 至 ${r.period.end}；在外人数截至 Out of school as of：${r.period.asOf}`,
    '',
    `| 新增辍学 New dropouts | 本月复学 Returned | 仍未返校 Still out |`,
    `| --- | --- | --- |`,
    `| ${r.totals.newDropouts} | ${r.totals.returned} | ${r.totals.stillOut} |`,
    '',
    '## 一、本月新增辍学 New dropouts',
    '',
    ...table(r.newDropouts),
    '## 二、本月劝返复学 Returned',
    '',
    ...table(r.returned),
    '## 三、月末仍未返校 Still out at the month\'s end',
    '',
    ...table(r.stillOut),
  ].join('\n');
}

function quarterlyMarkdown(r: QuarterlyRecheckReport): string {
  const out = [
    `# ${mdText(r.quarter)} 辍学学生季度复查`,
    '',
    `*Quarterly re-check of dropouts in ${mdText(r.countyPath)} (Asia/Shanghai)*`,
    '',
    `复查期间 Period：${r.period.start} 至 ${r.period.end}；截至 As of：${r.period.asOf}`,
    '',
    `合计 Totals：季末仍未返校 still out ${r.totals.stillOut}；本季度复学 returned ${r.totals.returned}`,
    '',
  ];
  if (r.townships.length === 0) out.push('（本季度无辍学案件 no dropout cases this quarter）', '');
  for (const t of r.townships) {
    out.push(`## ${mdText(t.township)}`, '', `### 仍未返校 Still out (${t.stillOut.length})`, '', ...table(t.stillOut));
    out.push(`### 本季度复学 Returned (${t.returned.length})`, '', ...table(t.returned));
  }
  return out.join('\n');
}
