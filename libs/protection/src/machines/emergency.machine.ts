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
 * 应急处置 — emergency handling, opened by the mandatory report when the police go out.
 * 国发〔2016〕13号 四(二): a missing child is searched for; a child facing violence or harm is protected
 * first; for a child living alone the parents are ordered back or an entrusted guardian is named and
 * the parents admonished (训诫); if nobody can be reached in time, the child goes into temporary care at a
 * relief or welfare institution (Minors Protection Law Art. 92). Then the child is handed over to
 * civil affairs for assessment (四(三)).
 */

export const EMERGENCY = 'emergency';

export type EmergencySituation = 'alone' | 'missing' | 'harm' | 'guardian-unable';
const SITUATIONS: readonly EmergencySituation[] = ['alone', 'missing', 'harm', 'guardian-unable'];

export interface GuardianOrder {
  guardian: 'parents' | 'entrusted';
  guardianName: string;
  orderedAt: string;
}

export interface TemporaryCare {
  ground: string;
  institution: string;
  placedAt: string;
}

export interface EmergencyContext {
  caseId: string;
  subject: ChildSubject;
  reportCaseId: string;
  situation: EmergencySituation;
  triggers: string[];
  policy: MachinePolicy;
  openedAt: string;
  foundAt: string | null;
  protectedAt: string | null;
  protection: string | null;
  order: GuardianOrder | null;
  guardianInPlaceAt: string | null;
  care: TemporaryCare | null;
  handedOverAt: string | null;
}

export type EmergencyEvent =
  | ({ type: 'SEARCH'; note?: string } & Stamped)
  | ({ type: 'FOUND'; location?: string } & Stamped)
  | ({ type: 'PROTECT'; measures?: string } & Stamped)
  | ({ type: 'ORDER_GUARDIAN'; guardian: 'parents' | 'entrusted'; guardianName: string; admonished: boolean } & Stamped)
  | ({ type: 'GUARDIAN_IN_PLACE'; note?: string } & Stamped)
  | ({ type: 'TEMPORARY_CARE'; ground: string; institution: string } & Stamped)
  | ({ type: 'HANDOVER'; note?: string } & Stamped);

type Chain = keyof MachinePolicy['escalation'];
type Args = { context: EmergencyContext; event: EmergencyEvent };

const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');
const at = ({ context, event }: Args) => eventTime(event, context.openedAt);

// An order is valid only with the guardian's kind and name and the parents admonished (训诫), 四(二).
const validOrder = ({ event }: Args) =>
  event.type === 'ORDER_GUARDIAN' &&
  (event.guardian === 'parents' || event.guardian === 'entrusted') &&
  text(event.guardianName) !== '' &&
  event.admonished === true;
// Temporary guardianship needs one of the Art. 92 grounds the policy lists, and where the child is.
const validCare = ({ context, event }: Args) =>
  event.type === 'TEMPORARY_CARE' &&
  context.policy.temporaryGuardianshipGrounds.includes(event.ground) &&
  text(event.institution) !== '';
// Straight from the scene, guardianship can be arranged only when the child is neither missing nor harmed.
const arrangeable = ({ context }: Args) => context.situation === 'alone' || context.situation === 'guardian-unable';

const careNotice = ({ context }: { context: EmergencyContext }): NotifyParams => ({
  to: ['county-civil-affairs', 'welfare-institution'],
  reason: `儿童临时监护安置 / child placed in temporary care at ${context.care?.institution} (未成年人保护法 第九十二条 ${context.care?.ground})`,
});
const assessment = ({ context }: { context: EmergencyContext }): OpenCaseParams => ({
  type: 'assessment',
  ownerRole: 'county-civil-affairs',
  reason: '移交民政部门评估帮扶 / handed over to civil affairs for assessment (国发〔2016〕13号 四(三))',
  data: {
    emergencyCaseId: context.caseId,
    reportCaseId: context.reportCaseId,
    placement: context.care ? 'temporary-care' : 'home',
    ...(context.care ? { ground: context.care.ground } : {}),
  },
});

