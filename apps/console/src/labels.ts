import type { Lang } from './i18n';

/*
 * Display labels only. The machines, their states and the events a user may send come from the API
 * (GET /definitions/:type, CaseView.allowedEvents); an unknown name is shown as it is.
 */

type Pair = [zh: string, en: string];

const STATES: Record<string, Pair> = {
  awaitingAcceptance: ['待受理', 'awaiting acceptance'],
  acceptanceOverdue: ['受理超时', 'acceptance overdue'],
  handling: ['处置中', 'handling'],
  work: ['出警', 'police work'],
  awaitingDispatch: ['待出警', 'awaiting dispatch'],
  dispatchOverdue: ['出警超时', 'dispatch overdue'],
  dispatched: ['已出警', 'dispatched'],
  feedback: ['向报告人反馈', 'feedback'],
  awaitingFeedback: ['待反馈', 'awaiting feedback'],
  feedbackOverdue: ['反馈超时', 'feedback overdue'],
  feedbackGiven: ['已反馈', 'feedback given'],
  concluded: ['已办结', 'concluded'],
  onScene: ['现场处置', 'on scene'],
  searching: ['查找中', 'searching'],
  found: ['已找到', 'found'],
  protected: ['已保护', 'protected'],
  awaitingGuardian: ['待监护人到位', 'awaiting the guardian'],
  guardianOverdue: ['监护人逾期未到位', 'guardian overdue'],
  guardianInPlace: ['监护人已到位', 'guardian in place'],
  inTemporaryCare: ['临时监护', 'in temporary care'],
  handedOver: ['已移交民政', 'handed over'],
  assessing: ['评估中', 'assessing'],
  inTime: ['期限内', 'in time'],
  overdue: ['已逾期', 'overdue'],
  planning: ['制定帮扶方案', 'planning'],
  awaitingPlanApproval: ['待审批方案', 'plan awaiting approval'],
  assisting: ['帮扶中', 'assisting'],
  followUp: ['随访', 'follow-up'],
  waiting: ['等待', 'waiting'],
  referrals: ['转介', 'referrals'],
  awaiting: ['待答复', 'awaiting answers'],
  settled: ['已答复', 'settled'],
  awaitingClosureApproval: ['待审批结案', 'closure awaiting approval'],
  closed: ['已结案', 'closed'],
  awaitingAdmonition: ['待劝诫', 'awaiting admonition'],
  supervision: ['监督整改', 'supervision'],
  correcting: ['整改中', 'correcting'],
  recheckDue: ['待复查', 'recheck due'],
  notCorrected: ['未整改', 'not corrected'],
  refusal: ['拒不履责', 'refusal'],
  applicationDue: ['应申请撤销监护', 'application due'],
  awaitingRuling: ['待法院裁判', 'awaiting ruling'],
  revoked: ['已撤销监护资格', 'revoked'],
  appointed: ['已指定监护人', 'guardian appointed'],
  restored: ['已恢复监护', 'restored'],
  corrected: ['已整改', 'corrected'],
  reachingGuardian: ['联系监护人', 'reaching the guardian'],
  explained: ['已说明原因', 'explained'],
  reported: ['已转强制报告', 'reported'],
  dropout: ['已登记辍学', 'dropout registered'],
  persuading: ['劝返中', 'persuading'],
  reminding: ['提醒', 'reminding'],
  writtenReportDue: ['应书面报告', 'written report due'],
  awaitingAcknowledgement: ['待教育局、乡镇签收', 'awaiting acknowledgement'],
  bureauActing: ['教育局处理中', 'bureau acting'],
  guardianOrdered: ['已责令监护人', 'guardian ordered'],
  returned: ['已返校', 'returned'],
  collecting: ['摸底排查', 'collecting'],
  townshipReview: ['乡镇审核', 'township review'],
  policeVerifying: ['公安核实', 'police verifying'],
  discrepanciesWithVillage: ['退回村核对', 'discrepancies with the village'],
  reportedToCivilAffairs: ['已报民政', 'reported to civil affairs'],
  opening: ['开启', 'opening'],
  open: ['待报送', 'open'],
  reminded: ['已提醒', 'reminded'],
  filedOnTime: ['按时报送', 'filed on time'],
  filedLate: ['逾期报送', 'filed late'],
  accepted: ['已验收', 'accepted'],
  submitted: ['已报送', 'submitted'],
  visiting: ['定期走访', 'visiting'],
  ended: ['已结束', 'ended'],
};

