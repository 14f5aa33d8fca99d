import type { Lang } from '../i18n';

/*
 * The fields of each event's form: presentation only. Which events may be sent now comes from the API
 * (CaseView.allowedEvents); what the machine accepts is checked there (a refused value answers 422 and
 * the form keeps what was typed). Codes listed by the policy (triggers, grounds, service units) are read
 * from GET /policy, not written here.
 */

export interface Code { code: string; zh: string; en: string }
export interface PolicyCodes {
  temporaryGuardianshipGrounds: Code[];
  revocationGrounds: Code[];
  serviceUnits: { role: string; zh: string; en: string }[];
  reportTriggers: Code[];
}

type Options = { value: string; zh: string; en: string }[] | ((p: PolicyCodes) => { value: string; zh: string; en: string }[]);

export interface FieldSpec {
  name: string;
  zh: string;
  en: string;
  kind: 'text' | 'textarea' | 'select' | 'multiselect' | 'checkbox' | 'date' | 'number' | 'lines' | 'json';
  required?: boolean;
  options?: Options;
}

const o = (value: string, zh: string, en: string) => ({ value, zh, en });
const note: FieldSpec = { name: 'note', zh: '备注', en: 'Note', kind: 'textarea' };
const reasonOpt: FieldSpec = { name: 'reason', zh: '理由', en: 'Reason', kind: 'textarea' };
const reasonReq: FieldSpec = { ...reasonOpt, required: true };
const grounds = (p: PolicyCodes) => p.temporaryGuardianshipGrounds.map((g) => o(g.code, g.zh, g.en));
const revocation = (p: PolicyCodes) => p.revocationGrounds.map((g) => o(g.code, g.zh, g.en));
const services = (p: PolicyCodes) => p.serviceUnits.map((s) => o(s.role, s.zh, s.en));
const safety = [o('safe', '安全', 'safe'), o('at-risk', '存在风险', 'at risk')];
const finding = [o('able', '有监护能力', 'able'), o('unable', '无监护能力', 'unable'), o('failing', '监护失职', 'failing')];

