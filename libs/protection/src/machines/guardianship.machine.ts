import { assign, enqueueActions, setup } from 'xstate';
import type { CaseDefinition } from '#shouhu/engine';
import { eventTime } from '../policy/deadline';
import type { ProtectionPolicy, UnitRole } from '../policy/policy.types';
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
 * 监护干预 — guardianship intervention, opened by the assessment when it finds guardianship failing
 * (国发〔2016〕13号 四(四)). A failing guardian is admonished, stopped, criticised and supervised to
 * correct (劝诫、制止、批评教育、督促改正). In serious cases — danger after admonition; refusing guardianship
 * for six months or more; violence, abuse or abandonment causing serious harm — the village committee,
 * county civil affairs or another entitled applicant asks the court to revoke guardianship (Civil Code
 * Art. 36); another guardian is appointed (Minors Protection Law Art. 92–94); the court may restore the
 * former guardian (Civil Code Art. 38).
 */

export const GUARDIANSHIP = 'guardianship';
/** The ground that is a period, not a fact: it is established only when the six months have run. */
export const REFUSAL_GROUND = 'REFUSAL_SIX_MONTHS';

export type Admonisher = 'police' | 'village' | 'civil_affairs';
export type Applicant = 'civil_affairs' | 'village_committee' | 'relative' | 'school' | 'womens_federation';
export type GuardianKind = 'relative' | 'temporary-state' | 'long-term-state';
const ADMONISHERS: readonly unknown[] = ['police', 'village', 'civil_affairs'];
// Civil Code Art. 36: who may apply to the court.
const APPLICANTS: readonly unknown[] = ['civil_affairs', 'village_committee', 'relative', 'school', 'womens_federation'];
// Art. 94 long-term state guardianship; Art. 92 temporary; or a relative the court appoints (Civil Code Art. 36).
const KINDS: readonly unknown[] = ['relative', 'temporary-state', 'long-term-state'];

export interface GuardianshipContext {
  caseId: string;
  subject: ChildSubject;
  policy: MachinePolicy;
  openedAt: string;
  origin: { assessmentCaseId?: string; findings?: unknown };
  admonitions: { by: Admonisher; measures: string[]; at: string }[];
  /** Revocation grounds established so far: the court application may cite only these. */
  grounds: string[];
  refusal: { since: string; recordedAt: string } | null;
  application: { applicant: Applicant; ground: string; filedAt: string } | null;
  ruling: { result: 'revoked' | 'dismissed'; at: string } | null;
  guardian: { kind: GuardianKind; name?: string; appointedAt: string } | null;
  restoredAt: string | null;
}

export type GuardianshipEvent = Stamped &
  (
    | { type: 'ADMONISH'; by: Admonisher; measures: string[] }
    | { type: 'RECHECK'; corrected: boolean }
    | { type: 'RECORD_GROUND'; ground: string }
    | { type: 'REFUSAL_OBSERVED'; since?: string }
    | { type: 'GUARDIAN_RESUMED' | 'RESTORE' | 'CLOSE' }
    | { type: 'FILE_APPLICATION'; applicant: Applicant; ground: string }
    | { type: 'RECORD_RULING'; result: 'revoked' | 'dismissed' }
    | { type: 'APPOINT_GUARDIAN'; kind: GuardianKind; name?: string }
  );

type Ev<T extends GuardianshipEvent['type']> = GuardianshipEvent & { type: T };
type Args = { context: GuardianshipContext; event: GuardianshipEvent };

const OWNER = 'county-civil-affairs' as const;
const isText = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';
const at = ({ context, event }: Args) => eventTime(event, context.openedAt);
const ground = (event: GuardianshipEvent) => (event as { ground?: unknown }).ground;
const unique = <T>(xs: T[]): T[] => [...new Set(xs)];

/** 国发〔2016〕13号 四(四): the application is due — the owner, the village committee and the chain are told. */
const applicationDueNotice = ({ context }: Args): NotifyParams => ({
  to: unique<UnitRole>([OWNER, 'village-committee', ...context.policy.escalation.courtApplication]),
  reason: `应向法院申请撤销监护人资格 / court application to revoke guardianship is due (${context.grounds.join(', ')}; 民法典 Art. 36)`,
});
const guardianNotice = (what: string): NotifyParams => ({ to: ['township-government', 'village-committee'], reason: what });