const EVENTS: Record<string, Pair> = {
  ACCEPT: ['受理', 'Accept'],
  DISPATCH: ['出警', 'Dispatch'],
  GIVE_FEEDBACK: ['向报告人反馈（3日内）', 'Send feedback (3 days)'],
  CONCLUDE: ['办结并告知结果', 'Conclude with the outcome'],
  SEARCH: ['开始查找', 'Start searching'],
  FOUND: ['已找到儿童', 'Child found'],
  PROTECT: ['采取保护措施', 'Protect'],
  ORDER_GUARDIAN: ['责令监护人到位', 'Order the guardian'],
  GUARDIAN_IN_PLACE: ['监护人已到位', 'Guardian in place'],
  TEMPORARY_CARE: ['临时监护安置', 'Temporary care placement'],
  HANDOVER: ['移交民政评估', 'Hand over to civil affairs'],
  SUBMIT_ASSESSMENT: ['提交评估', 'Submit the assessment'],
  SUBMIT_PLAN: ['提交帮扶方案', 'Submit the plan'],
  APPROVE_PLAN: ['批准方案', 'Approve the plan'],
  REJECT_PLAN: ['退回方案', 'Reject the plan'],
  REFERRAL_ACCEPTED: ['接受转介', 'Accept the referral'],
  REFERRAL_DECLINED: ['拒绝转介', 'Decline the referral'],
  ADD_REFERRAL: ['新增转介', 'Add a referral'],
  FOLLOW_UP_VISIT: ['记录随访', 'Record a follow-up visit'],
  REASSESS: ['重新评估', 'Reassess'],
  RETURN_HOME: ['返回家庭', 'Return home'],
  RECORD_LONG_TERM_CARE: ['长期安置', 'Long-term care'],
  START_INTERVENTION: ['启动监护干预', 'Start guardianship intervention'],
  REQUEST_CLOSURE: ['申请结案', 'Request closure'],
  APPROVE_CLOSURE: ['批准结案', 'Approve closure'],
  REJECT_CLOSURE: ['退回结案申请', 'Reject closure'],
  ADMONISH: ['劝诫', 'Admonish'],
  RECHECK: ['复查', 'Recheck'],
  RECORD_GROUND: ['记录撤销事由', 'Record a ground'],
  REFUSAL_OBSERVED: ['记录拒不履责', 'Refusal observed'],
  GUARDIAN_RESUMED: ['监护人恢复履责', 'Guardian resumed'],
  FILE_APPLICATION: ['申请撤销监护资格', 'File the application'],
  RECORD_RULING: ['记录法院裁判', 'Record the ruling'],
  APPOINT_GUARDIAN: ['指定监护人', 'Appoint a guardian'],
  RESTORE: ['恢复监护资格', 'Restore'],
  CLOSE: ['结案', 'Close'],
  GUARDIAN_REACHED: ['已联系监护人', 'Guardian reached'],
  CHILD_ALONE: ['发现儿童独居', 'Child found alone'],
  CHILD_MISSING: ['发现儿童失踪', 'Child missing'],
  ABSENT_AGAIN: ['再次缺勤', 'Absent again'],
  REGISTER_DROPOUT: ['登记辍学', 'Register dropout'],
  RECORD_VISIT: ['记录劝返走访', 'Record a visit'],
  SUBMIT_WRITTEN_REPORT: ['提交书面报告', 'Submit the written report'],
  ACKNOWLEDGE: ['签收', 'Acknowledge'],
  RECORD_GUARDIAN_ORDER: ['记录责令送学', 'Record the guardian order'],
  CHILD_RETURNED: ['已返校', 'Child returned'],
  RELAPSE: ['再次辍学', 'Relapse'],
  SUBMIT_RECORDS: ['报送摸底名册', 'Submit records'],
  REVIEWED: ['乡镇审核通过', 'Reviewed'],
  VERIFIED: ['公安核实', 'Verified'],
  DISCREPANCIES_RESOLVED: ['差异已核对', 'Discrepancies resolved'],
  FILE_RETURN: ['报送季度更新', 'File the return'],
  ACCEPT_RETURN: ['验收', 'Accept the return'],
  SUBMIT_SUMMARY: ['报送年度总结', 'Submit the summary'],
  END: ['结束走访', 'End'],
  'case.opened': ['立案', 'Opened'],
  deadline: ['期限已到（系统）', 'deadline passed (system)'],
};

