import { assign, enqueueActions, setup } from 'xstate';
import type { CaseDefinition, OpenProblem } from '#shouhu/engine';
import { eventTime } from '../policy/deadline';
import type { ProtectionPolicy } from '../policy/policy.types';
import { isQuarter, msUntil, notBefore, quarterReturnDue, reminderAt, untilContextInstant } from './calendar-kit';
import { escalationNotices, protectionDefinition, type MachinePolicy, type NotifyParams, type Stamped } from './machine-kit';

/*
 * 季度动态更新 — a township's quarterly return to county civil affairs (长政办发〔2016〕39号 四(一): 乡镇人民政府
 * 每季度最后一个月的20日之前将本乡镇农村留守儿童信息更新情况报县民政局). One case per township per quarter.
 * The due instant is 00:00 on the policy's day (20) of the quarter's last month; a reminder goes out
 * `registry.reminderBefore` earlier. A case opened after the reminder instant reminds at once; one opened
 * at or after the due instant is overdue at once. Missing the due instant escalates (quarterlyReturn chain);
 * a late return is still taken and its lateness recorded. Civil affairs accepts it.
 */

export const QUARTERLY_RETURN = 'quarterly-return';

export interface TownshipSubject { township: string }
export interface QuarterlyReturnInput { caseId: string; subject: TownshipSubject; data: Record<string, unknown>; policy: MachinePolicy; openedAt: string }
export interface ReturnFigures { newCount: number; changedCount: number; noLongerLeftBehind: number; moved: number }
export interface FiledReturn extends ReturnFigures { at: string; by: string | null; late: boolean; lateByMs: number }

export interface QuarterlyReturnContext {
  caseId: string;
  subject: TownshipSubject;
  policy: MachinePolicy;
  openedAt: string;
  quarter: string;
  /** ISO instants (Asia/Shanghai): when the return is due and when the reminder goes out. */
  dueAt: string;
  remindAt: string;
  remindedAt: string | null;
  overdueAt: string | null;
  filed: FiledReturn | null;
  acceptedAt: string | null;
  acceptedBy: string | null;
}

export type QuarterlyReturnEvent = Stamped &
  ({ type: 'FILE_RETURN'; newCount: number; changedCount: number; noLongerLeftBehind: number; moved: number } | { type: 'ACCEPT_RETURN'; note?: string });

type Args = { context: QuarterlyReturnContext; event: QuarterlyReturnEvent };
type FileEvent = QuarterlyReturnEvent & { type: 'FILE_RETURN' };
const FIGURES = ['newCount', 'changedCount', 'noLongerLeftBehind', 'moved'] as const;
const count = (v: unknown) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 100_000;
const at = ({ context, event }: Args) => eventTime(event, context.openedAt);
const validFiling = (e: QuarterlyReturnEvent) => e.type === 'FILE_RETURN' && FIGURES.every((f) => count(e[f]));

const reminder = ({ context }: { context: QuarterlyReturnContext }): NotifyParams => ({
  to: 'township-government',
  reason: `${context.quarter} 季度留守儿童信息更新请于 ${context.dueAt.slice(0, 10)} 之前报县民政局 / the ${context.quarter} return is due before ${context.dueAt} (长政办发〔2016〕39号 四(一))`,
  deadline: context.dueAt,
});
const FILED = ({ context }: { context: QuarterlyReturnContext }): NotifyParams => ({
  to: 'county-civil-affairs',
  reason: `${context.subject.township} 已报送 ${context.quarter} 季度更新${context.filed?.late ? '（逾期）/ late' : ''} / the ${context.quarter} return is filed: please accept (长政办发〔2016〕39号 四(一))`,
});
const OVERDUE_REASON = '乡镇未在季度最后一个月20日之前报送留守儿童信息更新 / the quarterly return was not filed before the due day (长政办发〔2016〕39号 四(一))';

