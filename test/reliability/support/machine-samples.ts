import type { AnyMachineSnapshot, EventObject } from 'xstate';

/*
 * For every protection case type: how a case of it is opened (subject, data, time) and a sample of
 * the events its machine takes, valid and invalid, each with the `$at` (and where the machine reads
 * it, the `$actor`) a person's request would carry. The same samples the machine specs beside the
 * machines use; here they drive the real engine and serve the authorization matrix.
 */

/*
 * A delayed event's `$at` is the time the pure run fires it; the engine fires it at that time or, if
 * the timer it armed is due later, when it is due.
 */
export type SampleEvent = EventObject & { $at?: string; $actor?: { userId: string; unitId: string; role: string }; [field: string]: unknown };

export interface Opening {
  openedAt: string;
  subject: Record<string, unknown>;
  data: Record<string, unknown>;
}

export interface MachineSample {
  type: string;
  openings: Opening[];
  events: SampleEvent[];
  /** What makes two states different for the traversal (value and what the guards read); default: the value. */
  serializeState?: (s: AnyMachineSnapshot) => string;
}

const CHILD = { childId: 'child-1', township: 'maluguo', village: 'maluguo-village' };
const SCHOOL_CHILD = { ...CHILD, school: 'maluguo-school' };
const TEACHER = { userId: 'teacher-li', unitId: 'maluguo-school', role: 'school' };
const CA = { userId: 'u-ca', unitId: 'changbai-civil-affairs', role: 'civil_affairs' };
const VILLAGE = { userId: 'cun-li', unitId: 'maluguo-village', role: 'village' };
const TOWNSHIP = { userId: 'cadre-kim', unitId: 'maluguo-town', role: 'township' };
const POLICE = { userId: 'pcs-zhao', unitId: 'maluguo-police', role: 'police' };
const CIVIL = { userId: 'mz-wang', unitId: 'changbai-civil-affairs', role: 'civil_affairs' };
const BUREAU = { userId: 'edu-zhang', unitId: 'changbai-education', role: 'education' };
const OFFICE = { userId: 'lx-chen', unitId: 'changbai-joint-office', role: 'office' };
const DIRECTOR = { userId: 'dir-pak', unitId: 'maluguo-village', role: 'child_director' };

const after = (delay: string, node: string) => `xstate.after.${delay}.${node}`;
const ctx = (s: AnyMachineSnapshot) => s.context as Record<string, any>;

const mandatoryReport: MachineSample = {
  type: 'mandatory-report',
  openings: [
    {
      openedAt: '2026-03-02T09:00:00+08:00',
      subject: CHILD,
      data: { triggers: ['ALONE_NO_GUARDIAN'], description: 'a 9-year-old alone at home', reporter: { unitId: 'maluguo-school', userId: 'teacher-li', role: 'school' } },
    },
  ],
  events: [
    { type: 'ACCEPT', $at: '2026-03-02T09:10:00+08:00' },
    { type: 'DISPATCH', $at: '2026-03-02T09:25:00+08:00' },
    { type: 'GIVE_FEEDBACK', summary: 'progress', $at: '2026-03-03T15:00:00+08:00' },
    { type: 'GIVE_FEEDBACK', summary: '', $at: '2026-03-03T15:00:00+08:00' },
    { type: 'CONCLUDE', outcome: 'closed', $at: '2026-03-09T11:00:00+08:00' },
    { type: 'CONCLUDE', outcome: '', $at: '2026-03-09T11:00:00+08:00' },
    { type: after('reportAccept', 'mandatory-report.awaitingAcceptance') },
    { type: after('dispatch', 'mandatory-report.handling.work.awaitingDispatch') },
    { type: after('reportFeedback', 'mandatory-report.handling.feedback.awaitingFeedback') },
  ],
};

const ORDERED = '2026-03-02T10:30:00+08:00';
const LATER = '2026-03-02T18:00:00+08:00';
const ORDER = { type: 'ORDER_GUARDIAN', guardian: 'parents', guardianName: '张父 Zhang', admonished: true, $at: ORDERED };
const CARE = { type: 'TEMPORARY_CARE', ground: 'A92_4_GUARDIAN_REFUSES', institution: '县儿童福利院 county welfare home', $at: LATER };
const emergency: MachineSample = {
  type: 'emergency',
  openings: ['alone', 'missing', 'harm', 'guardian-unable'].map((situation) => ({
    openedAt: '2026-03-02T09:00:00+08:00',
    subject: CHILD,
    data: { reportCaseId: 'report-1', situation, triggers: ['ALONE_NO_GUARDIAN'] },
  })),
  events: [
    { type: 'SEARCH', $at: ORDERED },
    { type: 'FOUND', $at: ORDERED },
    { type: 'PROTECT', measures: 'removed', $at: ORDERED },
    ORDER,
    { ...ORDER, admonished: false },
    CARE,
    { ...CARE, ground: 'NOT_AN_ART92_CODE' },
    { type: 'GUARDIAN_IN_PLACE', $at: LATER },
    { type: 'HANDOVER', $at: LATER },
    { type: after('guardianInPlace', 'emergency.awaitingGuardian') },
  ],
};

