import { assign, enqueueActions, setup } from 'xstate';
import type { CaseDefinition } from '#shouhu/engine';
import { dueAt, eventTime } from '../policy/deadline';
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
 * 评估帮扶 — assessment and assistance, opened by the emergency case's handover (国发〔2016〕13号 四(三)).
 * County civil affairs, with the township, assesses the child's safety, physical and mental health and
 * family guardianship; builds an assistance plan the supervisor approves; refers service units
 * (长政办发〔2016〕39号 四(二)4-5); follows up; and returns the child home only once the guardian is found
 * able again (Minors Protection Law Art. 93). A failing guardian opens guardianship intervention (四(四)).
 */

export const ASSESSMENT = 'assessment';

export type Safety = 'safe' | 'at-risk';
export type GuardianshipFinding = 'able' | 'unable' | 'failing';
export type Placement = 'home' | 'temporary-care' | 'long-term-care';
type ServiceRole = `service:${string}`;

/** `escalated`: its answer deadline was missed and escalated, so it no longer holds the referral timer. */
export interface Referral {
  service: ServiceRole;
  status: 'pending' | 'accepted' | 'declined';
  sentAt: string;
  escalated: boolean;
  answer?: { at: string; by?: string; reason?: string };
  replacedBy?: ServiceRole;
}

export interface AssessmentFindings { safety: Safety; health: string; guardianship: GuardianshipFinding; at: string }

export interface AssessmentContext {
  caseId: string;
  subject: ChildSubject;
  policy: MachinePolicy;
  openedAt: string;
  origin: { emergencyCaseId?: string; reportCaseId?: string; ground?: string };
  placement: Placement;
  assessment: AssessmentFindings | null;
  plan: { goals: string[]; referrals: ServiceRole[]; submittedAt: string; approvedAt?: string } | null;
  referrals: Referral[];
  lastVisitAt: string | null;
  interventionRequestedAt: string | null;
}

export type AssessmentEvent = Stamped &
  (
    | { type: 'SUBMIT_ASSESSMENT'; safety: Safety; health: string; guardianship: GuardianshipFinding }
    | { type: 'SUBMIT_PLAN'; goals: string[]; referrals: ServiceRole[] }
    | { type: 'APPROVE_PLAN' | 'RETURN_HOME' | 'RECORD_LONG_TERM_CARE' | 'APPROVE_CLOSURE' }
    | { type: 'REJECT_PLAN' | 'REJECT_CLOSURE'; reason: string }
    | { type: 'REFERRAL_ACCEPTED' | 'REFERRAL_DECLINED'; service: ServiceRole; reason?: string }
    | { type: 'ADD_REFERRAL'; service: ServiceRole; replaces?: ServiceRole }
    | { type: 'FOLLOW_UP_VISIT'; notes: string }
    | { type: 'REASSESS'; guardianship: GuardianshipFinding; safety?: Safety; health?: string }
    | { type: 'START_INTERVENTION' | 'REQUEST_CLOSURE'; reason?: string }
  );

type Chain = keyof MachinePolicy['escalation'];
type Ev<T extends AssessmentEvent['type']> = AssessmentEvent & { type: T };
type Args = { context: AssessmentContext; event: AssessmentEvent };

const OWNER = 'county-civil-affairs' as const;
const FOLLOW_UP_NOTICE: NotifyParams = { to: [OWNER, 'township-government'], reason: '随访到期 / follow-up visit due (长政办发〔2016〕39号 四(二)2)' };
const FINDINGS: readonly unknown[] = ['able', 'unable', 'failing'];
const isText = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';
const at = ({ context, event }: Args) => eventTime(event, context.openedAt);
const ev = <T extends AssessmentEvent['type']>(e: AssessmentEvent, ...types: T[]): Ev<T> | undefined =>
  (types as string[]).includes(e.type) ? (e as Ev<T>) : undefined;

