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
 * 强制报告 — the mandatory report. An obliged reporter tells the township police station; the station
 * accepts at once, goes out at once (which opens the emergency case), tells the reporter how the case
 * stands within 3 days of accepting it, and tells the reporter the outcome when it concludes.
 * A mandatory report is always accepted: there is no rejection path.
 */

export const MANDATORY_REPORT = 'mandatory-report';

/** Where the emergency case starts; see `situationOf`. */
export type Situation = 'alone' | 'missing' | 'harm' | 'guardian-unable';

export interface ReportContext {
  caseId: string;
  subject: ChildSubject;
  triggers: string[];
  description: string;
  // The reporter's identity stays in the case data (confidential, 2020 opinion); notices go to the role 'reporter'.
  policy: MachinePolicy;
  openedAt: string;
  acceptedAt: string | null;
  dispatchedAt: string | null;
  feedbackAt: string | null;
  feedback: string | null;
  outcome: string | null;
  concludedAt: string | null;
}

export type ReportEvent =
  | ({ type: 'ACCEPT'; note?: string } & Stamped)
  | ({ type: 'DISPATCH'; note?: string } & Stamped)
  | ({ type: 'GIVE_FEEDBACK'; summary: string } & Stamped)
  | ({ type: 'CONCLUDE'; outcome: string } & Stamped);

type Chain = keyof MachinePolicy['escalation'];

const MISSING = new Set(['MISSING', 'S7_MISSING_TRAFFICKED']);
const HARM = new Set([
  'FAMILY_VIOLENCE',
  'INJURY_OR_HARM',
  'S1_PRIVATE_PARTS_INJURY',
  'S2_GIRL_UNDER14_ASSAULT',
  'S3_GIRL_14PLUS_PREGNANT_ASSAULT',
  'S4_SIGNS_OF_ABUSE',
  'S5_ABNORMAL_DISABILITY_DEATH',
  'S9_OTHER_SERIOUS_HARM',
]);

/**
 * The emergency path the triggers call for. When several apply, a missing child is searched for first
 * (nothing else can happen until the child is found), then a child facing harm is protected first
 * (国发〔2016〕13号 四(二)), then a child living alone gets a guardian; anything else is a guardian
 * unable or not performing.
 */
export function situationOf(triggers: readonly string[]): Situation {
  if (triggers.some((t) => MISSING.has(t))) return 'missing';
  if (triggers.some((t) => HARM.has(t))) return 'harm';
  if (triggers.includes('ALONE_NO_GUARDIAN')) return 'alone';
  return 'guardian-unable';
}

const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');

// The notices to the reporter: accepted (at once), progress (art. 12), outcome (Minors Protection Law Art. 11).
const accepted = ({ context }: { context: ReportContext }): NotifyParams => ({
  to: 'reporter',
  reason: `报告已受理 / your report was accepted at ${context.acceptedAt}`,
});
const progress = ({ context }: { context: ReportContext }): NotifyParams => ({
  to: 'reporter',
  reason: `案件进展 / how the case stands (2020 强制报告意见 第十二条): ${context.feedback}`,
});
const outcome = ({ context }: { context: ReportContext }): NotifyParams => ({
  to: 'reporter',
  reason: `处理结果 / outcome (未成年人保护法 第十一条): ${context.outcome}`,
});
const emergency = ({ context }: { context: ReportContext }): OpenCaseParams => ({
  type: 'emergency',
  ownerRole: 'township-police',
  reason: '出警调查，应急处置 / police on scene: emergency handling (国发〔2016〕13号 四(二))',
  data: { reportCaseId: context.caseId, situation: situationOf(context.triggers), triggers: context.triggers },
});

