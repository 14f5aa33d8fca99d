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
  type ProtectionInput,
  type Stamped,
} from './machine-kit';

/*
 * 劝返复学 — a dropout persuaded back to school (长政办发〔2016〕39号 四(二)3: 落实辍学学生登记、劝返复学和
 * 书面报告制度，劝返无效的，应书面报告县教育行政部门和乡镇政府，依法采取措施劝返复学). Owned by the school.
 * The teacher, the child director and township cadres visit and every visit is recorded; reminders keep
 * the rhythm while the child is not back. When persuasion fails (the county's number of failed visits, or
 * its persuasion period) the school reports in writing to the county education bureau and the township
 * government, both acknowledge, and the bureau orders the guardian to send the child to school
 * (Minors Protection Law Art. 83: 责令父母或者其他监护人将其送入学校). A child back at school is struck off
 * (动态销号); a relapse puts the case back to persuasion with its history.
 */

export const DROPOUT_RETURN = 'dropout-return';

export type Visitor = 'teacher' | 'child_director' | 'township';
export type VisitOutcome = 'failed' | 'promised';
/** `round`: the persuasion round the visit belongs to (0 before the first relapse, then the relapse count). */
export interface Visit { round: number; by: Visitor; outcome: VisitOutcome; notes: string; at: string; visitedAt: string | null; recordedBy: string | null }
export interface Acknowledgement { at: string; userId: string; unitId: string }
export interface WrittenReport { statement: string; at: string; acks: { education: Acknowledgement | null; township: Acknowledgement | null } }

export interface DropoutContext {
  caseId: string;
  subject: ChildSubject;
  policy: MachinePolicy;
  openedAt: string;
  /** From the absence case: its id, the consecutive days counted, the first day of absence (YYYY-MM-DD). */
  absenceCaseId: string | null;
  consecutiveDays: number | null;
  since: string | null;
  /** The whole history stays across relapses: visits, reports, orders, returns. */
  visits: Visit[];
  reportDueBecause: 'failedVisits' | 'persuasionPeriod' | null; // why the written report fell due this round
  reports: WrittenReport[];
  orders: { order: string; issuedBy: string; at: string }[];
  returnDate: string | null; // while struck off
  returns: { returnDate: string; at: string }[];
  relapses: number;
  relapseDates: string[];
  closedAt: string | null;
  closeReason: string | null;
}

export type DropoutEvent = Stamped &
  (
    | { type: 'RECORD_VISIT'; by: Visitor; outcome: VisitOutcome; notes: string; visitedAt?: string }
    | { type: 'SUBMIT_WRITTEN_REPORT'; statement: string }
    | { type: 'ACKNOWLEDGE'; note?: string }
    | { type: 'RECORD_GUARDIAN_ORDER'; order: string; issuedBy: string }
    | { type: 'CHILD_RETURNED'; returnDate: string }
    | { type: 'RELAPSE'; date: string }
    | { type: 'CLOSE'; reason?: string }
  );

type Chain = keyof MachinePolicy['escalation'];
type Ev<T extends DropoutEvent['type']> = DropoutEvent & { type: T };
type Args = { context: DropoutContext; event: DropoutEvent };

const isText = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';
const isDay = (v: unknown): v is string => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && DateTime.fromISO(v).isValid;
const at = ({ context, event }: Args) => eventTime(event, context.openedAt);
const ev = <T extends DropoutEvent['type']>(e: DropoutEvent, ...types: T[]): Ev<T> | undefined =>
  (types as string[]).includes(e.type) ? (e as Ev<T>) : undefined;
const VISITORS: readonly unknown[] = ['teacher', 'child_director', 'township'];
const OUTCOMES: readonly unknown[] = ['failed', 'promised'];
const visitOk = (e: Ev<'RECORD_VISIT'> | undefined): e is Ev<'RECORD_VISIT'> =>
  !!e && VISITORS.includes(e.by) && OUTCOMES.includes(e.outcome) && isText(e.notes) && (e.visitedAt === undefined || (typeof e.visitedAt === 'string' && DateTime.fromISO(e.visitedAt).isValid));
/** Roles whose acknowledgement the written report needs: county education bureau and township government. */
const ACK_ROLES = { education: 'county-education', township: 'township-government' } as const;
type AckRole = keyof typeof ACK_ROLES;