// Each referral must be answered within `referralAnswer` of being sent (长政办发〔2016〕39号 四(二)4-5).
const openReferrals = (c: AssessmentContext) => c.referrals.filter((r) => r.status === 'pending' && !r.escalated);
const dueMs = (c: AssessmentContext, r: Referral) => dueAt(c.policy.deadlines.referralAnswer, r.sentAt).toMillis();
/** Open referrals past their deadline at the event (at least the earliest: the timer fires for it). */
function lateReferrals(args: Args): Referral[] {
  const open = openReferrals(args.context);
  // Date.parse reads the event's own time stamp, never a clock.
  const cutoff = Math.max(Date.parse(at(args)), Math.min(...open.map((r) => dueMs(args.context, r))));
  return open.filter((r) => dueMs(args.context, r) <= cutoff);
}
const lateNotice = (args: Args) => ({
  chain: 'referralAnswer' as const,
  reason: `转介未按期答复 / referral not answered in time: ${lateReferrals(args).map((r) => r.service).join(', ')}`,
});
const referralDelay = deadlineDelay((p) => p.deadlines.referralAnswer);
const referralNotice = (context: AssessmentContext, service: ServiceRole): NotifyParams => ({
  to: service,
  reason: `帮扶转介 / assistance referral from case ${context.caseId}: accept or decline (长政办发〔2016〕39号 四(二))`,
});
const declinedNotice = ({ event }: { event: AssessmentEvent }): NotifyParams => ({
  to: OWNER,
  reason: `转介被拒 / referral declined by ${(event as Ev<'REFERRAL_DECLINED'>).service}: add another service unit`,
});
const interventionCase = ({ context, event }: Args): OpenCaseParams => ({
  type: 'guardianship',
  ownerRole: OWNER,
  reason: ev(event, 'START_INTERVENTION')?.reason || '评估发现监护失职 / assessment found guardianship failing (国发〔2016〕13号 四(四))',
  data: { assessmentCaseId: context.caseId, findings: context.assessment },
});
const replaceable = (c: AssessmentContext, e: Ev<'ADD_REFERRAL'>) =>
  c.referrals.findIndex((r) => r.status === 'declined' && !r.replacedBy && (e.replaces === undefined || r.service === e.replaces));

