import { DateTime } from 'luxon';
import { assign, enqueueActions, setup } from 'xstate';
import type { CaseDefinition } from '#shouhu/engine';
import { eventTime } from '../policy/deadline';
import type { ProtectionPolicy } from '../policy/policy.types';
import {
  type ChildSubject,
  deadlineDelay,
  escalationNotices,
  protectionDefinition,
  type MachinePolicy,
  type NotifyParams,
  type OpenCaseParams,
  type ProtectionInput,
  type Stamped,
} from './machine-kit';

/*
 * 无故旷课 — an unexplained absence (长政办发〔2016〕39号 四(二)3: 及时了解无故旷课农村留守儿童情况).
 * The class teacher reaches the guardian within the county's `school.reachGuardian`; a missed deadline
 * goes up the policy's `reachGuardian` chain. The absence ends one of three ways: the guardian explains
 * it; the teacher finds the child alone or missing, which is a mandatory report to the police
 * (国发〔2016〕13号 四(一)); or the absence runs long enough to be a dropout (落实辍学学生登记), which opens
 * the dropout-return case (劝返复学).
 */

export const SCHOOL_ABSENCE = 'school-absence';

export interface AbsenceContext {
  caseId: string;
  subject: ChildSubject;
  policy: MachinePolicy;
  openedAt: string;
  /** The first day of absence, YYYY-MM-DD. */
  date: string;
  schoolUnitId: string;
  className: string | null;
  note: string | null;
  /** Every school day of this absence, the first included, in the order recorded. */
  absentDays: string[];
  reachedAt: string | null;
  explanation: string | null;
  /** What the absence turned into: a mandatory report or a dropout registration. */
  outcome: { kind: 'reported'; trigger: string; at: string } | { kind: 'dropout'; consecutiveDays: number; at: string } | null;
}

export type AbsenceEvent = Stamped &
  (
    | { type: 'GUARDIAN_REACHED'; explanation: string }
    | { type: 'CHILD_ALONE' | 'CHILD_MISSING'; details: string }
    | { type: 'ABSENT_AGAIN'; date: string }
    | { type: 'REGISTER_DROPOUT'; consecutiveDays: number }
  );

type Chain = keyof MachinePolicy['escalation'];
type Ev<T extends AbsenceEvent['type']> = AbsenceEvent & { type: T };
type Args = { context: AbsenceContext; event: AbsenceEvent };

const isText = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';
const opt = (v: unknown): string | null => (isText(v) ? v.trim() : null);
/** A calendar date written YYYY-MM-DD. */
export const isDay = (v: unknown): v is string => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && DateTime.fromISO(v).isValid;
/** The county's calendar day of an ISO time stamp (Asia/Shanghai). */
const dayOf = (iso: string): string => DateTime.fromISO(iso, { zone: 'Asia/Shanghai' }).toISODate() ?? iso.slice(0, 10);
const at = ({ context, event }: Args) => eventTime(event, context.openedAt);
const ev = <T extends AbsenceEvent['type']>(e: AbsenceEvent, ...types: T[]): Ev<T> | undefined =>
  (types as string[]).includes(e.type) ? (e as Ev<T>) : undefined;

const TRIGGER = { CHILD_ALONE: 'ALONE_NO_GUARDIAN', CHILD_MISSING: 'MISSING' } as const;

// 国发〔2016〕13号 四(一): a school that finds a child alone without a guardian or missing reports to the police at once.
const mandatoryReport = (args: Args): OpenCaseParams => {
  const e = args.event as Ev<'CHILD_ALONE' | 'CHILD_MISSING'>;
  return {
    type: 'mandatory-report',
    ownerRole: 'township-police',
    reason: `学校核查旷课发现${e.type === 'CHILD_ALONE' ? '儿童独居无人监护' : '儿童失踪'}，强制报告 / the school found the absent child ${e.type === 'CHILD_ALONE' ? 'alone without a guardian' : 'missing'}: mandatory report (国发〔2016〕13号 四(一))`,
    data: {
      triggers: [TRIGGER[e.type]],
      description: e.details.trim(),
      reporter: { unitId: args.context.schoolUnitId, userId: e.$actor?.userId ?? null, role: 'school' },
    },
  };
};
// 长政办发〔2016〕39号 四(二)3: 落实辍学学生登记、劝返复学 — the dropout-return case, owned by the school.
const dropoutCase = (args: Args): OpenCaseParams => ({
  type: 'dropout-return',
  ownerRole: 'school',
  reason: '连续无故旷课达到辍学标准，登记并劝返复学 / absence long enough to be a dropout: register and persuade the child back (长政办发〔2016〕39号 四(二)3)',
  data: { absenceCaseId: args.context.caseId, consecutiveDays: (args.event as Ev<'REGISTER_DROPOUT'>).consecutiveDays, since: args.context.date },
});

