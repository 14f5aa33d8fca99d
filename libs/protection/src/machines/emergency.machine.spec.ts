import { DateTime, Duration } from 'luxon';
import { type AnyMachineSnapshot, type AnyStateNode, type EventObject, initialTransition, transition } from 'xstate';
import { getShortestPaths, getSimplePaths } from 'xstate/graph';
import { stateNodes } from '../testing/paths';
import { CHANGBAI_POLICY } from '../policy/changbai.policy';
import type { DeadlineRule } from '../policy/policy.types';
import { emergencyDefinition, emergencyMachine as machine, type EmergencySituation } from './emergency.machine';
import { machinePolicy, type ProtectionInput } from './machine-kit';
import { type Action, type AnyEvent, raises, cancels } from '../testing/actions';

const OPENED = '2026-03-02T09:00:00+08:00';
const ORDERED = '2026-03-02T10:30:00+08:00';
const LATER = '2026-03-02T18:00:00+08:00';
const GUARDIAN_TIMER = 'xstate.after.guardianInPlace.emergency.awaitingGuardian';

function input(situation: string = 'alone'): ProtectionInput {
  return {
    caseId: 'emergency-1',
    subject: { childId: 'child-1', township: 'maluguo', village: 'maluguo-village' },
    data: { reportCaseId: 'report-1', situation, triggers: ['ALONE_NO_GUARDIAN'] },
    policy: machinePolicy(CHANGBAI_POLICY),
    openedAt: OPENED,
  };
}

const ev = <T extends EventObject>(e: T): never => e as never;
const paramsOf = (actions: readonly Action[], type: string) => actions.filter((a) => a.type === type).map((a) => a.params);

function luxonMs(rule: DeadlineRule, from: string): number {
  const start = DateTime.fromISO(from, { zone: 'Asia/Shanghai' });
  return start.plus(Duration.fromISO(rule.duration)).toMillis() - start.toMillis();
}

const ORDER = { type: 'ORDER_GUARDIAN', guardian: 'parents', guardianName: '张父 Zhang', admonished: true, $at: ORDERED } as const;
const CARE = { type: 'TEMPORARY_CARE', ground: 'A92_4_GUARDIAN_REFUSES', institution: '县儿童福利院 county welfare home', $at: LATER } as const;
const BAD_CARE = { ...CARE, ground: 'NOT_AN_ART92_CODE' };
const refused = (s: AnyMachineSnapshot, e: AnyEvent) => machine.getTransitionData(s as never, e as never).length === 0;

/** Drive a sequence of events from the opened case; returns the last snapshot and the last actions. */
function run(situation: EmergencySituation, ...events: AnyEvent[]) {
  let [s, actions] = initialTransition(machine, input(situation));
  for (const e of events) [s, actions] = transition(machine, s, ev(e));
  return [s, actions] as const;
}