const failedInRound = (c: DropoutContext) => c.visits.filter((v) => v.round === c.relapses && v.outcome === 'failed').length;
const currentReport = (c: DropoutContext) => c.reports[c.reports.length - 1];
const ackRole = (e: DropoutEvent): AckRole | undefined => (e.$actor?.role === 'education' || e.$actor?.role === 'township' ? e.$actor.role : undefined);
const missingAcks = (c: DropoutContext): AckRole[] => (Object.keys(ACK_ROLES) as AckRole[]).filter((r) => !currentReport(c)?.acks[r]);
const lastDay = (c: DropoutContext) => c.returnDate ?? c.relapseDates[c.relapseDates.length - 1] ?? c.since ?? '';
const notBefore = (c: DropoutContext, d: unknown) => isDay(d) && d >= lastDay(c);

const REMINDER: NotifyParams = {
  to: ['school', 'village-committee'],
  reason: '辍学儿童尚未返校，请继续上门劝返 / the dropout is not back: visit and persuade again (长政办发〔2016〕39号 四(二)3)',
};
const WRITTEN_REPORT: NotifyParams = {
  to: [ACK_ROLES.education, ACK_ROLES.township],
  reason: '辍学劝返无效书面报告，请确认并依法采取措施 / written report: persuasion failed; acknowledge and act under the law (长政办发〔2016〕39号 四(二)3)',
};
const reportDue = ({ context }: { context: DropoutContext }): NotifyParams => ({
  to: 'school',
  reason: `劝返无效，应书面报告县教育行政部门和乡镇政府 / persuasion failed (${context.reportDueBecause === 'failedVisits' ? `${failedInRound(context)} failed visits` : 'persuasion period over'}): the written report is due (长政办发〔2016〕39号 四(二)3)`,
});
const ackLate = ({ context }: { context: DropoutContext }) => ({
  chain: 'writtenReportAck' as const,
  reason: `辍学书面报告未按期确认 / written dropout report not acknowledged in time by ${missingAcks(context).map((r) => ACK_ROLES[r]).join(', ')} (长政办发〔2016〕39号 四(二)3)`,
});

// One transition object for every state in which the child may come back: struck off (动态销号).
const BACK = {
  guard: 'validReturn',
  target: `#${DROPOUT_RETURN}.returned`,
  actions: ['recordReturn', { type: 'notify', params: ({ event }: { event: DropoutEvent }): NotifyParams => ({ to: 'township-government', reason: `辍学儿童已返校，动态销号 / the child is back at school since ${(event as Ev<'CHILD_RETURNED'>).returnDate}: struck off (长政办发〔2016〕39号 四(二)3)` }) }],
} as const;
// After the written report is due, visits go on and are recorded; they no longer move the case.
const VISIT_RECORDED = { guard: 'validVisit', actions: 'recordVisit' } as const;