const T_ASSESS = '2026-03-10T10:00:00+08:00';
const WF = 'service:womens-federation';
const SW = 'service:social-work';
const assessment: MachineSample = {
  type: 'assessment',
  openings: [
    {
      openedAt: '2026-03-02T09:00:00+08:00',
      subject: CHILD,
      data: { emergencyCaseId: 'emergency-1', reportCaseId: 'report-1', placement: 'temporary-care', ground: 'A92_4_GUARDIAN_REFUSES' },
    },
  ],
  events: [
    ...['able', 'unable', 'failing'].map((guardianship) => ({ type: 'SUBMIT_ASSESSMENT', safety: 'safe', health: 'healthy', guardianship, $at: T_ASSESS, $actor: CA })),
    { type: 'SUBMIT_PLAN', goals: ['返校 back to school'], referrals: [WF, SW], $at: T_ASSESS },
    { type: 'APPROVE_PLAN', $at: T_ASSESS },
    { type: 'REJECT_PLAN', reason: 'redo', $at: T_ASSESS },
    { type: 'REFERRAL_ACCEPTED', service: WF, $at: T_ASSESS },
    { type: 'REFERRAL_DECLINED', service: SW, $at: T_ASSESS },
    { type: 'ADD_REFERRAL', service: 'service:education', replaces: SW, $at: T_ASSESS },
    { type: 'FOLLOW_UP_VISIT', notes: 'visit', $at: T_ASSESS },
    ...['able', 'failing'].map((guardianship) => ({ type: 'REASSESS', guardianship, $at: T_ASSESS })),
    { type: 'RETURN_HOME', $at: T_ASSESS },
    { type: 'RECORD_LONG_TERM_CARE', $at: T_ASSESS },
    { type: 'START_INTERVENTION', $at: T_ASSESS },
    { type: 'REQUEST_CLOSURE', $at: T_ASSESS },
    { type: 'APPROVE_CLOSURE', $at: T_ASSESS },
    { type: 'REJECT_CLOSURE', reason: 'not yet', $at: T_ASSESS },
    { type: after('assessment', 'assessment.assessing.inTime'), $at: T_ASSESS },
    { type: after('planApproval', 'assessment.awaitingPlanApproval.inTime'), $at: T_ASSESS },
    { type: after('followUpEvery', 'assessment.assisting.followUp.waiting'), $at: T_ASSESS },
    { type: after('referralAnswer', 'assessment.assisting.referrals.awaiting'), $at: T_ASSESS },
  ],
  serializeState: (s) => {
    const c = ctx(s);
    return JSON.stringify([s.value, c.assessment?.guardianship, c.placement, !!c.interventionRequestedAt, (c.referrals ?? []).map((r: any) => `${r.service}:${r.status}${r.escalated ? '!' : ''}${r.replacedBy ? '>' : ''}`)]);
  },
};

const T_GUARD = '2026-06-10T10:00:00+08:00';
const guardianship: MachineSample = {
  type: 'guardianship',
  openings: [{ openedAt: '2026-03-02T09:00:00+08:00', subject: CHILD, data: { assessmentCaseId: 'assessment-1', findings: { guardianship: 'failing' } } }],
  events: [
    { type: 'ADMONISH', by: 'police', measures: ['劝诫 admonish'], $at: T_GUARD },
    { type: 'RECHECK', corrected: true, $at: T_GUARD },
    { type: 'RECHECK', corrected: false, $at: T_GUARD },
    ...['DANGER_AFTER_ADMONITION', 'REFUSAL_SIX_MONTHS', 'BAD_TEMPER'].map((ground) => ({ type: 'RECORD_GROUND', ground, $at: T_GUARD })),
    { type: 'REFUSAL_OBSERVED', $at: T_GUARD },
    { type: 'GUARDIAN_RESUMED', $at: T_GUARD },
    { type: 'FILE_APPLICATION', applicant: 'civil_affairs', ground: 'DANGER_AFTER_ADMONITION', $at: T_GUARD },
    { type: 'RECORD_RULING', result: 'revoked', $at: T_GUARD },
    { type: 'RECORD_RULING', result: 'dismissed', $at: T_GUARD },
    { type: 'APPOINT_GUARDIAN', kind: 'long-term-state', $at: T_GUARD },
    { type: 'RESTORE', $at: T_GUARD },
    { type: 'CLOSE', $at: T_GUARD },
    { type: after('correctionPeriod', 'guardianship.supervision.correcting'), $at: T_GUARD },
    { type: after('guardianshipRefusal', 'guardianship.refusal'), $at: T_GUARD },
    { type: after('courtApplication', 'guardianship.applicationDue.inTime'), $at: T_GUARD },
  ],
  serializeState: (s) => JSON.stringify([s.value, ctx(s).grounds]),
};

