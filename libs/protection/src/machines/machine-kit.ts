import type { AnyStateMachine } from 'xstate';
import type { CaseDefinition, CasePermissions, OpenCaseContext, OpenProblem } from '#shouhu/engine';
import type { DeadlineRule, ProtectionPolicy, UnitRole } from '../policy/policy.types';
import { delayMs, eventTime } from '../policy/deadline';

/*
 * What every protection machine shares: its input, the params of its effects, and how a named delay
 * is computed from the policy. Pure: machines import this, the policy types and xstate — nothing else.
 */

/** The child a case is about, and where the child is: the directory resolves responsible units from it. */
export interface ChildSubject {
  childId: string;
  name?: string;
  /** Township code, e.g. `maluguo`. */
  township: string;
  /** Village committee code, e.g. `maluguo-village`. */
  village?: string;
  /** School code, e.g. `maluguo-school`. */
  school?: string;
}

/** The policy values a machine carries in its context (the case keeps the version it opened under). */
export type MachinePolicy = Pick<ProtectionPolicy, 'id' | 'version' | 'deadlines' | 'escalation' | 'school' | 'registry'> & {
  triggerCodes: string[];
  temporaryGuardianshipGrounds: string[];
  revocationGrounds: string[];
  serviceUnits: string[];
};

export function machinePolicy(p: ProtectionPolicy): MachinePolicy {
  return {
    id: p.id,
    version: p.version,
    deadlines: p.deadlines,
    escalation: p.escalation,
    school: p.school,
    registry: p.registry,
    triggerCodes: p.reportTriggers.map((t) => t.code),
    temporaryGuardianshipGrounds: p.temporaryGuardianshipGrounds.map((g) => g.code),
    revocationGrounds: p.revocationGrounds.map((g) => g.code),
    serviceUnits: p.serviceUnits.map((s) => s.role),
  };
}

/** What the engine passes a protection machine when its case opens (see `protectionInput`). */
export interface ProtectionInput {
  caseId: string;
  subject: ChildSubject;
  data: Record<string, unknown>;
  policy: MachinePolicy;
  openedAt: string;
}

/** `notify`: a notification to each unit the roles resolve to, with the reason and the deadline. */
export interface NotifyParams {
  to: UnitRole | UnitRole[];
  reason: string;
  /** ISO date-time when the notice is about a deadline that is not the case's next pending one. */
  deadline?: string;
  /** Escalation notices carry the chain's name and step, so the history reads as an escalation. */
  escalation?: { chain: keyof MachinePolicy['escalation']; step: number };
}

/** `openCase`: the next mechanism for the same child, as a new case owned by `ownerRole`. */
export interface OpenCaseParams {
  type: string;
  ownerRole: UnitRole;
  reason: string;
  data: Record<string, unknown>;
}

/** Every event carries `$at` (engine time of the event); machines never read a clock. */
export interface Stamped {
  $at?: string;
  $actor?: { userId: string; unitId: string; role: string };
}

/** A named delay's value: the policy deadline counted from when the entering event happened. */
export function deadlineDelay(
  rule: (p: MachinePolicy) => DeadlineRule,
): (args: { context: { policy: MachinePolicy; openedAt: string }; event: Stamped }) => number {
  return ({ context, event }) => delayMs(rule(context.policy), eventTime(event, context.openedAt));
}

/** One `notify` per unit of the policy's escalation chain, in order (step 1 is told first). */
export function escalationNotices(policy: MachinePolicy, chain: keyof MachinePolicy['escalation'], reason: string): NotifyParams[] {
  return policy.escalation[chain].map((to, i) => ({ to, reason, escalation: { chain, step: i + 1 } }));
}

/** The machine's input from what the engine knows when a case opens: the case keeps its policy version. */
export function protectionInput(open: OpenCaseContext): ProtectionInput {
  return {
    caseId: open.caseId,
    subject: open.subject as unknown as ChildSubject,
    data: open.data,
    policy: machinePolicy(open.policy.values as unknown as ProtectionPolicy),
    openedAt: open.openedAt,
  };
}

const CHILD_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const UNIT_CODE = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** Every protection case is about one child whose township is known: the directory resolves units from it. */
export function childSubjectProblems(subject: Record<string, unknown>): OpenProblem[] {
  const problems: OpenProblem[] = [];
  if (typeof subject.childId !== 'string' || !CHILD_ID.test(subject.childId)) {
    problems.push({ field: 'subject.childId', message: 'must be the child\'s registry file number' });
  }
  if (typeof subject.township !== 'string' || !UNIT_CODE.test(subject.township)) {
    problems.push({ field: 'subject.township', message: 'must be a township code such as maluguo' });
  }
  for (const field of ['village', 'school'] as const) {
    const v = subject[field];
    if (v !== undefined && (typeof v !== 'string' || !UNIT_CODE.test(v))) problems.push({ field: `subject.${field}`, message: 'must be a unit code' });
  }
  return problems;
}

/** A protection case type under a county policy: the parts every mechanism shares. */
export function protectionDefinition(
  policy: ProtectionPolicy,
  spec: {
    id: string;
    title: string;
    machine: AnyStateMachine;
    permissions: CasePermissions;
    /** Checks of `data` beyond the child subject every protection case needs. */
    dataProblems?: (data: Record<string, unknown>) => OpenProblem[];
  },
): CaseDefinition {
  const { dataProblems, ...rest } = spec;
  return {
    ...rest,
    version: 1,
    policy: { id: policy.id, version: policy.version, values: policy as unknown as Record<string, unknown> },
    input: protectionInput,
    validateOpen: ({ subject, data }) => [...childSubjectProblems(subject), ...(dataProblems?.(data) ?? [])],
  };
}