export const dropoutReturnMachine = setup({
  types: { input: {} as ProtectionInput, context: {} as DropoutContext, events: {} as DropoutEvent },
  delays: {
    persuasionReminderEvery: deadlineDelay((p) => p.school.persuasionReminderEvery),
    persuasionPeriod: deadlineDelay((p) => p.school.persuasionPeriod),
    writtenReportAck: deadlineDelay((p) => p.school.writtenReportAck),
    guardianOrderCompliance: deadlineDelay((p) => p.school.guardianOrderCompliance),
  },
  guards: {
    validVisit: ({ event }) => visitOk(ev(event, 'RECORD_VISIT')),
    // A valid failed visit that brings this round's count to the county's `school.failedVisitsBeforeReport`.
    failedVisitsReached: ({ context, event }) => {
      const e = ev(event, 'RECORD_VISIT');
      return visitOk(e) && e.outcome === 'failed' && failedInRound(context) + 1 >= context.policy.school.failedVisitsBeforeReport;
    },
    hasStatement: ({ event }) => isText(ev(event, 'SUBMIT_WRITTEN_REPORT')?.statement),
    newAcknowledgement: ({ context, event }) => {
      const role = ev(event, 'ACKNOWLEDGE') && ackRole(event);
      return !!role && !currentReport(context)?.acks[role];
    },
    // This acknowledgement is the last one missing.
    lastAcknowledgement: ({ context, event }) => {
      const role = ev(event, 'ACKNOWLEDGE') && ackRole(event);
      return !!role && missingAcks(context).length === 1 && missingAcks(context)[0] === role;
    },
    validOrder: ({ event }) => isText(ev(event, 'RECORD_GUARDIAN_ORDER')?.order) && isText((event as Ev<'RECORD_GUARDIAN_ORDER'>).issuedBy),
    // A return (or relapse) day no earlier than the absence, return or relapse it ends.
    validReturn: ({ context, event }) => notBefore(context, ev(event, 'CHILD_RETURNED')?.returnDate),
    validRelapse: ({ context, event }) => notBefore(context, ev(event, 'RELAPSE')?.date),
  },
  actions: {
    notify: (_, _p: NotifyParams) => undefined,
    /** One notice per unit of the policy's chain, in order, each carrying its step (1-based). */
    escalate: enqueueActions(({ context, enqueue }, params: { chain: Chain; reason: string }) => {
      for (const notice of escalationNotices(context.policy, params.chain, params.reason)) enqueue({ type: 'notify', params: notice } as never);
    }),
    recordVisit: assign({
      visits: (args) => {
        const { by, outcome, notes, visitedAt, $actor } = args.event as Ev<'RECORD_VISIT'>;
        const visit: Visit = { round: args.context.relapses, by, outcome, notes: notes.trim(), at: at(args), visitedAt: visitedAt ?? null, recordedBy: $actor?.userId ?? null };
        return [...args.context.visits, visit];
      },
    }),
    dueForFailedVisits: assign({ reportDueBecause: 'failedVisits' as const }),
    dueForPeriod: assign({ reportDueBecause: 'persuasionPeriod' as const }),
    // Each written report needs its own two acknowledgements.
    recordReport: assign({
      reports: (args) => [...args.context.reports, { statement: (args.event as Ev<'SUBMIT_WRITTEN_REPORT'>).statement.trim(), at: at(args), acks: { education: null, township: null } }],
    }),
    recordAcknowledgement: assign({
      reports: (args) => {
        const role = ackRole(args.event)!;
        const ack: Acknowledgement = { at: at(args), userId: args.event.$actor!.userId, unitId: args.event.$actor!.unitId };
        return args.context.reports.map((r, i, all) => (i === all.length - 1 ? { ...r, acks: { ...r.acks, [role]: ack } } : r));
      },
    }),
    recordOrder: assign({
      orders: (args) => [...args.context.orders, { order: (args.event as Ev<'RECORD_GUARDIAN_ORDER'>).order.trim(), issuedBy: (args.event as Ev<'RECORD_GUARDIAN_ORDER'>).issuedBy.trim(), at: at(args) }],
    }),
    recordReturn: assign((args) => {
      const returnDate = (args.event as Ev<'CHILD_RETURNED'>).returnDate;
      return { returnDate, returns: [...args.context.returns, { returnDate, at: at(args) }] };
    }),
    // The history stays: visits, reports, orders and returns; a new persuasion round begins.
    recordRelapse: assign(({ context, event }) => ({
      relapses: context.relapses + 1,
      relapseDates: [...context.relapseDates, (event as Ev<'RELAPSE'>).date],
      returnDate: null,
      reportDueBecause: null,
    })),
    recordClose: assign({ closedAt: at, closeReason: ({ event }) => (isText(ev(event, 'CLOSE')?.reason) ? (event as Ev<'CLOSE'>).reason!.trim() : null) }),
  },
}).createMachine({
  id: DROPOUT_RETURN,
  initial: 'persuading',
  context: ({ input }) => {
    const d = (input.data ?? {}) as { absenceCaseId?: unknown; consecutiveDays?: unknown; since?: unknown };
    return {
      caseId: input.caseId,
      subject: input.subject,
      policy: input.policy,
      openedAt: input.openedAt,
      absenceCaseId: isText(d.absenceCaseId) ? d.absenceCaseId : null,
      consecutiveDays: Number.isInteger(d.consecutiveDays) ? (d.consecutiveDays as number) : null,
      since: isDay(d.since) ? d.since : null,
      visits: [], reportDueBecause: null, reports: [], orders: [],
      returnDate: null, returns: [], relapses: 0, relapseDates: [], closedAt: null, closeReason: null,
    };
  },
  states: {
    // 四(二)3 劝返复学: the period runs from the start of the round; the reminder only while persuading.
    persuading: {
      initial: 'reminding',
      after: { persuasionPeriod: { target: 'writtenReportDue', actions: 'dueForPeriod' } },
      states: {
        // Re-entering cancels the pending reminder and arms one new one: never two at a time.
        reminding: { after: { persuasionReminderEvery: { target: 'reminding', reenter: true, actions: { type: 'notify', params: REMINDER } } } },
      },
      on: {
        RECORD_VISIT: [
          { guard: 'failedVisitsReached', target: 'writtenReportDue', actions: ['recordVisit', 'dueForFailedVisits'] },
          // A visit restarts the reminder rhythm from the visit, not the persuasion period.
          { guard: 'validVisit', target: '.reminding', actions: 'recordVisit' },
        ],
        CHILD_RETURNED: BACK,
      },
    },
    // 劝返无效的，应书面报告县教育行政部门和乡镇政府.
    writtenReportDue: {
      entry: { type: 'notify', params: reportDue },
      on: {
        SUBMIT_WRITTEN_REPORT: { guard: 'hasStatement', target: 'awaitingAcknowledgement', actions: ['recordReport', { type: 'notify', params: WRITTEN_REPORT }] },
        RECORD_VISIT: VISIT_RECORDED,
        CHILD_RETURNED: BACK,
      },
    },
    awaitingAcknowledgement: {
      initial: 'inTime',
      states: {
        inTime: { after: { writtenReportAck: 'overdue' } },
        overdue: { entry: { type: 'escalate', params: ackLate } },
      },
      on: {
        ACKNOWLEDGE: [
          { guard: 'lastAcknowledgement', target: 'bureauActing', actions: 'recordAcknowledgement' },
          { guard: 'newAcknowledgement', actions: 'recordAcknowledgement' },
        ],
        RECORD_VISIT: VISIT_RECORDED,
        CHILD_RETURNED: BACK,
      },
    },
    // 依法采取措施劝返复学: the education bureau orders the guardian (Minors Protection Law Art. 83).
    bureauActing: {
      on: {
        RECORD_GUARDIAN_ORDER: { guard: 'validOrder', target: 'guardianOrdered', actions: 'recordOrder' },
        RECORD_VISIT: VISIT_RECORDED,
        CHILD_RETURNED: BACK,
      },
    },
    guardianOrdered: {
      entry: { type: 'notify', params: { to: ['school', 'township-government'], reason: '教育行政部门已责令监护人送子女入学 / the bureau ordered the guardian to send the child to school (未成年人保护法 第八十三条)' } },
      initial: 'inTime',
      states: {
        inTime: { after: { guardianOrderCompliance: 'overdue' } },
        overdue: {
          entry: { type: 'escalate', params: { chain: 'guardianOrderCompliance', reason: '监护人逾期未送子女入学 / the guardian did not comply with the order in time (未成年人保护法 第八十三条)' } },
        },
      },
      on: {
        // A renewed order restarts the compliance deadline.
        RECORD_GUARDIAN_ORDER: { guard: 'validOrder', target: 'guardianOrdered', reenter: true, actions: 'recordOrder' },
        RECORD_VISIT: VISIT_RECORDED,
        CHILD_RETURNED: BACK,
      },
    },
    // 动态销号: struck off while the child attends; not final, a relapse reopens persuasion.
    returned: {
      on: {
        RELAPSE: {
          guard: 'validRelapse',
          target: 'persuading',
          actions: ['recordRelapse', { type: 'notify', params: { to: ['school', 'village-committee', 'township-government'], reason: '返校儿童再次辍学，重新劝返 / the child dropped out again: persuasion starts again (长政办发〔2016〕39号 四(二)3)' } }],
        },
        CLOSE: { target: 'closed', actions: 'recordClose' },
      },
    },
    closed: { type: 'final' },
  },
});

const SCHOOL = ['school'];

export function dropoutReturnDefinition(policy: ProtectionPolicy): CaseDefinition {
  return protectionDefinition(policy, {
    id: DROPOUT_RETURN,
    title: '劝返复学 — dropout return',
    machine: dropoutReturnMachine,
    permissions: {
      // The school registers the dropout; the absence case opens it as the engine's system actor.
      open: SCHOOL,
      events: {
        // The teacher, the child director (民发〔2019〕34号) and township cadres visit.
        RECORD_VISIT: ['school', 'child_director', 'township'],
        SUBMIT_WRITTEN_REPORT: SCHOOL,
        ACKNOWLEDGE: ['education', 'township'],
        RECORD_GUARDIAN_ORDER: ['education'],
        CHILD_RETURNED: SCHOOL,
        RELAPSE: SCHOOL,
        CLOSE: ['school', 'education'],
      },
    },
  });
}