const T_ABSENT = '2026-03-03T09:00:00+08:00';
const schoolAbsence: MachineSample = {
  type: 'school-absence',
  openings: [{ openedAt: '2026-03-02T08:30:00+08:00', subject: SCHOOL_CHILD, data: { date: '2026-03-02', schoolUnitId: 'maluguo-school', className: '三年级二班' } }],
  events: [
    { type: 'GUARDIAN_REACHED', explanation: 'ill', $at: T_ABSENT },
    { type: 'GUARDIAN_REACHED', explanation: '', $at: T_ABSENT },
    { type: 'CHILD_ALONE', details: 'alone', $at: T_ABSENT, $actor: TEACHER },
    { type: 'CHILD_MISSING', details: 'missing', $at: T_ABSENT, $actor: TEACHER },
    { type: 'ABSENT_AGAIN', date: '2026-03-03', $at: T_ABSENT },
    { type: 'ABSENT_AGAIN', date: '2026-03-01', $at: T_ABSENT },
    { type: 'REGISTER_DROPOUT', consecutiveDays: 20, $at: T_ABSENT },
    { type: 'REGISTER_DROPOUT', consecutiveDays: 3, $at: T_ABSENT },
    { type: after('reachGuardian', 'school-absence.reachingGuardian.inTime'), $at: T_ABSENT },
  ],
  serializeState: (s) => JSON.stringify([s.value, (ctx(s).absentDays ?? []).length > 1]),
};

const T_DROP = '2026-04-10T10:00:00+08:00';
const dropoutReturn: MachineSample = {
  type: 'dropout-return',
  openings: [{ openedAt: '2026-03-23T08:00:00+08:00', subject: SCHOOL_CHILD, data: { absenceCaseId: 'absence-1', consecutiveDays: 20, since: '2026-02-23' } }],
  events: [
    ...(['failed', 'promised'] as const).map((outcome) => ({ type: 'RECORD_VISIT', by: 'teacher', outcome, notes: `家访 visit ${outcome}`, $at: T_DROP, $actor: TEACHER })),
    { type: 'SUBMIT_WRITTEN_REPORT', statement: '三次劝返无效 / three visits failed', $at: T_DROP, $actor: TEACHER },
    { type: 'ACKNOWLEDGE', $at: T_DROP, $actor: BUREAU },
    { type: 'ACKNOWLEDGE', $at: T_DROP, $actor: TOWNSHIP },
    { type: 'RECORD_GUARDIAN_ORDER', order: '责令监护人送子女返校', issuedBy: '长白县教育局', $at: T_DROP, $actor: BUREAU },
    { type: 'CHILD_RETURNED', returnDate: '2026-04-13', $at: T_DROP, $actor: TEACHER },
    { type: 'RELAPSE', date: '2026-04-27', $at: T_DROP },
    { type: 'CLOSE', $at: T_DROP },
    { type: after('persuasionReminderEvery', 'dropout-return.persuading.reminding'), $at: T_DROP },
    { type: after('persuasionPeriod', 'dropout-return.persuading'), $at: T_DROP },
    { type: after('writtenReportAck', 'dropout-return.awaitingAcknowledgement.inTime'), $at: T_DROP },
    { type: after('guardianOrderCompliance', 'dropout-return.guardianOrdered.inTime'), $at: T_DROP },
  ],
  serializeState: (s) => {
    const c = ctx(s);
    const failed = s.matches('persuading' as never) ? (c.visits ?? []).filter((v: any) => v.round === c.relapses && v.outcome === 'failed').length : null;
    const acks = c.reports?.[c.reports.length - 1]?.acks;
    return JSON.stringify([s.value, failed, acks && [!!acks.education, !!acks.township], c.relapses]);
  },
};

