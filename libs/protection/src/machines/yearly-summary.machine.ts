import { assign, enqueueActions, setup } from 'xstate';
import type { CaseDefinition, OpenProblem } from '#shouhu/engine';
import { eventTime } from '../policy/deadline';
import type { ProtectionPolicy, UnitRole } from '../policy/policy.types';
import { msUntil, notBefore, reminderAt, untilContextInstant, yearlySummaryDue } from './calendar-kit';
import { escalationNotices, protectionDefinition, type MachinePolicy, type NotifyParams, type Stamped } from './machine-kit';

/*
 * 年度工作总结 — a township's or member department's yearly summary to the joint-meeting office
 * (长政办发〔2016〕39号 五(三): 各乡镇、各有关部门每年12月中旬将工作总结报送至联席会议办公室). Due at the end
 * of the policy's day (15 December, inclusive: 00:00 on the 16th, Asia/Shanghai); a reminder goes out
 * `registry.reminderBefore` earlier. As with the quarterly return, a case opened after the reminder instant
 * reminds at once and one opened at or after the due instant is overdue at once. Missing it escalates
 * (yearlySummary chain); a late summary is still taken. The office acknowledges it.
 */

export const YEARLY_SUMMARY = 'yearly-summary';

export interface UnitSubject { unitId: string }
export interface YearlySummaryInput { caseId: string; subject: UnitSubject; data: Record<string, unknown>; policy: MachinePolicy; openedAt: string }

export interface YearlySummaryContext {
  caseId: string;
  subject: UnitSubject;
  policy: MachinePolicy;
  openedAt: string;
  year: number;
  dueAt: string;
  remindAt: string;
  remindedAt: string | null;
  overdueAt: string | null;
  submitted: { summary: string; at: string; by: string | null; late: boolean; lateByMs: number } | null;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
}

export type YearlySummaryEvent = Stamped & ({ type: 'SUBMIT_SUMMARY'; summary: string } | { type: 'ACKNOWLEDGE'; note?: string });

type Args = { context: YearlySummaryContext; event: YearlySummaryEvent };
const at = ({ context, event }: Args) => eventTime(event, context.openedAt);
const validSummary = (e: YearlySummaryEvent) => e.type === 'SUBMIT_SUMMARY' && typeof e.summary === 'string' && e.summary.trim() !== '';
/** The summarising unit is the case's owner (the resolver's `owner`): the unit named in the subject. */
const OWNER: UnitRole = 'owner';

const reminder = ({ context }: { context: YearlySummaryContext }): NotifyParams => ({
  to: OWNER,
  reason: `${context.year} 年度关爱保护工作总结请于 ${context.dueAt.slice(0, 10)} 前报送联席会议办公室 / the ${context.year} summary is due before ${context.dueAt} (长政办发〔2016〕39号 五(三))`,
  deadline: context.dueAt,
});
const SUBMITTED = ({ context }: { context: YearlySummaryContext }): NotifyParams => ({
  to: 'joint-office',
  reason: `${context.subject.unitId} 已报送 ${context.year} 年度工作总结${context.submitted?.late ? '（逾期）' : ''} / the yearly summary is in: please acknowledge (长政办发〔2016〕39号 五(三))`,
});
const OVERDUE_REASON = '未在12月中旬报送年度工作总结 / the yearly summary was not sent by mid-December (长政办发〔2016〕39号 五(三))';