export const quarterlyReturnMachine = setup({
  types: { input: {} as QuarterlyReturnInput, context: {} as QuarterlyReturnContext, events: {} as QuarterlyReturnEvent },
  delays: {
    returnReminder: untilContextInstant('remindAt'),
    returnDue: untilContextInstant('dueAt'),
  },
  guards: {
    // At opening (eventless: the time is `openedAt`).
    duePassedAtOpening: ({ context }) => notBefore(context.openedAt, context.dueAt),
    reminderPassedAtOpening: ({ context }) => notBefore(context.openedAt, context.remindAt),
    validFiling: ({ event }) => validFiling(event),
    // The due timer may not have fired yet when a return arrives at or after the due instant: still late.
    lateFiling: (args) => validFiling(args.event) && notBefore(at(args), args.context.dueAt),
  },
  actions: {
    notify: (_, _p: NotifyParams) => undefined,
    escalate: enqueueActions(({ context, enqueue }, params: { reason: string }) => {
      for (const notice of escalationNotices(context.policy, 'quarterlyReturn', params.reason)) enqueue({ type: 'notify', params: notice } as never);
    }),
    recordReminder: assign({ remindedAt: at }),
    recordOverdue: assign({ overdueAt: at }),
    recordFiling: assign({
      filed: (args) => {
        const e = args.event as FileEvent;
        const when = at(args);
        const lateByMs = msUntil(when, args.context.dueAt);
        return { newCount: e.newCount, changedCount: e.changedCount, noLongerLeftBehind: e.noLongerLeftBehind, moved: e.moved, at: when, by: e.$actor?.unitId ?? null, late: notBefore(when, args.context.dueAt), lateByMs };
      },
    }),
    recordAcceptance: assign({ acceptedAt: at, acceptedBy: ({ event }) => event.$actor?.userId ?? null }),
  },
}).createMachine({
  id: QUARTERLY_RETURN,
  context: ({ input }) => {
    const quarter = String(input.data.quarter);
    const dueAt = quarterReturnDue(quarter, input.policy.registry.quarterlyReturnDay);
    return {
      caseId: input.caseId, subject: input.subject, policy: input.policy, openedAt: input.openedAt,
      quarter, dueAt, remindAt: reminderAt(dueAt, input.policy.registry.reminderBefore),
      remindedAt: null, overdueAt: null, filed: null, acceptedAt: null, acceptedBy: null,
    };
  },
  initial: 'opening',
  states: {
    // Transient: where a case opened late starts (never a resting state).
    opening: {
      always: [
        { guard: 'duePassedAtOpening', target: 'overdue' },
        { guard: 'reminderPassedAtOpening', target: 'open.reminded', actions: ['recordReminder', { type: 'notify', params: reminder }] },
        { target: 'open' },
      ],
    },
    open: {
      initial: 'waiting',
      after: { returnDue: 'overdue' },
      on: {
        FILE_RETURN: [
          { guard: 'lateFiling', target: 'filedLate', actions: ['recordFiling', { type: 'notify', params: FILED }] },
          { guard: 'validFiling', target: 'filedOnTime', actions: ['recordFiling', { type: 'notify', params: FILED }] },
        ],
      },
      states: {
        waiting: { after: { returnReminder: { target: 'reminded', actions: ['recordReminder', { type: 'notify', params: reminder }] } } },
        reminded: {},
      },
    },
    // Missed: the chain is told (county civil affairs, the joint-meeting office); the return is still taken.
    overdue: {
      entry: ['recordOverdue', { type: 'escalate', params: { reason: OVERDUE_REASON } }],
      on: { FILE_RETURN: { guard: 'validFiling', target: 'filedLate', actions: ['recordFiling', { type: 'notify', params: FILED }] } },
    },
    filedOnTime: { on: { ACCEPT_RETURN: { target: 'accepted', actions: 'recordAcceptance' } } },
    filedLate: { on: { ACCEPT_RETURN: { target: 'accepted', actions: 'recordAcceptance' } } },
    accepted: { type: 'final' },
  },
});

const UNIT_CODE = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** A township's own return: the subject is the township (its code), the data the quarter. */
export function townshipQuarterProblems({ subject, data }: { subject: Record<string, unknown>; data: Record<string, unknown> }): OpenProblem[] {
  const problems: OpenProblem[] = [];
  if (typeof subject.township !== 'string' || !UNIT_CODE.test(subject.township)) problems.push({ field: 'subject.township', message: 'must be a township code such as maluguo' });
  if (!isQuarter(data.quarter)) problems.push({ field: 'data.quarter', message: 'must be a quarter such as 2026-Q1' });
  return problems;
}

export function quarterlyReturnDefinition(policy: ProtectionPolicy): CaseDefinition {
  return {
    ...protectionDefinition(policy, {
      id: QUARTERLY_RETURN,
      title: '季度信息更新 — quarterly registry return',
      machine: quarterlyReturnMachine,
      permissions: {
        // County civil affairs (牵头) opens each township's quarter, or the township its own.
        open: ['civil_affairs', 'township'],
        events: { FILE_RETURN: ['township'], ACCEPT_RETURN: ['civil_affairs'] },
      },
    }),
    validateOpen: townshipQuarterProblems,
  };
}