export const assessmentMachine = setup({
  types: { input: {} as ProtectionInput, context: {} as AssessmentContext, events: {} as AssessmentEvent },
  delays: {
    assessment: deadlineDelay((p) => p.deadlines.assessment),
    planApproval: deadlineDelay((p) => p.deadlines.planApproval),
    followUpEvery: deadlineDelay((p) => p.deadlines.followUpEvery),
    // Armed for the earliest open referral; re-armed whenever one is answered, added or escalated.
    referralAnswer: (args) => {
      const open = openReferrals(args.context);
      if (open.length === 0) return referralDelay(args);
      return Math.max(0, Math.min(...open.map((r) => dueMs(args.context, r))) - Date.parse(at(args)));
    },
  },
  guards: {
    validAssessment: ({ event }) => {
      const e = ev(event, 'SUBMIT_ASSESSMENT');
      return !!e && (e.safety === 'safe' || e.safety === 'at-risk') && isText(e.health) && FINDINGS.includes(e.guardianship);
    },
    // Goals, and referrals only to service units the county's policy names (国发〔2016〕13号 四(三)).
    validPlan: ({ context, event }) => {
      const e = ev(event, 'SUBMIT_PLAN');
      if (!e || !Array.isArray(e.goals) || e.goals.length === 0 || !e.goals.every(isText) || !Array.isArray(e.referrals)) return false;
      return e.referrals.every((s) => context.policy.serviceUnits.includes(s)) && new Set(e.referrals).size === e.referrals.length;
    },
    hasReason: ({ event }) => isText(ev(event, 'REJECT_PLAN', 'REJECT_CLOSURE')?.reason),
    referralPending: ({ context, event }) => {
      const e = ev(event, 'REFERRAL_ACCEPTED', 'REFERRAL_DECLINED');
      return !!e && context.referrals.some((r) => r.service === e.service && r.status === 'pending');
    },
    // Only a declined referral is replaced, by a policy service unit not already on the case.
    validReplacement: ({ context, event }) => {
      const e = ev(event, 'ADD_REFERRAL');
      if (!e || !context.policy.serviceUnits.includes(e.service)) return false;
      return !context.referrals.some((r) => r.service === e.service && r.status !== 'declined') && replaceable(context, e) >= 0;
    },
    noOpenReferral: ({ context }) => openReferrals(context).length === 0,
    hasOpenReferral: ({ context }) => openReferrals(context).length > 0,
    hasNotes: ({ event }) => isText(ev(event, 'FOLLOW_UP_VISIT')?.notes),
    validReassessment: ({ event }) => FINDINGS.includes(ev(event, 'REASSESS')?.guardianship),
    // Minors Protection Law Art. 93: home only after civil affairs assesses the guardian able again.
    guardianAble: ({ context }) => context.assessment?.guardianship === 'able' && context.placement !== 'home',
    notInLongTermCare: ({ context }) => context.placement !== 'long-term-care',
    // 国发〔2016〕13号 四(四): a failing guardian goes to guardianship intervention (one case per assessment).
    guardianshipFailing: ({ context }) => context.assessment?.guardianship === 'failing' && context.interventionRequestedAt === null,
    // Closure once the child is settled: home with a guardian found able (Art. 93), or in long-term state care (Art. 94).
    childSettled: ({ context }) =>
      context.placement === 'long-term-care' || (context.placement === 'home' && context.assessment?.guardianship === 'able'),
  },
  actions: {
    notify: (_, _p: NotifyParams) => undefined,
    openCase: (_, _p: OpenCaseParams) => undefined,
    /** One notice per unit of the policy's chain, in order, each carrying its step (1-based). */
    escalate: enqueueActions(({ context, enqueue }, params: { chain: Chain; reason: string }) => {
      for (const notice of escalationNotices(context.policy, params.chain, params.reason)) enqueue({ type: 'notify', params: notice } as never);
    }),
    // A reassessment may restate only the guardianship; the other findings carry over.
    recordAssessment: assign({
      assessment: (args) => {
        const e = args.event as Ev<'SUBMIT_ASSESSMENT' | 'REASSESS'>;
        const prev = args.context.assessment;
        const safety = e.safety === 'safe' || e.safety === 'at-risk' ? e.safety : prev!.safety;
        return { safety, health: isText(e.health) ? e.health : prev!.health, guardianship: e.guardianship, at: at(args) };
      },
    }),
    recordPlan: assign({
      plan: (args) => {
        const e = args.event as Ev<'SUBMIT_PLAN'>;
        return { goals: [...e.goals], referrals: [...e.referrals], submittedAt: at(args) };
      },
    }),
    approvePlan: assign((args) => ({
      plan: { ...args.context.plan!, approvedAt: at(args) },
      referrals: args.context.plan!.referrals.map((service) => ({ service, status: 'pending' as const, sentAt: at(args), escalated: false })),
    })),
    // One notice per service unit: each answers its own referral.
    sendReferrals: enqueueActions(({ context, enqueue }) => {
      context.referrals.forEach((r) => enqueue({ type: 'notify', params: referralNotice(context, r.service) } as never));
    }),
    recordAnswer: assign({
      referrals: (args) => {
        const e = args.event as Ev<'REFERRAL_ACCEPTED' | 'REFERRAL_DECLINED'>;
        const status = e.type === 'REFERRAL_ACCEPTED' ? ('accepted' as const) : ('declined' as const);
        const answer = { at: at(args), by: e.$actor?.unitId, ...(isText(e.reason) ? { reason: e.reason } : {}) };
        return args.context.referrals.map((r) => (r.service === e.service && r.status === 'pending' ? { ...r, status, answer } : r));
      },
    }),
    addReferral: assign({
      referrals: (args) => {
        const e = args.event as Ev<'ADD_REFERRAL'>;
        const i = replaceable(args.context, e);
        const kept = args.context.referrals.map((r, j) => (j === i ? { ...r, replacedBy: e.service } : r));
        return [...kept, { service: e.service, status: 'pending' as const, sentAt: at(args), escalated: false }];
      },
    }),
    markEscalated: assign({
      referrals: (args) => {
        const late = lateReferrals(args);
        return args.context.referrals.map((r) => (late.includes(r) ? { ...r, escalated: true } : r));
      },
    }),
    // The visit's notes stay in the case history (the event payload); the context keeps what the rhythm needs.
    recordVisit: assign({ lastVisitAt: at }),
    returnHome: assign({ placement: 'home' as Placement }),
    placeLongTerm: assign({ placement: 'long-term-care' as Placement }),
    markIntervention: assign({ interventionRequestedAt: at }),
  },
}).createMachine({
  id: ASSESSMENT,
  initial: 'assessing',
  context: ({ input }) => {
    const d = (input.data ?? {}) as { emergencyCaseId?: string; reportCaseId?: string; placement?: unknown; ground?: string };
    return {
      caseId: input.caseId,
      subject: input.subject,
      policy: input.policy,
      openedAt: input.openedAt,
      origin: { emergencyCaseId: d.emergencyCaseId, reportCaseId: d.reportCaseId, ground: d.ground },
      // Anything but a stated 'home' is temporary care: the child goes home only through RETURN_HOME (Art. 93).
      placement: d.placement === 'home' ? 'home' : 'temporary-care',
      assessment: null,
      plan: null,
      referrals: [],
      lastVisitAt: null,
      interventionRequestedAt: null,
    };
  },
  on: {
    // 国发〔2016〕13号 四(四): intervention runs as its own case; the assessment goes on.
    START_INTERVENTION: {
      guard: 'guardianshipFailing',
      actions: [{ type: 'openCase', params: interventionCase }, 'markIntervention'],
    },
  },
  states: {
    assessing: {
      initial: 'inTime',
      states: {
        inTime: { after: { assessment: 'overdue' } },
        overdue: {
          entry: { type: 'escalate', params: { chain: 'assessment', reason: '评估逾期 / assessment not finished in time (国发〔2016〕13号 四(三))' } },
        },
      },
      on: { SUBMIT_ASSESSMENT: { guard: 'validAssessment', target: 'planning', actions: 'recordAssessment' } },
    },
    planning: { on: { SUBMIT_PLAN: { guard: 'validPlan', target: 'awaitingPlanApproval', actions: 'recordPlan' } } },
    awaitingPlanApproval: {
      initial: 'inTime',
      states: {
        inTime: { after: { planApproval: 'overdue' } },
        overdue: { entry: { type: 'notify', params: { to: OWNER, reason: '帮扶方案审批逾期 / assistance plan not approved in time' } } },
      },
      on: {
        APPROVE_PLAN: { target: 'assisting', actions: ['approvePlan', 'sendReferrals'] },
        REJECT_PLAN: { guard: 'hasReason', target: 'planning' },
      },
    },
    assisting: {
      type: 'parallel',
      on: {
        REASSESS: { guard: 'validReassessment', actions: 'recordAssessment' },
        RETURN_HOME: { guard: 'guardianAble', actions: 'returnHome' },
        RECORD_LONG_TERM_CARE: { guard: 'notInLongTermCare', actions: 'placeLongTerm' },
        REQUEST_CLOSURE: { guard: 'childSettled', target: 'awaitingClosureApproval' },
      },
      states: {
        // 长政办发〔2016〕39号 四(二)2 home visits: the reminder re-arms itself until assistance ends; a visit restarts it.
        followUp: {
          initial: 'waiting',
          states: {
            waiting: {
              after: { followUpEvery: { target: 'waiting', reenter: true, actions: { type: 'notify', params: FOLLOW_UP_NOTICE } } },
              on: { FOLLOW_UP_VISIT: { guard: 'hasNotes', target: 'waiting', reenter: true, actions: 'recordVisit' } },
            },
          },
        },
        referrals: {
          initial: 'awaiting',
          on: {
            REFERRAL_ACCEPTED: { guard: 'referralPending', target: '.awaiting', actions: 'recordAnswer' },
            REFERRAL_DECLINED: { guard: 'referralPending', target: '.awaiting', actions: ['recordAnswer', { type: 'notify', params: declinedNotice }] },
            ADD_REFERRAL: {
              guard: 'validReplacement',
              target: '.awaiting',
              actions: ['addReferral', { type: 'notify', params: ({ context, event }) => referralNotice(context, (event as Ev<'ADD_REFERRAL'>).service) }],
            },
          },
          states: {
            awaiting: {
              always: { guard: 'noOpenReferral', target: 'settled' },
              after: { referralAnswer: { target: 'awaiting', reenter: true, actions: [{ type: 'escalate', params: lateNotice }, 'markEscalated'] } },
            },
            settled: { always: { guard: 'hasOpenReferral', target: 'awaiting' } },
          },
        },
      },
    },
    awaitingClosureApproval: { on: { APPROVE_CLOSURE: { target: 'closed' }, REJECT_CLOSURE: { guard: 'hasReason', target: 'assisting' } } },
    closed: { type: 'final', entry: { type: 'notify', params: { to: 'township-government', reason: '评估帮扶结案 / assessment and assistance case closed' } } },
  },
});