export const guardianshipMachine = setup({
  types: { input: {} as ProtectionInput, context: {} as GuardianshipContext, events: {} as GuardianshipEvent },
  delays: {
    correctionPeriod: deadlineDelay((p) => p.deadlines.correctionPeriod),
    // Counted from the event that recorded the refusal (its `$at`), on the natural calendar: 6个月以上.
    guardianshipRefusal: deadlineDelay((p) => p.deadlines.guardianshipRefusal),
    courtApplication: deadlineDelay((p) => p.deadlines.courtApplication),
  },
  guards: {
    validAdmonition: ({ event }) => {
      const e = event as Ev<'ADMONISH'>;
      return ADMONISHERS.includes(e.by) && Array.isArray(e.measures) && e.measures.length > 0 && e.measures.every(isText);
    },
    corrected: ({ event }) => (event as Ev<'RECHECK'>).corrected === true,
    notCorrected: ({ event }) => (event as Ev<'RECHECK'>).corrected === false,
    // Any ground of the policy but the six-month refusal makes the application due at once (四(四)).
    immediateGround: ({ context, event }) => ground(event) !== REFUSAL_GROUND && context.policy.revocationGrounds.includes(ground(event) as string),
    refusalGround: ({ context, event }) => ground(event) === REFUSAL_GROUND && context.policy.revocationGrounds.includes(REFUSAL_GROUND),
    validSince: ({ event }) => {
      const since = (event as Ev<'REFUSAL_OBSERVED'>).since;
      return since === undefined || (typeof since === 'string' && /^\d{4}-\d{2}-\d{2}/.test(since));
    },
    // The application cites an established ground: six months' refusal only once the six months have run.
    validApplication: ({ context, event }) => {
      const e = event as Ev<'FILE_APPLICATION'>;
      return APPLICANTS.includes(e.applicant) && context.grounds.includes(e.ground);
    },
    revoked: ({ event }) => (event as Ev<'RECORD_RULING'>).result === 'revoked',
    dismissed: ({ event }) => (event as Ev<'RECORD_RULING'>).result === 'dismissed',
    validAppointment: ({ event }) => {
      const e = event as Ev<'APPOINT_GUARDIAN'>;
      return KINDS.includes(e.kind) && (e.name === undefined || isText(e.name));
    },
  },
  actions: {
    notify: (_, _p: NotifyParams) => undefined,
    /** One notice per unit of the policy's chain, in order, each carrying its step (1-based). */
    escalate: enqueueActions(({ context, enqueue }, params: { chain: keyof MachinePolicy['escalation']; reason: string }) => {
      for (const notice of escalationNotices(context.policy, params.chain, params.reason)) enqueue({ type: 'notify', params: notice } as never);
    }),
    recordAdmonition: assign({
      admonitions: (args) => {
        const e = args.event as Ev<'ADMONISH'>;
        return [...args.context.admonitions, { by: e.by, measures: [...e.measures], at: at(args) }];
      },
    }),
    establishGround: assign({
      grounds: ({ context, event }) => unique([...context.grounds, ground(event) as string]),
    }),
    recordRefusal: assign({
      refusal: (args) => ({ since: (args.event as Ev<'REFUSAL_OBSERVED'>).since ?? at(args), recordedAt: at(args) }),
    }),
    establishRefusal: assign({ grounds: ({ context }) => unique([...context.grounds, REFUSAL_GROUND]) }),
    clearRefusal: assign({ refusal: null }),
    recordApplication: assign({
      application: (args) => {
        const e = args.event as Ev<'FILE_APPLICATION'>;
        return { applicant: e.applicant, ground: e.ground, filedAt: at(args) };
      },
    }),
    recordRuling: assign({ ruling: (args) => ({ result: (args.event as Ev<'RECORD_RULING'>).result, at: at(args) }) }),
    recordGuardian: assign({
      guardian: (args) => {
        const e = args.event as Ev<'APPOINT_GUARDIAN'>;
        return { kind: e.kind, ...(isText(e.name) ? { name: e.name } : {}), appointedAt: at(args) };
      },
    }),
    recordRestored: assign({ restoredAt: at }),
  },
}).createMachine({
  id: GUARDIANSHIP,
  initial: 'awaitingAdmonition',
  context: ({ input }) => {
    const d = (input.data ?? {}) as { assessmentCaseId?: string; findings?: unknown };
    return {
      caseId: input.caseId,
      subject: input.subject,
      policy: input.policy,
      openedAt: input.openedAt,
      origin: { assessmentCaseId: d.assessmentCaseId, findings: d.findings },
      admonitions: [],
      grounds: [],
      refusal: null,
      application: null,
      ruling: null,
      guardian: null,
      restoredAt: null,
    };
  },
  states: {
    // 劝诫、制止、批评教育 by the police, the village committee or civil affairs.
    awaitingAdmonition: {
      on: { ADMONISH: { guard: 'validAdmonition', target: 'supervision', actions: 'recordAdmonition' } },
    },
    // 督促改正: supervised correction; when the period ends the owner is told a re-check is due.
    supervision: {
      initial: 'correcting',
      states: {
        correcting: { after: { correctionPeriod: 'recheckDue' } },
        recheckDue: { entry: { type: 'notify', params: { to: OWNER, reason: '监护改正期满，应复查 / correction period over: re-check the guardian' } } },
      },
      on: {
        RECHECK: [
          { guard: 'corrected', target: 'corrected' },
          { guard: 'notCorrected', target: 'notCorrected' },
        ],
        RECORD_GROUND: [
          { guard: 'immediateGround', target: 'applicationDue', actions: 'establishGround' },
          { guard: 'refusalGround', target: 'refusal', actions: 'recordRefusal' },
        ],
        REFUSAL_OBSERVED: { guard: 'validSince', target: 'refusal', actions: 'recordRefusal' },
      },
    },
    notCorrected: {
      on: {
        RECORD_GROUND: [
          { guard: 'immediateGround', target: 'applicationDue', actions: 'establishGround' },
          { guard: 'refusalGround', target: 'refusal', actions: 'recordRefusal' },
        ],
        REFUSAL_OBSERVED: { guard: 'validSince', target: 'refusal', actions: 'recordRefusal' },
      },
    },
    // 拒不履行监护职责6个月以上: the six months run by themselves; the application then falls due unasked.
    refusal: {
      after: { guardianshipRefusal: { target: 'applicationDue', actions: 'establishRefusal' } },
      on: {
        GUARDIAN_RESUMED: { target: 'supervision', actions: 'clearRefusal' },
        RECORD_GROUND: { guard: 'immediateGround', target: 'applicationDue', actions: 'establishGround' },
      },
    },
    applicationDue: {
      entry: { type: 'notify', params: applicationDueNotice },
      initial: 'inTime',
      states: {
        inTime: { after: { courtApplication: 'overdue' } },
        overdue: {
          entry: { type: 'escalate', params: { chain: 'courtApplication', reason: '撤销监护申请逾期 / court application not filed in time (民法典 Art. 36)' } },
        },
      },
      on: { FILE_APPLICATION: { guard: 'validApplication', target: 'awaitingRuling', actions: 'recordApplication' } },
    },
    awaitingRuling: {
      on: {
        RECORD_RULING: [
          { guard: 'revoked', target: 'revoked', actions: 'recordRuling' },
          // Dismissed: the guardian stays, under supervision again for a new correction period.
          { guard: 'dismissed', target: 'supervision', actions: 'recordRuling' },
        ],
      },
    },
    // Until a guardian is appointed civil affairs holds temporary guardianship (Minors Protection Law Art. 92).
    revoked: {
      on: {
        APPOINT_GUARDIAN: {
          guard: 'validAppointment',
          target: 'appointed',
          actions: ['recordGuardian', { type: 'notify', params: guardianNotice('另行指定监护人 / a new guardian is appointed (民法典 Art. 36; 未成年人保护法 Art. 94)') }],
        },
      },
    },
    appointed: {
      on: {
        // Civil Code Art. 38: the court may restore a parent who has truly reformed.
        RESTORE: {
          target: 'restored',
          actions: ['recordRestored', { type: 'notify', params: guardianNotice('恢复监护人资格 / former guardian restored by the court (民法典 Art. 38)') }],
        },
        CLOSE: { target: 'closed' },
      },
    },
    restored: { on: { CLOSE: { target: 'closed' } } },
    corrected: { on: { CLOSE: { target: 'closed' } } },
    closed: { type: 'final' },
  },
});

export function guardianshipDefinition(policy: ProtectionPolicy): CaseDefinition {
  const ca = ['civil_affairs'];
  return protectionDefinition(policy, {
    id: GUARDIANSHIP,
    title: '监护干预 — guardianship intervention',
    machine: guardianshipMachine,
    permissions: {
      // Opened by the assessment's openCase (the engine's system actor) or by civil affairs.
      open: ca,
      events: {
        ADMONISH: ['police', 'village', 'civil_affairs'],
        RECHECK: ['civil_affairs', 'village'],
        // Police who find serious harm, the village committee or civil affairs name the ground.
        RECORD_GROUND: ['civil_affairs', 'village', 'police'],
        REFUSAL_OBSERVED: ['civil_affairs', 'village'],
        GUARDIAN_RESUMED: ['civil_affairs', 'village'],
        FILE_APPLICATION: ['civil_affairs', 'village'],
        RECORD_RULING: ca,
        APPOINT_GUARDIAN: ca,
        RESTORE: ca,
        CLOSE: ca,
      },
    },
  });
}