export const emergencyMachine = setup({
  types: {
    input: {} as ProtectionInput,
    context: {} as EmergencyContext,
    events: {} as EmergencyEvent,
  },
  delays: {
    guardianInPlace: deadlineDelay((p) => p.deadlines.guardianInPlace),
  },
  guards: {
    isMissing: ({ context }) => context.situation === 'missing',
    notMissing: ({ context }) => context.situation !== 'missing',
    validOrder,
    validCare,
    arrangeableOrder: (args) => arrangeable(args) && validOrder(args),
    arrangeableCare: (args) => arrangeable(args) && validCare(args),
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
    recordFound: assign({ foundAt: at }),
    recordProtection: assign({
      protectedAt: at,
      protection: ({ event }) => (event.type === 'PROTECT' ? text(event.measures) || null : null),
    }),
    recordOrder: assign({
      order: (args) =>
        args.event.type === 'ORDER_GUARDIAN'
          ? { guardian: args.event.guardian, guardianName: text(args.event.guardianName), orderedAt: at(args) }
          : null,
    }),
    recordGuardianInPlace: assign({ guardianInPlaceAt: at }),
    recordCare: assign({
      care: (args) =>
        args.event.type === 'TEMPORARY_CARE'
          ? { ground: args.event.ground, institution: text(args.event.institution), placedAt: at(args) }
          : null,
    }),
    recordHandover: assign({ handedOverAt: at }),
  },
}).createMachine({
  id: EMERGENCY,
  initial: 'onScene',
  context: ({ input }) => {
    const data = input.data ?? {};
    const situation = SITUATIONS.find((s) => s === data.situation) ?? 'guardian-unable';
    return {
      caseId: input.caseId,
      subject: input.subject,
      reportCaseId: text(data.reportCaseId),
      situation,
      triggers: Array.isArray(data.triggers) ? data.triggers.filter((t): t is string => typeof t === 'string') : [],
      policy: input.policy,
      openedAt: input.openedAt,
      foundAt: null,
      protectedAt: null,
      protection: null,
      order: null,
      guardianInPlaceAt: null,
      care: null,
      handedOverAt: null,
    };
  },
  states: {
    // The police on scene; what may come first depends on what the report found.
    onScene: {
      on: {
        SEARCH: { target: 'searching', guard: 'isMissing' },
        // Protection comes first for a child facing violence or harm, and is never refused to a child at hand.
        PROTECT: { target: 'protected', guard: 'notMissing', actions: 'recordProtection' },
        ORDER_GUARDIAN: { target: 'awaitingGuardian', guard: 'arrangeableOrder', actions: 'recordOrder' },
        TEMPORARY_CARE: { target: 'inTemporaryCare', guard: 'arrangeableCare', actions: 'recordCare' },
      },
    },
    searching: {
      on: { FOUND: { target: 'found', actions: 'recordFound' } },
    },
    // Found: the same choices as on scene for a child at hand.
    found: {
      on: {
        PROTECT: { target: 'protected', actions: 'recordProtection' },
        ORDER_GUARDIAN: { target: 'awaitingGuardian', guard: 'validOrder', actions: 'recordOrder' },
        TEMPORARY_CARE: { target: 'inTemporaryCare', guard: 'validCare', actions: 'recordCare' },
      },
    },
    protected: {
      on: {
        ORDER_GUARDIAN: { target: 'awaitingGuardian', guard: 'validOrder', actions: 'recordOrder' },
        TEMPORARY_CARE: { target: 'inTemporaryCare', guard: 'validCare', actions: 'recordCare' },
      },
    },
    // 四(二): 责令父母立即返回或委托亲属监护; the county gives the guardian `guardianInPlace` from the order.
    awaitingGuardian: {
      after: {
        guardianInPlace: {
          target: 'guardianOverdue',
          actions: {
            type: 'escalate',
            params: { chain: 'guardianInPlace', reason: '监护人未按期到位 / guardian not in place in time (国发〔2016〕13号 四(二))' },
          },
        },
      },
      on: {
        GUARDIAN_IN_PLACE: { target: 'guardianInPlace', actions: 'recordGuardianInPlace' },
        // Nobody came: temporary care after all.
        TEMPORARY_CARE: { target: 'inTemporaryCare', guard: 'validCare', actions: 'recordCare' },
      },
    },
    guardianOverdue: {
      on: {
        GUARDIAN_IN_PLACE: { target: 'guardianInPlace', actions: 'recordGuardianInPlace' },
        TEMPORARY_CARE: { target: 'inTemporaryCare', guard: 'validCare', actions: 'recordCare' },
      },
    },
    guardianInPlace: {
      on: { HANDOVER: { target: 'handedOver', actions: ['recordHandover', { type: 'openCase', params: assessment }] } },
    },
    // Art. 92: civil affairs takes temporary guardianship; the institution receives the child.
    inTemporaryCare: {
      entry: { type: 'notify', params: careNotice },
      on: { HANDOVER: { target: 'handedOver', actions: ['recordHandover', { type: 'openCase', params: assessment }] } },
    },
    handedOver: { type: 'final' },
  },
});

export function emergencyDefinition(policy: ProtectionPolicy): CaseDefinition {
  const police = ['police'];
  return protectionDefinition(policy, {
    id: EMERGENCY,
    title: '应急处置 — emergency handling',
    machine: emergencyMachine,
    permissions: {
      // Opened by the report's openCase (the engine's system actor) or by the police themselves.
      open: police,
      events: {
        SEARCH: police,
        FOUND: police,
        PROTECT: police,
        ORDER_GUARDIAN: police,
        GUARDIAN_IN_PLACE: police,
        TEMPORARY_CARE: police,
        HANDOVER: police,
      },
    },
  });
}
