import { assign, enqueueActions, setup } from 'xstate';
import type { CaseDefinition, OpenProblem } from '#shouhu/engine';
import { eventTime } from '../policy/deadline';
import type { ProtectionPolicy } from '../policy/policy.types';
import { deadlineDelay, escalationNotices, protectionDefinition, type MachinePolicy, type NotifyParams, type Stamped } from './machine-kit';

/*
 * 摸底排查 and police verification (长政办发〔2016〕39号 四(一): 乡镇人民政府指导村（居）民委员会全面摸底排查…
 * 公安机关核实户口登记等信息，并将核实结果反馈县民政局). A village collects its records, the township reviews
 * them, the township police station verifies household registration within `registry.policeVerification`
 * (missed: the policeVerification chain is told). No discrepancy: the result returns to county civil
 * affairs, which closes the round. Discrepancies go back to the village, to be answered within
 * `registry.discrepancyAnswer` (missed: the township is told), and then the police verify again.
 */

export const CENSUS_VERIFICATION = 'census-verification';

export interface CensusSubject { township: string }
export interface CensusInput { caseId: string; subject: CensusSubject; data: Record<string, unknown>; policy: MachinePolicy; openedAt: string }
export interface Discrepancy { childId: string; field: string; note: string }

export interface CensusContext {
  caseId: string;
  subject: CensusSubject;
  policy: MachinePolicy;
  openedAt: string;
  /** The village committee (unit id) whose records these are, and the count declared at opening. */
  village: string;
  records: number;
  submissions: { count: number; at: string; by: string | null }[];
  reviewedAt: string | null;
  /** Every verification round, the clean one last. */
  verifications: { at: string; by: string | null; discrepancies: Discrepancy[] }[];
  answers: { at: string; note: string }[];
  closedAt: string | null;
}

export type CensusEvent = Stamped &
  (
    | { type: 'SUBMIT_RECORDS'; count: number }
    | { type: 'REVIEWED'; note?: string }
    | { type: 'VERIFIED'; discrepancies: Discrepancy[] }
    | { type: 'DISCREPANCIES_RESOLVED'; note: string }
    | { type: 'CLOSE'; note?: string }
  );

type Args = { context: CensusContext; event: CensusEvent };
type Ev<T extends CensusEvent['type']> = CensusEvent & { type: T };
const CHILD_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const UNIT_CODE = /^[a-z0-9][a-z0-9-]{0,63}$/;
const isText = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';
const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 100_000;
const at = ({ context, event }: Args) => eventTime(event, context.openedAt);
const discrepancyOk = (d: unknown): d is Discrepancy => {
  const x = (d ?? {}) as Record<string, unknown>;
  return typeof x.childId === 'string' && CHILD_ID.test(x.childId) && isText(x.field) && isText(x.note);
};
const verifiedList = (e: CensusEvent): Discrepancy[] | null =>
  e.type === 'VERIFIED' && Array.isArray(e.discrepancies) && e.discrepancies.every(discrepancyOk) ? e.discrepancies : null;

const SUBMITTED = ({ context }: { context: CensusContext }): NotifyParams => ({
  to: 'township-government',
  reason: `${context.village} 已报送摸底排查信息 ${context.submissions[context.submissions.length - 1]?.count ?? 0} 条，请审核 / the village's census records are in: review them (长政办发〔2016〕39号 四(一))`,
});
const TO_POLICE: NotifyParams = { to: 'township-police', reason: '请核实留守儿童户口登记等信息并反馈 / verify the household registration of the census records and report back (长政办发〔2016〕39号 四(一))' };
const TO_CIVIL: NotifyParams = { to: 'county-civil-affairs', reason: '公安机关核实完毕，核实结果反馈县民政局 / police verification done: the result returns to county civil affairs (长政办发〔2016〕39号 四(一))' };
const toVillage = ({ context }: { context: CensusContext }): NotifyParams => ({
  to: 'village-committee',
  reason: `户口登记核实发现 ${context.verifications[context.verifications.length - 1]?.discrepancies.length ?? 0} 处不一致，请核对更正 / the police found discrepancies: check and correct them (长政办发〔2016〕39号 四(一))`,
});
const ANSWER_LATE: NotifyParams = { to: 'township-government', reason: '村委会逾期未答复户口核实不一致 / the village has not answered the discrepancies in time (长政办发〔2016〕39号 四(一))' };
const VERIFY_LATE = '公安机关逾期未完成户口登记核实 / household-registration verification not done in time (长政办发〔2016〕39号 四(一))';