const BY_EVENT: Record<string, FieldSpec[]> = {
  ACCEPT: [note],
  DISPATCH: [note],
  GIVE_FEEDBACK: [{ name: 'summary', zh: '向报告单位反馈的案件进展', en: 'How the case stands, for the reporter', kind: 'textarea', required: true }],
  CONCLUDE: [{ name: 'outcome', zh: '处理结果', en: 'Outcome', kind: 'textarea', required: true }],
  SEARCH: [note],
  FOUND: [{ name: 'location', zh: '找到地点', en: 'Where', kind: 'text' }],
  PROTECT: [{ name: 'measures', zh: '保护措施', en: 'Measures', kind: 'textarea' }],
  ORDER_GUARDIAN: [
    { name: 'guardian', zh: '监护安排', en: 'Guardian', kind: 'select', required: true, options: [o('parents', '责令父母返回', 'parents ordered back'), o('entrusted', '委托亲属监护', 'entrusted guardian')] },
    { name: 'guardianName', zh: '监护人姓名', en: "Guardian's name", kind: 'text', required: true },
    { name: 'admonished', zh: '已对父母予以训诫', en: 'Parents admonished', kind: 'checkbox', required: true },
  ],
  GUARDIAN_IN_PLACE: [note],
  TEMPORARY_CARE: [
    { name: 'ground', zh: '临时监护情形（未成年人保护法第九十二条）', en: 'Ground (Minors Protection Law Art. 92)', kind: 'select', required: true, options: grounds },
    { name: 'institution', zh: '安置机构', en: 'Institution', kind: 'text', required: true },
  ],
  HANDOVER: [note],
  SUBMIT_ASSESSMENT: [
    { name: 'safety', zh: '人身安全', en: 'Safety', kind: 'select', required: true, options: safety },
    { name: 'health', zh: '身心健康状况', en: 'Health', kind: 'textarea', required: true },
    { name: 'guardianship', zh: '家庭监护情况', en: 'Guardianship', kind: 'select', required: true, options: finding },
  ],
  SUBMIT_PLAN: [
    { name: 'goals', zh: '帮扶目标（每行一项）', en: 'Goals (one a line)', kind: 'lines', required: true },
    { name: 'referrals', zh: '转介服务单位', en: 'Referrals', kind: 'multiselect', options: services },
  ],
  REJECT_PLAN: [reasonReq],
  REJECT_CLOSURE: [reasonReq],
  REFERRAL_ACCEPTED: [{ name: 'service', zh: '服务单位', en: 'Service', kind: 'select', required: true, options: services }],
  REFERRAL_DECLINED: [{ name: 'service', zh: '服务单位', en: 'Service', kind: 'select', required: true, options: services }, reasonOpt],
  ADD_REFERRAL: [
    { name: 'service', zh: '服务单位', en: 'Service', kind: 'select', required: true, options: services },
    { name: 'replaces', zh: '替代的单位', en: 'Replaces', kind: 'select', options: services },
  ],
  FOLLOW_UP_VISIT: [{ name: 'notes', zh: '随访记录', en: 'Notes', kind: 'textarea', required: true }],
  REASSESS: [
    { name: 'guardianship', zh: '家庭监护情况', en: 'Guardianship', kind: 'select', required: true, options: finding },
    { name: 'safety', zh: '人身安全', en: 'Safety', kind: 'select', options: safety },
    { name: 'health', zh: '身心健康状况', en: 'Health', kind: 'textarea' },
  ],
  START_INTERVENTION: [reasonOpt],
  REQUEST_CLOSURE: [reasonOpt],
  ADMONISH: [
    { name: 'by', zh: '劝诫单位', en: 'By', kind: 'select', required: true, options: [o('police', '公安', 'police'), o('village', '村（居）委会', 'village'), o('civil_affairs', '民政', 'civil affairs')] },
    { name: 'measures', zh: '劝诫措施（每行一项）', en: 'Measures (one a line)', kind: 'lines', required: true },
  ],
  RECHECK: [{ name: 'corrected', zh: '已整改', en: 'Corrected', kind: 'checkbox' }],
  RECORD_GROUND: [{ name: 'ground', zh: '撤销监护资格事由', en: 'Ground', kind: 'select', required: true, options: revocation }],
  REFUSAL_OBSERVED: [{ name: 'since', zh: '拒不履责起始日', en: 'Since', kind: 'date' }],
  FILE_APPLICATION: [
    { name: 'applicant', zh: '申请人', en: 'Applicant', kind: 'select', required: true, options: [o('civil_affairs', '民政部门', 'civil affairs'), o('village_committee', '村（居）委会', 'village committee'), o('relative', '近亲属', 'relative'), o('school', '学校', 'school'), o('womens_federation', '妇联', "women's federation")] },
    { name: 'ground', zh: '事由', en: 'Ground', kind: 'select', required: true, options: revocation },
  ],
  RECORD_RULING: [{ name: 'result', zh: '裁判结果', en: 'Ruling', kind: 'select', required: true, options: [o('revoked', '撤销监护资格', 'revoked'), o('dismissed', '驳回申请', 'dismissed')] }],
  APPOINT_GUARDIAN: [
    { name: 'kind', zh: '监护类型', en: 'Kind', kind: 'select', required: true, options: [o('relative', '亲属监护', 'relative'), o('temporary-state', '国家临时监护', 'temporary state'), o('long-term-state', '国家长期监护', 'long-term state')] },
    { name: 'name', zh: '监护人', en: 'Name', kind: 'text' },
  ],
  CLOSE: [reasonOpt],
  GUARDIAN_REACHED: [{ name: 'explanation', zh: '监护人说明的缺勤原因', en: "The guardian's explanation", kind: 'textarea', required: true }],
  CHILD_ALONE: [{ name: 'details', zh: '情况', en: 'Details', kind: 'textarea', required: true }],
  CHILD_MISSING: [{ name: 'details', zh: '情况', en: 'Details', kind: 'textarea', required: true }],
  ABSENT_AGAIN: [{ name: 'date', zh: '缺勤日期', en: 'Date', kind: 'date', required: true }],
  REGISTER_DROPOUT: [{ name: 'consecutiveDays', zh: '连续缺勤天数', en: 'Consecutive days', kind: 'number', required: true }],
  RECORD_VISIT: [
    { name: 'by', zh: '走访人', en: 'Visitor', kind: 'select', required: true, options: [o('teacher', '教师', 'teacher'), o('child_director', '儿童主任', 'child director'), o('township', '乡镇干部', 'township cadre')] },
    { name: 'outcome', zh: '结果', en: 'Outcome', kind: 'select', required: true, options: [o('failed', '劝返未果', 'failed'), o('promised', '家长承诺送学', 'promised')] },
    { name: 'notes', zh: '走访记录', en: 'Notes', kind: 'textarea', required: true },
    { name: 'visitedAt', zh: '走访日期', en: 'Visited on', kind: 'date' },
  ],
  SUBMIT_WRITTEN_REPORT: [{ name: 'statement', zh: '书面报告正文', en: 'Statement', kind: 'textarea', required: true }],
  ACKNOWLEDGE: [note],
  RECORD_GUARDIAN_ORDER: [
    { name: 'order', zh: '责令内容', en: 'Order', kind: 'textarea', required: true },
    { name: 'issuedBy', zh: '责令机关', en: 'Issued by', kind: 'text', required: true },
  ],
  CHILD_RETURNED: [{ name: 'returnDate', zh: '返校日期', en: 'Return date', kind: 'date', required: true }],
  RELAPSE: [{ name: 'date', zh: '再次缺勤日期', en: 'Date', kind: 'date', required: true }],
  FILE_RETURN: [
    { name: 'newCount', zh: '新增人数', en: 'New', kind: 'number', required: true },
    { name: 'changedCount', zh: '信息变更人数', en: 'Changed', kind: 'number', required: true },
    { name: 'noLongerLeftBehind', zh: '不再属于留守儿童人数', en: 'No longer left behind', kind: 'number', required: true },
    { name: 'moved', zh: '迁出人数', en: 'Moved away', kind: 'number', required: true },
  ],
  ACCEPT_RETURN: [note],
  SUBMIT_RECORDS: [{ name: 'count', zh: '名册人数', en: 'Records', kind: 'number', required: true }],
  REVIEWED: [note],
  DISCREPANCIES_RESOLVED: [{ name: 'note', zh: '核对说明', en: 'Note', kind: 'textarea', required: true }],
  SUBMIT_SUMMARY: [{ name: 'summary', zh: '年度工作总结', en: 'Summary', kind: 'textarea', required: true }],
  END: [reasonReq],
};