const CA = ['civil_affairs'];
const SUPERVISOR = ['civil_affairs_supervisor'];

export function assessmentDefinition(policy: ProtectionPolicy): CaseDefinition {
  return protectionDefinition(policy, {
    id: ASSESSMENT,
    title: '评估帮扶 — assessment and assistance',
    machine: assessmentMachine,
    permissions: {
      // Opened by the emergency case's openCase (the engine's system actor) or by civil affairs.
      open: CA,
      events: {
        SUBMIT_ASSESSMENT: ['civil_affairs', 'township'],
        SUBMIT_PLAN: CA,
        APPROVE_PLAN: SUPERVISOR,
        REJECT_PLAN: SUPERVISOR,
        REFERRAL_ACCEPTED: ['service'],
        REFERRAL_DECLINED: ['service'],
        ADD_REFERRAL: CA,
        // 长政办发〔2016〕39号 四(二)2: cadres, child directors and social workers visit.
        FOLLOW_UP_VISIT: ['civil_affairs', 'township', 'village', 'child_director', 'social_worker'],
        REASSESS: ['civil_affairs', 'township'],
        RETURN_HOME: CA,
        RECORD_LONG_TERM_CARE: CA,
        START_INTERVENTION: CA,
        REQUEST_CLOSURE: CA,
        APPROVE_CLOSURE: SUPERVISOR,
        REJECT_CLOSURE: SUPERVISOR,
      },
    },
  });
}