export const censusVerificationMachine = setup({
  types: { input: {} as CensusInput, context: {} as CensusContext, events: {} as CensusEvent },
  delays: {
    policeVerification: deadlineDelay((p) => p.registry.policeVerification),
    discrepancyAnswer: deadlineDelay((p) => p.registry.discrepancyAnswer),
  },
  guards: {
    validCount: ({ event }) => event.type === 'SUBMIT_RECORDS' && isCount(event.count),
    noDiscrepancies: ({ event }) => verifiedList(event)?.length === 0,
    someDiscrepancies: ({ event }) => (verifiedList(event)?.length ?? 0) > 0,
    hasAnswer: ({ event }) => event.type === 'DISCREPANCIES_RESOLVED' && isText(event.note),
  },
  actions: {
    notify: (_, _p: NotifyParams) => undefined,
    escalate: enqueueActions(({ context, enqueue }, params: { reason: string }) => {
      for (const notice of escalationNotices(context.policy, 'policeVerification', params.reason)) enqueue({ type: 'notify', params: notice } as never);
    }),
    recordSubmission: assign({
      submissions: (args) => [...args.context.submissions, { count: (args.event as Ev<'SUBMIT_RECORDS'>).count, at: at(args), by: args.event.$actor?.unitId ?? null }],
    }),
    recordReview: assign({ reviewedAt: at }),
    recordVerification: assign({
      verifications: (args) => [
        ...args.context.verifications,
        { at: at(args), by: args.event.$actor?.unitId ?? null, discrepancies: verifiedList(args.event)!.map((d) => ({ childId: d.childId, field: d.field.trim(), note: d.note.trim() })) },
      ],
    }),
    recordAnswer: assign({ answers: (args) => [...args.context.answers, { at: at(args), note: (args.event as Ev<'DISCREPANCIES_RESOLVED'>).note.trim() }] }),
    recordClose: assign({ closedAt: at }),
  },
}).createMachine({
  id: CENSUS_VERIFICATION,
  context: ({ input }) => ({
    caseId: input.caseId, subject: input.subject, policy: input.policy, openedAt: input.openedAt,
    // In the subject, so the directory resolves `village-committee` like for any child's case.
    village: String((input.subject as { village?: unknown }).village ?? ''),
    records: isCount(input.data.records) ? input.data.records : 0,
    submissions: [], reviewedAt: null, verifications: [], answers: [], closedAt: null,
  }),
  initial: 'collecting',
  states: {
    // 村（居）民委员会全面摸底排查: the village collects, one file per child.
    collecting: {
      on: { SUBMIT_RECORDS: { guard: 'validCount', target: 'townshipReview', actions: ['recordSubmission', { type: 'notify', params: SUBMITTED }] } },
    },
    // 乡镇人民政府指导、汇总.
    townshipReview: { on: { REVIEWED: { target: 'policeVerifying', actions: 'recordReview' } } },
    // 公安机关核实户口登记: the deadline counts from the review (or the village's answer).
    policeVerifying: {
      entry: { type: 'notify', params: TO_POLICE },
      initial: 'inTime',
      states: {
        inTime: { after: { policeVerification: 'overdue' } },
        overdue: { entry: { type: 'escalate', params: { reason: VERIFY_LATE } } },
      },
      on: {
        VERIFIED: [
          { guard: 'noDiscrepancies', target: 'reportedToCivilAffairs', actions: 'recordVerification' },
          { guard: 'someDiscrepancies', target: 'discrepanciesWithVillage', actions: 'recordVerification' },
        ],
      },
    },
    discrepanciesWithVillage: {
      entry: { type: 'notify', params: toVillage },
      initial: 'inTime',
      states: {
        inTime: { after: { discrepancyAnswer: 'overdue' } },
        overdue: { entry: { type: 'notify', params: ANSWER_LATE } },
      },
      // The village's answer goes back to the police to verify again.
      on: { DISCREPANCIES_RESOLVED: { guard: 'hasAnswer', target: 'policeVerifying', actions: 'recordAnswer' } },
    },
    // 将核实结果反馈县民政局.
    reportedToCivilAffairs: {
      entry: { type: 'notify', params: TO_CIVIL },
      on: { CLOSE: { target: 'closed', actions: 'recordClose' } },
    },
    closed: { type: 'final' },
  },
});

/** The subject is the township; the data the village (its unit id) and the record count it opens with. */
export function censusOpenProblems({ subject, data }: { subject: Record<string, unknown>; data: Record<string, unknown> }): OpenProblem[] {
  const problems: OpenProblem[] = [];
  if (typeof subject.township !== 'string' || !UNIT_CODE.test(subject.township)) problems.push({ field: 'subject.township', message: 'must be a township code such as maluguo' });
  if (typeof subject.village !== 'string' || !UNIT_CODE.test(subject.village)) problems.push({ field: 'subject.village', message: 'must be the village committee\'s unit id' });
  if (!isCount(data.records)) problems.push({ field: 'data.records', message: 'must be a whole number of records (0 or more)' });
  return problems;
}

export function censusVerificationDefinition(policy: ProtectionPolicy): CaseDefinition {
  return {
    ...protectionDefinition(policy, {
      id: CENSUS_VERIFICATION,
      title: '摸底排查与户籍核实 — census and police verification',
      machine: censusVerificationMachine,
      permissions: {
        // County civil affairs leads (牵头); the township guides its villages.
        open: ['civil_affairs', 'township'],
        events: {
          SUBMIT_RECORDS: ['village', 'child_director'],
          REVIEWED: ['township'],
          VERIFIED: ['police'],
          DISCREPANCIES_RESOLVED: ['village', 'child_director'],
          CLOSE: ['civil_affairs'],
        },
      },
    }),
    validateOpen: censusOpenProblems,
  };
}