export const mandatoryReportMachine = setup({
  types: {
    input: {} as ProtectionInput,
    context: {} as ReportContext,
    events: {} as ReportEvent,
  },
  delays: {
    reportAccept: deadlineDelay((p) => p.deadlines.reportAccept),
    dispatch: deadlineDelay((p) => p.deadlines.dispatch),
    reportFeedback: deadlineDelay((p) => p.deadlines.reportFeedback),
  },
  guards: {
    hasSummary: ({ event }) => event.type === 'GIVE_FEEDBACK' && text(event.summary) !== '',
    hasOutcome: ({ event }) => event.type === 'CONCLUDE' && text(event.outcome) !== '',
  },
  actions: {
    notify: (_, _p: NotifyParams) => undefined,
    openCase: (_, _p: OpenCaseParams) => undefined,
    /**
     * One notice per unit of the policy's chain, in order, each carrying its step (1-based). The chain's
     * length is data, hence enqueueActions: it leaves only the `notify` actions in XState's output.
     */
    escalate: enqueueActions(({ context, enqueue }, params: { chain: Chain; reason: string }) => {
      for (const notice of escalationNotices(context.policy, params.chain, params.reason)) enqueue({ type: 'notify', params: notice } as never);
    }),
    recordAcceptance: assign({ acceptedAt: ({ context, event }) => eventTime(event, context.openedAt) }),
    recordDispatch: assign({ dispatchedAt: ({ context, event }) => eventTime(event, context.openedAt) }),
    recordFeedback: assign({
      feedbackAt: ({ context, event }) => eventTime(event, context.openedAt),
      feedback: ({ event }) => (event.type === 'GIVE_FEEDBACK' ? text(event.summary) : null),
    }),
    recordOutcome: assign({
      outcome: ({ event }) => (event.type === 'CONCLUDE' ? text(event.outcome) : null),
      concludedAt: ({ context, event }) => eventTime(event, context.openedAt),
      // Concluding without earlier feedback: the outcome notice is the feedback (2020 opinion art. 12).
      feedbackAt: ({ context, event }) => context.feedbackAt ?? eventTime(event, context.openedAt),
    }),
  },
}).createMachine({
  id: MANDATORY_REPORT,
  initial: 'awaitingAcceptance',
  context: ({ input }) => {
    const data = input.data ?? {};
    return {
      caseId: input.caseId,
      subject: input.subject,
      triggers: Array.isArray(data.triggers) ? data.triggers.filter((t): t is string => typeof t === 'string') : [],
      description: text(data.description),
      policy: input.policy,
      openedAt: input.openedAt,
      acceptedAt: null,
      dispatchedAt: null,
      feedbackAt: null,
      feedback: null,
      outcome: null,
      concludedAt: null,
    };
  },
  states: {
    // 国发〔2016〕13号 四(一): the police accept a report at once (第一时间); the county counts reportAccept.
    awaitingAcceptance: {
      entry: {
        type: 'notify',
        params: { to: 'township-police', reason: '收到强制报告，请立即受理 / mandatory report received: accept it at once (国发〔2016〕13号 四(一))' },
      },
      after: {
        reportAccept: {
          target: 'acceptanceOverdue',
          actions: {
            type: 'escalate',
            params: { chain: 'reportAccept', reason: '强制报告超时未受理 / mandatory report not accepted in time (国发〔2016〕13号 四(一))' },
          },
        },
      },
      on: { ACCEPT: { target: 'handling', actions: ['recordAcceptance', { type: 'notify', params: accepted }] } },
    },
    // Escalated, and still waiting: the report must be accepted all the same.
    acceptanceOverdue: {
      on: { ACCEPT: { target: 'handling', actions: ['recordAcceptance', { type: 'notify', params: accepted }] } },
    },
    // Going out and telling the reporter are separate duties with separate clocks, both from acceptance.
    handling: {
      type: 'parallel',
      states: {
        work: {
          initial: 'awaitingDispatch',
          states: {
            // 国发〔2016〕13号 四(二): 第一时间出警调查.
            awaitingDispatch: {
              after: {
                dispatch: {
                  target: 'dispatchOverdue',
                  actions: {
                    type: 'notify',
                    params: { to: 'county-psb', reason: '受理后超时未出警 / no dispatch in time after acceptance (国发〔2016〕13号 四(二))' },
                  },
                },
              },
              on: { DISPATCH: { target: 'dispatched', actions: ['recordDispatch', { type: 'openCase', params: emergency }] } },
            },
            dispatchOverdue: {
              on: { DISPATCH: { target: 'dispatched', actions: ['recordDispatch', { type: 'openCase', params: emergency }] } },
            },
            dispatched: {
              on: {
                // Only after going out can the case conclude; leaving `handling` ends the feedback clock.
                CONCLUDE: { target: `#${MANDATORY_REPORT}.concluded`, guard: 'hasOutcome', actions: ['recordOutcome', { type: 'notify', params: outcome }] },
              },
            },
          },
        },
        feedback: {
          initial: 'awaitingFeedback',
          states: {
            // 2020 opinion art. 12: tell the reporting unit how the case stands within 3 days of accepting it.
            awaitingFeedback: {
              after: {
                reportFeedback: {
                  target: 'feedbackOverdue',
                  actions: {
                    type: 'escalate',
                    params: { chain: 'reportFeedback', reason: '受案后3日内未向报告单位反馈 / no feedback to the reporter within 3 days (2020 强制报告意见 第十二条)' },
                  },
                },
              },
              on: { GIVE_FEEDBACK: { target: 'feedbackGiven', guard: 'hasSummary', actions: ['recordFeedback', { type: 'notify', params: progress }] } },
            },
            feedbackOverdue: {
              on: { GIVE_FEEDBACK: { target: 'feedbackGiven', guard: 'hasSummary', actions: ['recordFeedback', { type: 'notify', params: progress }] } },
            },
            feedbackGiven: {},
          },
        },
      },
    },
    concluded: { type: 'final' },
  },
});

export function mandatoryReportDefinition(policy: ProtectionPolicy): CaseDefinition {
  const police = ['police'];
  return protectionDefinition(policy, {
    id: MANDATORY_REPORT,
    title: '强制报告 — mandatory report',
    machine: mandatoryReportMachine,
    permissions: {
      // 国发〔2016〕13号 四(一): the obliged reporters; police and civil affairs may also file what they find.
      open: [...policy.obligedReporterRoles, 'police', 'civil_affairs'],
      events: { ACCEPT: police, DISPATCH: police, GIVE_FEEDBACK: police, CONCLUDE: police },
    },
    // A report names at least one coded situation of the policy and says what was seen.
    dataProblems: (data) => {
      const known = new Set(policy.reportTriggers.map((t) => t.code));
      const triggers = data.triggers;
      const problems = [];
      if (!Array.isArray(triggers) || triggers.length === 0 || !triggers.every((t) => typeof t === 'string' && known.has(t))) {
        problems.push({ field: 'data.triggers', message: 'must list one or more trigger codes of the policy' });
      }
      if (typeof data.description !== 'string' || data.description.trim() === '') {
        problems.push({ field: 'data.description', message: 'must say what was seen' });
      }
      return problems;
    },
  });
}