describe('emergency machine', () => {
  it('opens on scene with the report situation, no effects and no timer; an unknown situation counts as guardian-unable', () => {
    const [s0, actions] = initialTransition(machine, input('alone'));
    expect(s0.value).toBe('onScene');
    expect(s0.context).toMatchObject({ reportCaseId: 'report-1', situation: 'alone', triggers: ['ALONE_NO_GUARDIAN'] });
    expect(actions).toEqual([]);
    expect(initialTransition(machine, input('weird'))[0].context.situation).toBe('guardian-unable');
  });

  it('child alone: ORDER_GUARDIAN records the order and arms the guardian-in-place deadline (1 day from the order)', () => {
    const [s1, actions] = run('alone', ORDER);
    expect(s1.value).toBe('awaitingGuardian');
    expect(s1.context.order).toEqual({ guardian: 'parents', guardianName: '张父 Zhang', orderedAt: ORDERED });
    expect(raises(actions)).toEqual([
      { event: { type: GUARDIAN_TIMER }, id: GUARDIAN_TIMER, delay: luxonMs(CHANGBAI_POLICY.deadlines.guardianInPlace, ORDERED) },
    ]);
    expect(raises(actions)[0]!.delay).toBe(86_400_000);
  });

  it.each([
    ['not admonished', { ...ORDER, admonished: false }],
    ['admonished missing', { type: 'ORDER_GUARDIAN', guardian: 'parents', guardianName: 'x', $at: ORDERED }],
    ['unknown guardian kind', { ...ORDER, guardian: 'neighbour' }],
    ['no guardian name', { ...ORDER, guardianName: ' ' }],
  ])('refuses an ORDER_GUARDIAN with %s', (_, bad) => {
    const [s0] = run('alone');
    expect(refused(s0, bad)).toBe(true);
    expect(refused(s0, ORDER)).toBe(false);
  });

  it('escalates a guardian not in place to each unit of the guardianInPlace chain; the guardian may still arrive', () => {
    const [s1, ordered] = run('alone', ORDER);
    const [late, actions] = transition(machine, s1, ev(raises(ordered)[0]!.event));
    expect(late.value).toBe('guardianOverdue');
    expect(paramsOf(actions, 'notify')).toEqual(
      CHANGBAI_POLICY.escalation.guardianInPlace.map((to, i) => ({ to, reason: expect.any(String), escalation: { chain: 'guardianInPlace', step: i + 1 } })),
    );
    expect(paramsOf(actions, 'notify').map((p) => (p as { to: string }).to)).toEqual(['county-psb', 'county-civil-affairs']);
    const [arrived] = transition(machine, late, ev({ type: 'GUARDIAN_IN_PLACE', $at: LATER }));
    expect(arrived.value).toBe('guardianInPlace');
    const [cared, careActions] = transition(machine, late, ev(CARE));
    expect(cared.value).toBe('inTemporaryCare');
    expect(paramsOf(careActions, 'notify')).toHaveLength(1);
  });

  it('GUARDIAN_IN_PLACE cancels the deadline; HANDOVER opens the assessment with the child at home', () => {
    const [s2, actions] = run('alone', ORDER, { type: 'GUARDIAN_IN_PLACE', $at: LATER });
    expect(s2.value).toBe('guardianInPlace');
    expect(s2.context.guardianInPlaceAt).toBe(LATER);
    expect(cancels(actions)).toEqual([GUARDIAN_TIMER]);
    expect(refused(s2, { type: 'TEMPORARY_CARE', ground: 'A92_1_NO_GUARDIAN', institution: 'x' })).toBe(true);
    const [done, out] = transition(machine, s2, ev({ type: 'HANDOVER', $at: LATER }));
    expect(done.status).toBe('done');
    expect(done.value).toBe('handedOver');
    expect(paramsOf(out, 'openCase')).toEqual([
      {
        type: 'assessment',
        ownerRole: 'county-civil-affairs',
        reason: expect.any(String),
        data: { emergencyCaseId: 'emergency-1', reportCaseId: 'report-1', placement: 'home' },
      },
    ]);
  });

  it('nobody reachable: TEMPORARY_CARE tells civil affairs and the welfare institution; HANDOVER passes the Art. 92 ground on', () => {
    const [s1, actions] = run('guardian-unable', CARE);
    expect(s1.value).toBe('inTemporaryCare');
    expect(s1.context.care).toEqual({ ground: CARE.ground, institution: CARE.institution, placedAt: LATER });
    expect(paramsOf(actions, 'notify')).toEqual([
      { to: ['county-civil-affairs', 'welfare-institution'], reason: expect.stringContaining('A92_4_GUARDIAN_REFUSES') },
    ]);
    const [, out] = transition(machine, s1, ev({ type: 'HANDOVER', $at: LATER }));
    expect(paramsOf(out, 'openCase')).toEqual([
      {
        type: 'assessment',
        ownerRole: 'county-civil-affairs',
        reason: expect.any(String),
        data: { emergencyCaseId: 'emergency-1', reportCaseId: 'report-1', placement: 'temporary-care', ground: 'A92_4_GUARDIAN_REFUSES' },
      },
    ]);
  });

  it('temporary care while awaiting the guardian cancels the guardian deadline', () => {
    const [s2, actions] = run('alone', ORDER, CARE);
    expect(s2.value).toBe('inTemporaryCare');
    expect(cancels(actions)).toEqual([GUARDIAN_TIMER]);
  });

  it.each(CHANGBAI_POLICY.temporaryGuardianshipGrounds.map((g) => g.code))('accepts the Art. 92 ground %s', (ground) => {
    const [s0] = run('alone');
    expect(refused(s0, { ...CARE, ground })).toBe(false);
  });

  it('refuses TEMPORARY_CARE without an Art. 92 ground or an institution, in every state that takes it', () => {
    const states = [
      run('alone')[0],
      run('missing', { type: 'SEARCH' }, { type: 'FOUND' })[0],
      run('harm', { type: 'PROTECT' })[0],
      run('alone', ORDER)[0],
      run('alone', ORDER, { type: GUARDIAN_TIMER })[0],
    ];
    expect(states.map((s) => s.value)).toEqual(['onScene', 'found', 'protected', 'awaitingGuardian', 'guardianOverdue']);
    for (const s of states) {
      expect(refused(s, CARE)).toBe(false);
      expect(refused(s, BAD_CARE)).toBe(true);
      expect(refused(s, { ...CARE, ground: undefined })).toBe(true);
      expect(refused(s, { ...CARE, institution: '' })).toBe(true);
    }
  });

  it('violence or harm: PROTECT first, then temporary care or a guardian', () => {
    const [s0] = run('harm');
    expect(refused(s0, ORDER)).toBe(true);
    expect(refused(s0, CARE)).toBe(true);
    expect(refused(s0, { type: 'SEARCH' })).toBe(true);
    const [s1, actions] = transition(machine, s0, ev({ type: 'PROTECT', measures: '带离现场 removed from home', $at: ORDERED }));
    expect(s1.value).toBe('protected');
    expect(s1.context).toMatchObject({ protectedAt: ORDERED, protection: '带离现场 removed from home' });
    expect(actions).toEqual([]);
    expect(transition(machine, s1, ev(CARE))[0].value).toBe('inTemporaryCare');
    expect(transition(machine, s1, ev(ORDER))[0].value).toBe('awaitingGuardian');
    expect(refused(s1, { ...ORDER, admonished: false })).toBe(true);
  });

  it('missing: SEARCH, FOUND, then the same choices', () => {
    const [s0] = run('missing');
    for (const e of [{ type: 'PROTECT' }, ORDER, CARE]) expect(refused(s0, e)).toBe(true);
    const [s1] = transition(machine, s0, ev({ type: 'SEARCH', $at: ORDERED }));
    expect(s1.value).toBe('searching');
    const [s2] = transition(machine, s1, ev({ type: 'FOUND', $at: LATER }));
    expect(s2.value).toBe('found');
    expect(s2.context.foundAt).toBe(LATER);
    expect(transition(machine, s2, ev({ type: 'PROTECT' }))[0].value).toBe('protected');
    expect(transition(machine, s2, ev(ORDER))[0].value).toBe('awaitingGuardian');
    expect(transition(machine, s2, ev(CARE))[0].value).toBe('inTemporaryCare');
  });

  it('a child alone may also be protected first; HANDOVER only once the child is with a guardian or in care', () => {
    const [s0] = run('alone');
    expect(refused(s0, { type: 'SEARCH' })).toBe(true);
    expect(transition(machine, s0, ev({ type: 'PROTECT' }))[0].value).toBe('protected');
    for (const s of [s0, run('alone', ORDER)[0], run('alone', ORDER, { type: GUARDIAN_TIMER })[0]]) {
      expect(refused(s, { type: 'HANDOVER' })).toBe(true);
    }
  });

  it('the policy values it uses cite their source', () => {
    expect(CHANGBAI_POLICY.deadlines.guardianInPlace.source).toContain('责令父母立即返回');
    for (const g of CHANGBAI_POLICY.temporaryGuardianshipGrounds) expect(g.source).toMatch(/Art\. 92\(\d\)/);
    expect(machinePolicy(CHANGBAI_POLICY).temporaryGuardianshipGrounds).toHaveLength(7);
  });
});

