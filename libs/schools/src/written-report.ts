import { daysBetween, localDate, localDateTime } from './dates';
import { htmlText, mdText, outcomeLabel, stateLabel } from './labels';

/** One persuasion visit (劝返) as recorded in the case. */
export interface PersuasionVisit {
  /** Who visited (name or user id). */
  by: string;
  /** ISO instant of the visit. */
  at: string;
  outcome: string;
  notes: string;
}

export interface WrittenReportInput {
  school: { id: string; name: string };
  child: { childId: string; name?: string; township: string; village?: string; school?: string };
  case: { id: string; openedAt: string; state: string; data: Record<string, unknown> };
  visits: PersuasionVisit[];
  /** The school's own account and request, in its words. */
  statement: string;
  failedVisits: number;
  /** First day of the unexplained absence run, `YYYY-MM-DD`. */
  since: string;
  /** ISO instant the report is produced. */
  generatedAt: string;
  /** Addressees; the county education bureau and the township government when empty. */
  recipients: string[];
}

export type ReportFormat = 'markdown' | 'html';

type Block =
  | { kind: 'heading'; zh: string; en: string }
  | { kind: 'para'; text: string }
  | { kind: 'fields'; rows: [string, string][] }
  | { kind: 'table'; head: string[]; rows: string[][] };

export const WRITTEN_REPORT_TITLE = '关于学生辍学劝返情况的书面报告';
const SUBTITLE = 'Written report on a pupil who dropped out and the persuasion to return';
const DEFAULT_RECIPIENTS = ['县教育局', '乡镇人民政府'];

/** The school's written report (书面报告) to the county education bureau and the township government. Pure. */
export function renderWrittenReport(input: WrittenReportInput, format: ReportFormat): string {
  const doc = writtenReportBlocks(input);
  return format === 'html' ? toHtml(doc.to, doc.blocks, doc.footer) : toMarkdown(doc.to, doc.blocks, doc.footer);
}

function writtenReportBlocks(input: WrittenReportInput): { to: string; blocks: Block[]; footer: string[] } {
  const { child, school, visits } = input;
  const recipients = input.recipients.length > 0 ? input.recipients : DEFAULT_RECIPIENTS;
  const reportDay = localDate(new Date(input.generatedAt));
  const consecutive = typeof input.case.data.consecutiveDays === 'number' ? input.case.data.consecutiveDays : null;
  const daysOut = daysBetween(input.since, reportDay);
  const failed = input.failedVisits;
  const blocks: Block[] = [
    { kind: 'heading', zh: '一、学生基本情况', en: "The child's record" },
    {
      kind: 'fields',
      rows: [
        ['学籍号 Student ID', child.childId],
        ['姓名 Name', child.name ?? '—'],
        ['乡镇 Township', child.township],
        ['村（社区） Village', child.village ?? '—'],
        ['学校 School', `${school.name}（${child.school ?? school.id}）`],
      ],
    },
    { kind: 'heading', zh: '二、辍学情况', en: 'The dropout' },
    {
      kind: 'para',
      text:
        `该生自 ${input.since} 起无故旷课` +
        (consecutive !== null ? `，连续 ${consecutive} 个上学日` : '') +
        `，至本报告日（${reportDay}）已 ${daysOut} 天未返校。学校于 ${localDateTime(input.case.openedAt)} 登记辍学并开始劝返，案件当前状态：${stateLabel(input.case.state)}。`,
    },
    {
      kind: 'para',
      text: `Absent without explanation since ${input.since}${consecutive !== null ? ` for ${consecutive} consecutive school days` : ''}; ${daysOut} days out of school on the report date.`,
    },
    { kind: 'heading', zh: '三、劝返经过', en: 'Persuasion visits' },
    {
      kind: 'para',
      text: `学校共开展劝返 ${visits.length} 次，其中未果 ${failed} 次。 ${visits.length} visit(s), ${failed} without success.`,
    },
    {
      kind: 'table',
      head: ['序号 No.', '劝返人 By', '时间 When (Asia/Shanghai)', '结果 Outcome', '情况记录 Notes'],
      rows: [...visits]
        .sort((a, b) => Date.parse(a.at) - Date.parse(b.at))
        .map((v, i) => [String(i + 1), v.by, localDateTime(v.at), outcomeLabel(v.outcome), v.notes]),
    },
    { kind: 'heading', zh: '四、学校意见', en: "The school's statement" },
    { kind: 'para', text: input.statement.trim() || '—' },
    { kind: 'heading', zh: '五、依据', en: 'Legal basis' },
    { kind: 'para', text: '《长白朝鲜族自治县加强农村留守儿童关爱保护工作实施方案》（长政办发〔2016〕39号）四(二)3：中小学校要……及时了解无故旷课农村留守儿童情况，落实辍学学生登记、劝返复学和书面报告制度，劝返无效的，应书面报告县教育行政部门和乡镇政府，依法采取措施劝返复学。' },
    { kind: 'para', text: '《中华人民共和国未成年人保护法》第八十三条第二款：对尚未完成义务教育的辍学未成年学生，教育行政部门应当责令父母或者其他监护人将其送入学校接受义务教育。' },
    { kind: 'heading', zh: '六、请求事项', en: 'Request' },
    { kind: 'para', text: `经学校多次劝返未果，特此书面报告，请${recipients.join('、')}依法采取措施，督促监护人送该生返校复学。 The school asks the addressees to act under the law to bring the child back to school.` },
  ];
  const footer = [`案件编号 Case ID：${input.case.id}`, `报告单位 From：${school.name}（盖章）`, `报告日期 Date：${localDateTime(input.generatedAt)}`];
  return { to: recipients.join('、'), blocks, footer };
}