export const yearlySummaryMachine = setup({
  types: { input: {} as YearlySummaryInput, context: {} as YearlySummaryContext, events: {} as YearlySummaryEvent },
  delays: { summaryReminder: untilContextInstant('remindAt'), summaryDue: untilContextInstant('dueAt') },
  guards: {
    duePassedAtOpening: ({ context }) => notBefore(context.openedAt, context.dueAt),
    reminderPassedAtOpening: ({ context }) => notBefore(context.openedAt, context.remindAt),
    validSummary: ({ event }) => validSummary(event),
  },
  actions: {
    notify: (_, _p: NotifyParams) => undefined,
    escalate: enqueueActions(({ context, enqueue }, params: { reason: string }) => {
      for (const notice of escalationNotices(context.policy, 'yearlySummary', params.reason)) enqueue({ type: 'notify', params: notice } as never);
    }),
    recordReminder: assign({ remindedAt: at }),
    recordOverdue: assign({ overdueAt: at }),
    recordSummary: assign({
      submitted: (args) => {
        const when = at(args);
        const summary = (args.event as YearlySummaryEvent & { type: 'SUBMIT_SUMMARY' }).summary.trim();
        return { summary, at: when, by: args.event.$actor?.unitId ?? null, late: notBefore(when, args.context.dueAt), lateByMs: msUntil(when, args.context.dueAt) };
      },
    }),
    recordAcknowledgement: assign({ acknowledgedAt: at, acknowledgedBy: ({ event }) => event.$actor?.userId ?? null }),
  },
}).createMachine({
  id: YEARLY_SUMMARY,
  context: ({ input }) => {
    const year = Number(input.data.year);
    const dueAt = yearlySummaryDue(year, input.policy.registry.yearlySummaryDue);
    return {
      caseId: input.caseId, subject: input.subject, policy: input.policy, openedAt: input.openedAt,
      year, dueAt, remindAt: reminderAt(dueAt, input.policy.registry.reminderBefore),
      remindedAt: null, overdueAt: null, submitted: null, acknowledgedAt: null, acknowledgedBy: null,
    };
  },
  initial: 'opening',
  states: {
    // Transient: where a case opened late starts.
    opening: {
      always: [
        { guard: 'duePassedAtOpening', target: 'overdue' },
        { guard: 'reminderPassedAtOpening', target: 'open.reminded', actions: ['recordReminder', { type: 'notify', params: reminder }] },
        { target: 'open' },
      ],
    },
    open: {
      initial: 'waiting',
      after: { summaryDue: 'overdue' },
      // Lateness is read from the event's time: a summary stamped at the due instant is late even if the timer has not fired.
      on: { SUBMIT_SUMMARY: { guard: 'validSummary', target: 'submitted', actions: ['recordSummary', { type: 'notify', params: SUBMITTED }] } },
      states: {
        waiting: { after: { summaryReminder: { target: 'reminded', actions: ['recordReminder', { type: 'notify', params: reminder }] } } },
        reminded: {},
      },
    },
    overdue: {
      entry: ['recordOverdue', { type: 'escalate', params: { reason: OVERDUE_REASON } }],
      on: { SUBMIT_SUMMARY: { guard: 'validSummary', target: 'submitted', actions: ['recordSummary', { type: 'notify', params: SUBMITTED }] } },
    },
    submitted: { on: { ACKNOWLEDGE: { target: 'closed', actions: 'recordAcknowledgement' } } },
    closed: { type: 'final' },
  },
});

const UNIT_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

export function yearlySummaryOpenProblems({ subject, data }: { subject: Record<string, unknown>; data: Record<string, unknown> }): OpenProblem[] {
  const problems: OpenProblem[] = [];
  if (typeof subject.unitId !== 'string' || !UNIT_ID.test(subject.unitId)) problems.push({ field: 'subject.unitId', message: 'must be the unit id of a township or member department' });
  if (!Number.isInteger(data.year) || (data.year as number) < 2000 || (data.year as number) > 2099) problems.push({ field: 'data.year', message: 'must be a year such as 2026' });
  return problems;
}

/** Every member unit of the joint meeting writes a summary (五(三): 各乡镇、各有关部门). */
const MEMBER_ROLES = ['township', 'civil_affairs', 'police', 'psb', 'education', 'office', 'health', 'service'];

export function yearlySummaryDefinition(policy: ProtectionPolicy): CaseDefinition {
  return {
    ...protectionDefinition(policy, {
      id: YEARLY_SUMMARY,
      title: '年度工作总结 — yearly summary to the joint-meeting office',
      machine: yearlySummaryMachine,
      permissions: { open: ['office', 'civil_affairs'], events: { SUBMIT_SUMMARY: MEMBER_ROLES, ACKNOWLEDGE: ['office'] } },
    }),
    validateOpen: yearlySummaryOpenProblems,
  };
}