describe('emergencyDefinition', () => {
  const def = emergencyDefinition(CHANGBAI_POLICY);

  it('is opened by the police and moved only by the police, for every event the machine takes', () => {
    expect(def).toMatchObject({ id: 'emergency', version: 1, policy: { id: 'changbai', version: '2016.39-1' } });
    expect(def.title).toMatch(/应急处置.*emergency/);
    expect(def.permissions.open).toEqual(['police']);
    const used = new Set(stateNodes(machine.root).flatMap((n) => [...n.transitions.keys()]).filter((t) => !t.startsWith('xstate.')));
    expect(Object.keys(def.permissions.events).sort()).toEqual([...used].sort());
    for (const roles of Object.values(def.permissions.events)) expect(roles).toEqual(['police']);
  });

  it('builds the machine input from the open context', () => {
    const open = { caseId: 'e-9', subject: { childId: 'c', township: 'maluguo' }, data: { situation: 'harm' }, policy: def.policy, openedAt: OPENED, ownerUnitId: 'u' };
    expect(def.input!(open)).toEqual({ caseId: 'e-9', subject: open.subject, data: open.data, policy: machinePolicy(CHANGBAI_POLICY), openedAt: OPENED });
  });
});

// ---- generated paths, one traversal per situation: nothing in the machine is left unreached ----