function toMarkdown(to: string, blocks: Block[], footer: string[]): string {
  const out = [`# ${WRITTEN_REPORT_TITLE}`, '', `*${SUBTITLE}*`, '', `**主送 To：** ${mdText(to)}`, ''];
  for (const b of blocks) {
    if (b.kind === 'heading') out.push(`## ${b.zh} ${b.en}`, '');
    else if (b.kind === 'para') out.push(mdText(b.text).replace(/<br>/g, '  \n'), '');
    else if (b.kind === 'fields') out.push('| 项目 Item | 内容 Value |', '| --- | --- |', ...b.rows.map(([k, v]) => `| ${mdText(k)} | ${mdText(v)} |`), '');
    else {
      out.push(`| ${b.head.map(mdText).join(' | ')} |`, `| ${b.head.map(() => '---').join(' | ')} |`);
      if (b.rows.length === 0) out.push(`| ${b.head.map((_, i) => (i === 0 ? '（无 none）' : '')).join(' | ')} |`);
      out.push(...b.rows.map((r) => `| ${r.map(mdText).join(' | ')} |`), '');
    }
  }
  out.push('---', '', ...footer.map((f) => `${mdText(f)}  `), '');
  return out.join('\n');
}

const CSS = `
body{font-family:"SimSun","Songti SC","Noto Serif CJK SC",serif;max-width:800px;margin:2em auto;padding:0 1em;color:#000;line-height:1.7}
h1{text-align:center;font-size:1.6em;margin-bottom:0}
.subtitle{text-align:center;color:#444;margin-top:.2em}
h2{font-size:1.15em;margin-top:1.4em}
h2 small{font-weight:normal;color:#555;margin-left:.5em}
table{border-collapse:collapse;width:100%;margin:.5em 0}
th,td{border:1px solid #000;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#eee}
.fields th{width:30%}
p{white-space:pre-wrap}
footer{margin-top:2em;text-align:right}
@media print{body{margin:0;max-width:none}th{background:none}tr{page-break-inside:avoid}}
`;

function toHtml(to: string, blocks: Block[], footer: string[]): string {
  const body: string[] = [];
  for (const b of blocks) {
    if (b.kind === 'heading') body.push(`<h2>${htmlText(b.zh)}<small>${htmlText(b.en)}</small></h2>`);
    else if (b.kind === 'para') body.push(`<p>${htmlText(b.text)}</p>`);
    else if (b.kind === 'fields') body.push(`<table class="fields">${b.rows.map(([k, v]) => `<tr><th>${htmlText(k)}</th><td>${htmlText(v)}</td></tr>`).join('')}</table>`);
    else {
      const rows = b.rows.length > 0 ? b.rows : [['（无 none）', ...b.head.slice(1).map(() => '')]];
      body.push(
        `<table><thead><tr>${b.head.map((h) => `<th>${htmlText(h)}</th>`).join('')}</tr></thead>` +
          `<tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${htmlText(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`,
      );
    }
  }
  return [
    '<!DOCTYPE html>',
    '<html lang="zh-CN">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${htmlText(WRITTEN_REPORT_TITLE)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    `<h1>${htmlText(WRITTEN_REPORT_TITLE)}</h1>`,
    `<p class="subtitle">${htmlText(SUBTITLE)}</p>`,
    `<p><strong>主送 To：</strong>${htmlText(to)}</p>`,
    ...body,
    `<footer>${footer.map((f) => `<div>${htmlText(f)}</div>`).join('')}</footer>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