const censusVerification: MachineSample = {
  type: 'census-verification',
  openings: [{ openedAt: '2026-04-01T09:00:00+08:00', subject: { township: 'maluguo', village: 'maluguo-village' }, data: { records: 42 } }],
  events: [
    { type: 'SUBMIT_RECORDS', count: 42, $at: '2026-04-03T16:00:00+08:00', $actor: VILLAGE },
    { type: 'REVIEWED', $at: '2026-04-06T10:00:00+08:00', $actor: TOWNSHIP },
    { type: 'VERIFIED', discrepancies: [], $at: '2026-04-15T15:00:00+08:00', $actor: POLICE },
    { type: 'VERIFIED', discrepancies: [{ childId: 'child-7', field: 'household registration', note: 'registered elsewhere' }], $at: '2026-04-15T15:00:00+08:00', $actor: POLICE },
    { type: 'DISCREPANCIES_RESOLVED', note: '已更正 / corrected', $at: '2026-04-20T11:00:00+08:00', $actor: VILLAGE },
    { type: 'CLOSE', $actor: CIVIL },
    { type: after('policeVerification', 'census-verification.policeVerifying.inTime') },
    { type: after('discrepancyAnswer', 'census-verification.discrepanciesWithVillage.inTime') },
  ],
  serializeState: (s) => JSON.stringify([s.value, (ctx(s).verifications ?? []).length > 0]),
};

const quarterlyReturn: MachineSample = {
  type: 'quarterly-return',
  openings: ['2026-01-05T09:00:00+08:00', '2026-03-15T09:00:00+08:00', '2026-03-21T09:00:00+08:00'].map((openedAt) => ({ openedAt, subject: { township: 'maluguo' }, data: { quarter: '2026-Q1' } })),
  events: [
    { type: 'FILE_RETURN', newCount: 3, changedCount: 5, noLongerLeftBehind: 2, moved: 1, $at: '2026-03-10T10:00:00+08:00', $actor: TOWNSHIP },
    { type: 'FILE_RETURN', newCount: 3, changedCount: 5, noLongerLeftBehind: 2, moved: 1, $at: '2026-03-20T00:00:00+08:00', $actor: TOWNSHIP },
    { type: 'FILE_RETURN', newCount: 3, changedCount: 5, noLongerLeftBehind: 2, moved: -1, $at: '2026-03-10T10:00:00+08:00', $actor: TOWNSHIP },
    { type: 'ACCEPT_RETURN', $at: '2026-03-25T10:00:00+08:00', $actor: CIVIL },
    { type: after('returnReminder', 'quarterly-return.open.waiting'), $at: '2026-03-13T00:00:00+08:00' },
    { type: after('returnDue', 'quarterly-return.open'), $at: '2026-03-20T00:00:00+08:00' },
  ],
};

const yearlySummary: MachineSample = {
  type: 'yearly-summary',
  openings: ['2026-11-02T09:00:00+08:00', '2026-12-12T09:00:00+08:00'].map((openedAt) => ({ openedAt, subject: { unitId: 'maluguo-town' }, data: { year: 2026 } })),
  events: [
    { type: 'SUBMIT_SUMMARY', summary: '2026年关爱保护工作总结 / the 2026 summary', $at: '2026-12-10T10:00:00+08:00', $actor: TOWNSHIP },
    { type: 'SUBMIT_SUMMARY', summary: '', $at: '2026-12-10T10:00:00+08:00', $actor: TOWNSHIP },
    { type: 'ACKNOWLEDGE', $at: '2026-12-17T10:00:00+08:00', $actor: OFFICE },
    { type: after('summaryReminder', 'yearly-summary.open.waiting'), $at: '2026-12-09T00:00:00+08:00' },
    { type: after('summaryDue', 'yearly-summary.open'), $at: '2026-12-16T00:00:00+08:00' },
  ],
};

const keyChildVisits: MachineSample = {
  type: 'key-child-visits',
  openings: [{ openedAt: '2026-04-01T09:00:00+08:00', subject: CHILD, data: {} }],
  events: [
    { type: 'RECORD_VISIT', findings: '情况稳定 / stable', concern: false, $at: '2026-04-01T09:00:00+08:00', $actor: DIRECTOR },
    { type: 'RECORD_VISIT', findings: 'worrying', concern: true, $at: '2026-04-01T09:00:00+08:00', $actor: DIRECTOR },
    { type: 'RECORD_VISIT', findings: '', concern: false, $at: '2026-04-01T09:00:00+08:00', $actor: DIRECTOR },
    { type: 'END', reason: 'moved away', $actor: VILLAGE },
    { type: after('keyChildVisitEvery', 'key-child-visits.visiting.waiting') },
  ],
};

export const MACHINE_SAMPLES: readonly MachineSample[] = [
  mandatoryReport,
  emergency,
  assessment,
  guardianship,
  schoolAbsence,
  dropoutReturn,
  censusVerification,
  quarterlyReturn,
  yearlySummary,
  keyChildVisits,
];