const DEADLINES: Record<string, Pair> = {
  reportAccept: ['受理期限', 'acceptance'],
  dispatch: ['出警期限', 'dispatch'],
  reportFeedback: ['3日内反馈期限', 'feedback within 3 days'],
  guardianInPlace: ['监护人到位期限', 'guardian in place'],
  reachGuardian: ['联系监护人期限', 'reach the guardian'],
  persuasionReminderEvery: ['劝返提醒', 'persuasion reminder'],
  persuasionPeriod: ['劝返期限', 'persuasion period'],
  writtenReportAck: ['书面报告签收期限', 'written report acknowledgement'],
  guardianOrderCompliance: ['责令送学期限', 'guardian order'],
  returnDue: ['季度报送期限', 'quarterly return due'],
  returnReminder: ['季度报送提醒', 'quarterly return reminder'],
  assessment: ['评估期限', 'assessment'],
  planApproval: ['方案审批期限', 'plan approval'],
  referralAnswer: ['转介答复期限', 'referral answer'],
  followUpEvery: ['随访周期', 'follow-up'],
  correctionPeriod: ['整改期限', 'correction period'],
  courtApplication: ['申请撤销期限', 'court application'],
  guardianshipRefusal: ['拒不履责六个月', 'six months of refusal'],
  discrepancyAnswer: ['差异核对期限', 'discrepancy answer'],
  policeVerification: ['公安核实期限', 'police verification'],
  concernVisit: ['重点走访周期', 'key-child visit'],
  // Escalation chains of the policy (their names follow the deadlines they escalate).
  quarterlyReturn: ['季度信息更新逾期', 'quarterly return overdue'],
  yearlySummary: ['年度总结逾期', 'yearly summary overdue'],
};

const ROLES: Record<string, Pair> = {
  school: ['学校', 'school'],
  police: ['派出所', 'police station'],
  psb: ['县公安局', 'county PSB'],
  civil_affairs: ['民政部门', 'civil affairs'],
  civil_affairs_supervisor: ['民政审批', 'civil affairs supervisor'],
  township: ['乡镇政府', 'township'],
  village: ['村（居）委会', 'village committee'],
  child_director: ['儿童主任', 'child director'],
  education: ['教育局', 'education bureau'],
  office: ['联席会议办公室', 'joint-meeting office'],
  system: ['系统', 'system'],
};

const pick = (table: Record<string, Pair>, key: string, lang: Lang) => table[key]?.[lang === 'zh' ? 0 : 1] ?? key;

/**
 * The API's state text in words: `handling.work.awaitingDispatch` → 处置中 · 出警 · 待出警; parallel regions
 * (`handling.(work.dispatched,feedback.feedbackGiven)`) keep their grouping.
 */
export function stateLabel(state: string, lang: Lang): string {
  return state
    .replace(/[A-Za-z][A-Za-z0-9_-]*/g, (key) => pick(STATES, key, lang))
    .replace(/\./g, ' · ')
    .replace(/,/g, '；')
    .replace(/\(/g, '（')
    .replace(/\)/g, '）');
}

export const stateKeyLabel = (key: string, lang: Lang) => pick(STATES, key, lang);
export const eventLabel = (event: string, lang: Lang) => pick(EVENTS, event, lang);
export const deadlineLabel = (name: string, lang: Lang) => pick(DEADLINES, name, lang);
export const roleLabel = (role: string, lang: Lang) => pick(ROLES, role, lang);

/** A definition's title is `中文 — English` (from the machine's definition): one half per language. */
export function titleLabel(title: string | undefined, fallback: string, lang: Lang): string {
  if (!title) return fallback;
  const [zhPart, enPart] = title.split(/\s+—\s+/);
  return (lang === 'zh' ? zhPart : enPart ?? zhPart) || fallback;
}

/** Case type labels for lists, before the definitions have loaded. */
const TYPES: Record<string, Pair> = {
  'mandatory-report': ['强制报告', 'mandatory report'],
  emergency: ['应急处置', 'emergency handling'],
  assessment: ['评估帮扶', 'assessment and assistance'],
  guardianship: ['监护干预', 'guardianship intervention'],
  'school-absence': ['无故旷课', 'school absence'],
  'dropout-return': ['劝返复学', 'dropout return'],
  'census-verification': ['摸底排查', 'census verification'],
  'quarterly-return': ['季度信息更新', 'quarterly return'],
  'yearly-summary': ['年度总结', 'yearly summary'],
  'key-child-visits': ['重点对象家访', 'key-child visits'],
};
export const typeLabel = (type: string, lang: Lang) => pick(TYPES, type, lang);