export const schoolAbsenceMachine = setup({
  types: { input: {} as ProtectionInput, context: {} as AbsenceContext, events: {} as AbsenceEvent },
  delays: {
    reachGuardian: deadlineDelay((p) => p.school.reachGuardian),
  },
  guards: {
    hasExplanation: ({ event }) => isText(ev(event, 'GUARDIAN_REACHED')?.explanation),
    hasDetails: ({ event }) => isText(ev(event, 'CHILD_ALONE', 'CHILD_MISSING')?.details),
    // A school day of this absence not yet recorded, not before its first day.
    newAbsentDay: ({ context, event }) => {
      const d = ev(event, 'ABSENT_AGAIN')?.date;
      return isDay(d) && d >= context.date && !context.absentDays.includes(d);
    },
    // The county's dropout threshold in consecutive school days (policy `school.dropoutAfterSchoolDays`).
    reachesDropout: ({ context, event }) => {
      const n = ev(event, 'REGISTER_DROPOUT')?.consecutiveDays;
      return Number.isInteger(n) && (n as number) >= context.policy.school.dropoutAfterSchoolDays;
    },
  },
  actions: {
    notify: (_, _p: NotifyParams) => undefined,
    openCase: (_, _p: OpenCaseParams) => undefined,
    /** One notice per unit of the policy's chain, in order, each carrying its step (1-based). */
    escalate: enqueueActions(({ context, enqueue }, params: { chain: Chain; reason: string }) => {
      for (const notice of escalationNotices(context.policy, params.chain, params.reason)) enqueue({ type: 'notify', params: notice } as never);
    }),
    recordDay: assign({ absentDays: ({ context, event }) => [...context.absentDays, (event as Ev<'ABSENT_AGAIN'>).date] }),
    recordExplanation: assign({
      reachedAt: at,
      explanation: ({ event }) => (event as Ev<'GUARDIAN_REACHED'>).explanation.trim(),
    }),
    recordReport: assign({
      outcome: (args) => ({ kind: 'reported' as const, trigger: TRIGGER[(args.event as Ev<'CHILD_ALONE' | 'CHILD_MISSING'>).type], at: at(args) }),
    }),
    recordDropout: assign({
      outcome: (args) => ({ kind: 'dropout' as const, consecutiveDays: (args.event as Ev<'REGISTER_DROPOUT'>).consecutiveDays, at: at(args) }),
    }),
  },
}).createMachine({
  id: SCHOOL_ABSENCE,
  initial: 'reachingGuardian',
  context: ({ input }) => {
    const d = (input.data ?? {}) as { date?: unknown; schoolUnitId?: unknown; className?: unknown; note?: unknown };
    // The API validates the opening data; a case opened without a date counts from the day it was opened.
    const date = isDay(d.date) ? d.date : dayOf(input.openedAt);
    return {
      caseId: input.caseId,
      subject: input.subject,
      policy: input.policy,
      openedAt: input.openedAt,
      date,
      schoolUnitId: isText(d.schoolUnitId) ? d.schoolUnitId : (input.subject.school ?? ''),
      className: opt(d.className),
      note: opt(d.note),
      absentDays: [date],
      reachedAt: null,
      explanation: null,
      outcome: null,
    };
  },
  states: {
    // 长政办发〔2016〕39号 四(二)3: 及时了解无故旷课情况 — the class teacher reaches the guardian.
    reachingGuardian: {
      entry: { type: 'notify', params: { to: 'school', reason: '无故旷课，请班主任及时联系监护人 / unexplained absence: the class teacher reaches the guardian (长政办发〔2016〕39号 四(二)3)' } },
      initial: 'inTime',
      states: {
        inTime: { after: { reachGuardian: 'overdue' } },
        // Escalated, and still waiting: every way out stays open.
        overdue: {
          entry: {
            type: 'escalate',
            params: { chain: 'reachGuardian', reason: '无故旷课未及时联系监护人 / guardian of an absent child not reached in time (长政办发〔2016〕39号 四(二)3)' },
          },
        },
      },
      on: {
        // Recording another day changes no clock: the teacher's deadline runs from the first day's report.
        ABSENT_AGAIN: { guard: 'newAbsentDay', actions: 'recordDay' },
        GUARDIAN_REACHED: { guard: 'hasExplanation', target: 'explained', actions: 'recordExplanation' },
        CHILD_ALONE: { guard: 'hasDetails', target: 'reported', actions: ['recordReport', { type: 'openCase', params: mandatoryReport }] },
        CHILD_MISSING: { guard: 'hasDetails', target: 'reported', actions: ['recordReport', { type: 'openCase', params: mandatoryReport }] },
        REGISTER_DROPOUT: { guard: 'reachesDropout', target: 'dropout', actions: ['recordDropout', { type: 'openCase', params: dropoutCase }] },
      },
    },
    explained: { type: 'final' },
    reported: { type: 'final' },
    dropout: { type: 'final' },
  },
});

const SCHOOL = ['school'];

export function schoolAbsenceDefinition(policy: ProtectionPolicy): CaseDefinition {
  return protectionDefinition(policy, {
    id: SCHOOL_ABSENCE,
    title: '无故旷课 — unexplained school absence',
    machine: schoolAbsenceMachine,
    permissions: {
      // The school opens it; the attendance import opens it as the engine's system actor.
      open: SCHOOL,
      events: {
        GUARDIAN_REACHED: SCHOOL,
        CHILD_ALONE: SCHOOL,
        CHILD_MISSING: SCHOOL,
        ABSENT_AGAIN: SCHOOL,
        // 四(二)3 落实辍学学生登记: the school registers; the attendance import sends it as the system.
        REGISTER_DROPOUT: SCHOOL,
      },
    },
  });
}
