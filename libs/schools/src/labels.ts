/** Chinese labels (with English) for the dropout-return case's states and visit outcomes. */
export const STATE_LABELS: Record<string, { zh: string; en: string }> = {
  persuading: { zh: '劝返中', en: 'persuading' },
  writtenReportDue: { zh: '待书面报告', en: 'written report due' },
  awaitingAcknowledgement: { zh: '待教育局、乡镇确认收悉', en: 'awaiting acknowledgement' },
  bureauActing: { zh: '教育局依法处理中', en: 'education bureau acting' },
  guardianOrdered: { zh: '已责令监护人送返', en: 'guardian ordered' },
  returned: { zh: '已复学', en: 'returned' },
  closed: { zh: '已结案', en: 'closed' },
};

export const OUTCOME_LABELS: Record<string, string> = {
  failed: '劝返未果',
  refused: '拒绝返校',
  promised: '承诺返校',
  unreachable: '未见到监护人',
  returned: '已返校',
};

export function stateLabel(state: string): string {
  const l = STATE_LABELS[state];
  return l ? `${l.zh}（${l.en}）` : state;
}

export function outcomeLabel(outcome: string): string {
  const zh = OUTCOME_LABELS[outcome];
  return zh ? `${zh}（${outcome}）` : outcome;
}

/** For Markdown: no raw HTML, no table breaks, no line breaks inside a cell. */
export function mdText(s: unknown): string {
  return String(s ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|#])/g, '\\$1')
    .replace(/\r?\n|\r/g, '<br>');
}

export function htmlText(s: unknown): string {
  return String(s ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
