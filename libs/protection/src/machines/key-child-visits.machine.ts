import { assign, setup } from 'xstate';
import type { CaseDefinition } from '#shouhu/engine';
import { eventTime } from '../policy/deadline';
import type { ProtectionPolicy } from '../policy/policy.types';
import { type ChildSubject, childSubjectProblems, deadlineDelay, protectionDefinition, type MachinePolicy, type NotifyParams, type ProtectionInput, type Stamped } from './machine-kit';

/*
 * 重点对象家访 — regular home visits to a key child (长政办发〔2016〕39号 四(二)2: 对重点对象…上门家访、驻村干部
 * 探访、社工随访). The child director visits every `registry.keyChildVisitEvery`; while no visit is recorded a
 * reminder re-arms itself, one slot at a time (village committee). Each visit restarts the rhythm from the
 * visit; a visit raising a concern tells the township government (an assessment may be opened from it later).
 */

export const KEY_CHILD_VISITS = 'key-child-visits';

export interface KeyChildVisit { findings: string; concern: boolean; at: string; by: string | null }
export interface KeyChildContext {
  caseId: string;
  subject: ChildSubject;
  policy: MachinePolicy;
  openedAt: string;
  visits: KeyChildVisit[];
  /** Reminders since the last visit (or the opening): how many rhythms were missed. */
  missedRhythms: number;
  endedAt: string | null;
  endReason: string | null;
}

export type KeyChildEvent = Stamped & ({ type: 'RECORD_VISIT'; findings: string; concern: boolean } | { type: 'END'; reason: string });

type Args = { context: KeyChildContext; event: KeyChildEvent };
const at = ({ context, event }: Args) => eventTime(event, context.openedAt);
const isText = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';
const visitOk = (e: KeyChildEvent) => e.type === 'RECORD_VISIT' && isText(e.findings) && typeof e.concern === 'boolean';

const reminder = ({ context }: { context: KeyChildContext }): NotifyParams => ({
  to: 'village-committee',
  reason: `重点对象 ${context.subject.childId} 应上门家访（已错过 ${context.missedRhythms} 次）/ the key child is due a home visit (${context.missedRhythms} missed) (长政办发〔2016〕39号 四(二)2)`,
});
const concern = ({ context }: { context: KeyChildContext }): NotifyParams => ({
  to: 'township-government',
  reason: `家访发现问题：${context.visits[context.visits.length - 1]?.findings ?? ''} / a home visit raised a concern (长政办发〔2016〕39号 四(二)2)`,
});

export const keyChildVisitsMachine = setup({
  types: { input: {} as ProtectionInput, context: {} as KeyChildContext, events: {} as KeyChildEvent },
  delays: { keyChildVisitEvery: deadlineDelay((p) => p.registry.keyChildVisitEvery) },
  guards: {
    validVisit: ({ event }) => visitOk(event),
    concernVisit: ({ event }) => visitOk(event) && (event as KeyChildEvent & { type: 'RECORD_VISIT' }).concern,
    hasReason: ({ event }) => event.type === 'END' && isText(event.reason),
  },
  actions: {
    notify: (_, _p: NotifyParams) => undefined,
    countMissed: assign({ missedRhythms: ({ context }) => context.missedRhythms + 1 }),
    recordVisit: assign({
      visits: (args) => {
        const e = args.event as KeyChildEvent & { type: 'RECORD_VISIT' };
        return [...args.context.visits, { findings: e.findings.trim(), concern: e.concern, at: at(args), by: e.$actor?.userId ?? null }];
      },
      missedRhythms: 0,
    }),
    recordEnd: assign({ endedAt: at, endReason: ({ event }) => (event as KeyChildEvent & { type: 'END' }).reason.trim() }),
  },
}).createMachine({
  id: KEY_CHILD_VISITS,
  context: ({ input }) => ({
    caseId: input.caseId, subject: input.subject, policy: input.policy, openedAt: input.openedAt,
    visits: [], missedRhythms: 0, endedAt: null, endReason: null,
  }),
  initial: 'visiting',
  states: {
    visiting: {
      initial: 'waiting',
      states: {
        // Re-entering cancels the pending reminder and arms one new one: never two at a time.
        waiting: { after: { keyChildVisitEvery: { target: 'waiting', reenter: true, actions: ['countMissed', { type: 'notify', params: reminder }] } } },
      },
      on: {
        RECORD_VISIT: [
          { guard: 'concernVisit', target: '.waiting', actions: ['recordVisit', { type: 'notify', params: concern }] },
          { guard: 'validVisit', target: '.waiting', actions: 'recordVisit' },
        ],
        END: { guard: 'hasReason', target: 'ended', actions: 'recordEnd' },
      },
    },
    ended: { type: 'final' },
  },
});

export function keyChildVisitsDefinition(policy: ProtectionPolicy): CaseDefinition {
  return {
    ...protectionDefinition(policy, {
      id: KEY_CHILD_VISITS,
      title: '重点对象家访 — key-child home visits',
      machine: keyChildVisitsMachine,
      permissions: {
        open: ['village', 'township', 'civil_affairs'],
        events: { RECORD_VISIT: ['child_director', 'village', 'township', 'social_worker'], END: ['village', 'civil_affairs'] },
      },
    }),
    // The reminders go to the child's village committee: the subject must name it.
    validateOpen: ({ subject }) => [
      ...childSubjectProblems(subject),
      ...(subject.village === undefined ? [{ field: 'subject.village', message: 'must name the child\'s village committee (the visits are its duty)' }] : []),
    ],
  };
}