const allTransitions = stateNodes(machine.root).flatMap((n) => [...n.transitions.keys()].map((e) => `${n.id} ${e}`));
const SAMPLE_EVENTS = [
  { type: 'SEARCH', $at: ORDERED },
  { type: 'FOUND', $at: ORDERED },
  { type: 'PROTECT', measures: 'removed', $at: ORDERED },
  ORDER,
  { ...ORDER, admonished: false },
  CARE,
  BAD_CARE,
  { type: 'GUARDIAN_IN_PLACE', $at: LATER },
  { type: 'HANDOVER', $at: LATER },
  { type: GUARDIAN_TIMER },
] as never[];
const SITUATIONS: EmergencySituation[] = ['alone', 'missing', 'harm', 'guardian-unable'];
const ALLOWED_ACTIONS = new Set(['xstate.raise', 'xstate.cancel', 'notify', 'openCase']);

function walk(paths: { steps: { event: EventObject; state: AnyMachineSnapshot }[] }[]) {
  const reached = new Set<string>();
  const taken = new Set<string>();
  const actionTypes = new Set<string>();
  for (const path of paths) {
    path.steps.forEach((step, i) => {
      step.state._nodes.forEach((n: AnyStateNode) => reached.add(n.id));
      if (i === 0) return;
      const prev = path.steps[i - 1]!.state;
      machine.getTransitionData(prev as never, step.event as never).forEach((t) => taken.add(`${t.source.id} ${t.eventType}`));
      transition(machine, prev as never, step.event as never)[1].forEach((a) => actionTypes.add(a.type));
    });
  }
  return { reached, taken, actionTypes };
}

describe('emergency: generated paths', () => {
  it('shortest paths over the four situations reach every state node, and each situation reaches handover', () => {
    const reached = new Set<string>();
    for (const situation of SITUATIONS) {
      const paths = getShortestPaths(machine, { input: input(situation), events: SAMPLE_EVENTS });
      walk(paths).reached.forEach((id) => reached.add(id));
      expect(paths.some((p) => p.state.status === 'done')).toBe(true);
    }
    expect([...reached].sort()).toEqual(stateNodes(machine.root).map((n) => n.id).sort());
  });

  it('simple paths over the four situations take every transition and emit only actions the engine maps', () => {
    const taken = new Set<string>();
    const actionTypes = new Set<string>();
    for (const situation of SITUATIONS) {
      const w = walk(getSimplePaths(machine, { input: input(situation), events: SAMPLE_EVENTS }));
      w.taken.forEach((t) => taken.add(t));
      w.actionTypes.forEach((t) => actionTypes.add(t));
    }
    expect(allTransitions.length).toBe(17);
    expect([...taken].sort()).toEqual([...allTransitions].sort());
    expect([...actionTypes].filter((t) => !ALLOWED_ACTIONS.has(t))).toEqual([]);
    expect(actionTypes).toEqual(ALLOWED_ACTIONS);
  });
});