/** Events whose form differs by case type. */
const BY_TYPE_EVENT: Record<string, FieldSpec[]> = {
  'key-child-visits:RECORD_VISIT': [
    { name: 'findings', zh: '走访情况', en: 'Findings', kind: 'textarea', required: true },
    { name: 'concern', zh: '发现需关注的问题', en: 'A concern found', kind: 'checkbox' },
  ],
};

const FALLBACK: FieldSpec[] = [{ name: '$json', zh: '事件内容（JSON）', en: 'Payload (JSON)', kind: 'json' }];

export function fieldsFor(type: string, event: string): FieldSpec[] {
  return BY_TYPE_EVENT[`${type}:${event}`] ?? BY_EVENT[event] ?? FALLBACK;
}

export function optionsOf(spec: FieldSpec, policy: PolicyCodes | undefined, lang: Lang): { value: string; label: string }[] {
  const list = typeof spec.options === 'function' ? (policy ? spec.options(policy) : []) : (spec.options ?? []);
  return list.map((x) => ({ value: x.value, label: lang === 'zh' ? x.zh : x.en }));
}

/** Form values → the event's payload: lines become lists, empty optional fields are left out. */
export function toPayload(specs: FieldSpec[], values: Record<string, unknown>): Record<string, unknown> {
  const payload: Record<string, unknown> = {};
  for (const s of specs) {
    const v = values[s.name];
    if (s.kind === 'json') {
      const text = typeof v === 'string' ? v.trim() : '';
      Object.assign(payload, text ? (JSON.parse(text) as Record<string, unknown>) : {});
      continue;
    }
    if (s.kind === 'checkbox') {
      payload[s.name] = v === true;
      continue;
    }
    if (v === undefined || v === null || v === '') continue;
    if (s.kind === 'lines') payload[s.name] = String(v).split('\n').map((l) => l.trim()).filter(Boolean);
    else if (s.kind === 'number') payload[s.name] = Number(v);
    else if (s.kind === 'text' || s.kind === 'textarea') payload[s.name] = String(v).trim();
    else payload[s.name] = v;
  }
  return payload;
}
