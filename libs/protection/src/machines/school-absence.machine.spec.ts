import { DateTime, Duration } from 'luxon';
import { type AnyMachineSnapshot, type AnyStateNode, type EventObject, initialTransition, transition } from 'xstate';
import { getShortestPaths, getSimplePaths } from 'xstate/graph';
import { allTransitionKeys, edgesOf as edges, stateNodes as nodes, transitionKey as key } from '../testing/paths';
import { CHANGBAI_POLICY } from '../policy/changbai.policy';
import type { DeadlineRule, ProtectionPolicy } from '../policy/policy.types';
import { machinePolicy, type ProtectionInput } from './machine-kit';
import { type AbsenceContext, schoolAbsenceDefinition, schoolAbsenceMachine as machine } from './school-absence.machine';
import { type Action, type AnyEvent, raises, cancels } from '../testing/actions';

// Changbai (Asia/Shanghai); 2026-03-02 is a Monday. The absence is reported at 08:30.
const OPENED = '2026-03-02T08:30:00+08:00';
const CALLED = '2026-03-02T10:15:00+08:00';
const TIMER = 'xstate.after.reachGuardian.school-absence.reachingGuardian.inTime';
const TEACHER = { userId: 'teacher-li', unitId: 'maluguo-school', role: 'school' };
const SUBJECT = { childId: 'child-1', township: 'maluguo', village: 'maluguo-village', school: 'maluguo-school' };

function input(policy: ProtectionPolicy = CHANGBAI_POLICY, data: Record<string, unknown> = {}): ProtectionInput {
  return {
    caseId: 'absence-1',
    subject: SUBJECT,
    data: { date: '2026-03-02', schoolUnitId: 'maluguo-school', className: '三年级二班', ...data },
    policy: machinePolicy(policy),
    openedAt: OPENED,
  };
}

const paramsOf = (actions: readonly Action[], type: string) => actions.filter((a) => a.type === type).map((a) => a.params);
const refused = (s: AnyMachineSnapshot, e: AnyEvent) => machine.getTransitionData(s as never, e as never).length === 0;
const ctx = (s: AnyMachineSnapshot) => s.context as AbsenceContext;
const step = (s: AnyMachineSnapshot, e: AnyEvent) => {
  expect({ event: e.type, taken: !refused(s, e) }).toEqual({ event: e.type, taken: true });
  const [next, actions] = transition(machine, s as never, e as never);
  return [next, actions as Action[]] as const;
};
/** The deadline in ms from `from`, computed independently with luxon in the county's zone. */
function luxonMs(rule: DeadlineRule, from: string): number {
  const start = DateTime.fromISO(from, { zone: 'Asia/Shanghai' });
  return start.plus(Duration.fromISO(rule.duration)).toMillis() - start.toMillis();
}
const open = () => {
  const [s, actions] = initialTransition(machine, input());
  return [s, actions as Action[]] as const;
};
const overdue = () => {
  const [s0] = open();
  return step(s0, { type: TIMER, $at: '2026-03-02T12:30:00+08:00' });
};

describe('school absence machine', () => {
  it('opens reaching the guardian: tells the school and arms reachGuardian (4 hours) from openedAt', () => {
    const [s0, actions] = open();
    expect(s0.value).toEqual({ reachingGuardian: 'inTime' });
    expect(ctx(s0)).toMatchObject({ date: '2026-03-02', schoolUnitId: 'maluguo-school', className: '三年级二班', note: null, absentDays: ['2026-03-02'] });
    expect(paramsOf(actions, 'notify')).toEqual([{ to: 'school', reason: expect.stringContaining('四(二)3') }]);
    expect(raises(actions)).toEqual([{ event: { type: TIMER }, id: TIMER, delay: luxonMs(CHANGBAI_POLICY.school.reachGuardian, OPENED) }]);
    expect(raises(actions)[0]!.delay).toBe(4 * 3_600_000);
  });

  it('reads the deadline from the policy the case opened under', () => {
    const county = { ...CHANGBAI_POLICY, school: { ...CHANGBAI_POLICY.school, reachGuardian: { ...CHANGBAI_POLICY.school.reachGuardian, duration: 'PT2H' } } };
    const [, actions] = initialTransition(machine, input(county));
    expect(raises(actions as Action[])[0]!.delay).toBe(2 * 3_600_000);
  });

  it('escalates a missed deadline to each unit of the reachGuardian chain, and every way out stays open', () => {
    const [late, actions] = overdue();
    expect(late.value).toEqual({ reachingGuardian: 'overdue' });
    expect(paramsOf(actions, 'notify')).toEqual(
      CHANGBAI_POLICY.escalation.reachGuardian.map((to, i) => ({ to, reason: expect.stringContaining('四(二)3'), escalation: { chain: 'reachGuardian', step: i + 1 } })),
    );
    expect(CHANGBAI_POLICY.escalation.reachGuardian).toEqual(['school', 'township-government']);
    expect(raises(actions)).toEqual([]);
    const [s, a] = step(late, { type: 'GUARDIAN_REACHED', explanation: '奶奶生病，在家照顾 / grandmother ill', $at: '2026-03-02T14:00:00+08:00' });
    expect(s.value).toBe('explained');
    expect(a.filter((x) => x.type === 'notify')).toEqual([]);
    for (const e of [{ type: 'CHILD_ALONE', details: 'x' }, { type: 'CHILD_MISSING', details: 'x' }, { type: 'REGISTER_DROPOUT', consecutiveDays: 20 }, { type: 'ABSENT_AGAIN', date: '2026-03-03' }]) {
      expect(refused(late, e)).toBe(false);
    }
  });

  it('GUARDIAN_REACHED with an explanation ends the case and cancels the deadline; an empty one is refused', () => {
    const [s0] = open();
    expect(refused(s0, { type: 'GUARDIAN_REACHED', explanation: '  ', $at: CALLED })).toBe(true);
    expect(refused(s0, { type: 'GUARDIAN_REACHED', $at: CALLED })).toBe(true);
    const [s1, actions] = step(s0, { type: 'GUARDIAN_REACHED', explanation: ' 发烧请假 / fever ', $at: CALLED, $actor: TEACHER });
    expect(s1.value).toBe('explained');
    expect(s1.status).toBe('done');
    expect(ctx(s1)).toMatchObject({ reachedAt: CALLED, explanation: '发烧请假 / fever', outcome: null });
    expect(cancels(actions)).toEqual([TIMER]);
    expect(raises(actions)).toEqual([]);
  });

  it.each([
    ['CHILD_ALONE', 'ALONE_NO_GUARDIAN'],
    ['CHILD_MISSING', 'MISSING'],
  ])('%s opens a mandatory report to the township police with trigger %s and the school as reporter', (type, trigger) => {
    const [s0] = open();
    const details = '家访发现儿童独自在家 / found at home alone';
    const [s1, actions] = step(s0, { type, details: ` ${details} `, $at: CALLED, $actor: TEACHER });
    expect(s1.value).toBe('reported');
    expect(s1.status).toBe('done');
    expect(paramsOf(actions, 'openCase')).toEqual([
      {
        type: 'mandatory-report',
        ownerRole: 'township-police',
        reason: expect.stringContaining('国发〔2016〕13号 四(一)'),
        data: { triggers: [trigger], description: details, reporter: { unitId: 'maluguo-school', userId: 'teacher-li', role: 'school' } },
      },
    ]);
    expect(CHANGBAI_POLICY.reportTriggers.map((t) => t.code)).toContain(trigger);
    expect(ctx(s1).outcome).toEqual({ kind: 'reported', trigger, at: CALLED });
    expect(cancels(actions)).toEqual([TIMER]);
    expect(refused(s0, { type, details: '', $at: CALLED })).toBe(true);
  });

  it('the reporter is the school unit named when the case opened, also when reporting from the overdue state', () => {
    const [s0] = initialTransition(machine, input(CHANGBAI_POLICY, { schoolUnitId: 'maluguo-central-school' }));
    const [late] = step(s0, { type: TIMER, $at: '2026-03-02T12:30:00+08:00' });
    const [, actions] = step(late, { type: 'CHILD_MISSING', details: 'not found', $at: CALLED, $actor: { ...TEACHER, userId: 'teacher-wu' } });
    expect(paramsOf(actions, 'openCase')).toEqual([
      expect.objectContaining({ data: expect.objectContaining({ reporter: { unitId: 'maluguo-central-school', userId: 'teacher-wu', role: 'school' } }) }),
    ]);
  });

  it('ABSENT_AGAIN records each new day and touches no clock; repeated, malformed or earlier days are refused', () => {
    const [s0] = open();
    const [s1, a1] = step(s0, { type: 'ABSENT_AGAIN', date: '2026-03-03', $at: '2026-03-03T08:30:00+08:00' });
    expect(s1.value).toEqual({ reachingGuardian: 'inTime' });
    expect(ctx(s1).absentDays).toEqual(['2026-03-02', '2026-03-03']);
    expect(a1).toEqual([]);
    for (const date of ['2026-03-03', '2026-03-02', '2026-03-01', '2026-02-30', '3/4/2026', undefined]) {
      expect(refused(s1, { type: 'ABSENT_AGAIN', date, $at: '2026-03-04T08:30:00+08:00' })).toBe(true);
    }
    const [late] = step(s1, { type: TIMER, $at: '2026-03-03T12:30:00+08:00' });
    const [s2] = step(late, { type: 'ABSENT_AGAIN', date: '2026-03-04', $at: '2026-03-04T08:30:00+08:00' });
    expect(s2.value).toEqual({ reachingGuardian: 'overdue' });
    expect(ctx(s2).absentDays).toEqual(['2026-03-02', '2026-03-03', '2026-03-04']);
  });

  it('REGISTER_DROPOUT below the policy threshold is refused; at it, the dropout-return case opens for the school', () => {
    const [s0] = open();
    const threshold = CHANGBAI_POLICY.school.dropoutAfterSchoolDays;
    expect(threshold).toBe(20);
    for (const consecutiveDays of [threshold - 1, 20.5, '20', undefined]) {
      expect(refused(s0, { type: 'REGISTER_DROPOUT', consecutiveDays, $at: CALLED })).toBe(true);
    }
    const [s1, actions] = step(s0, { type: 'REGISTER_DROPOUT', consecutiveDays: threshold, $at: '2026-03-30T08:00:00+08:00' });
    expect(s1.value).toBe('dropout');
    expect(s1.status).toBe('done');
    expect(paramsOf(actions, 'openCase')).toEqual([
      {
        type: 'dropout-return',
        ownerRole: 'school',
        reason: expect.stringContaining('四(二)3'),
        data: { absenceCaseId: 'absence-1', consecutiveDays: 20, since: '2026-03-02' },
      },
    ]);
    expect(ctx(s1).outcome).toEqual({ kind: 'dropout', consecutiveDays: 20, at: '2026-03-30T08:00:00+08:00' });
    expect(cancels(actions)).toEqual([TIMER]);
  });

  it('a county with another dropout threshold: the guard reads the policy in the context', () => {
    const county = { ...CHANGBAI_POLICY, school: { ...CHANGBAI_POLICY.school, dropoutAfterSchoolDays: 15 } };
    const [s0] = initialTransition(machine, input(county));
    expect(refused(s0, { type: 'REGISTER_DROPOUT', consecutiveDays: 14 })).toBe(true);
    expect(refused(s0, { type: 'REGISTER_DROPOUT', consecutiveDays: 15 })).toBe(false);
  });

  it('the policy values it uses cite their source', () => {
    expect(CHANGBAI_POLICY.school.reachGuardian).toMatchObject({ duration: 'PT4H', calendar: 'natural', source: expect.stringContaining('及时了解无故旷课') });
    expect(CHANGBAI_POLICY.escalation.reachGuardian.length).toBeGreaterThan(0);
  });
});

describe('schoolAbsenceDefinition', () => {
  const def = schoolAbsenceDefinition(CHANGBAI_POLICY);

  it('the school opens it, and every event of the machine has its roles', () => {
    expect(def).toMatchObject({ id: 'school-absence', version: 1, policy: { id: 'changbai', version: '2016.39-1' } });
    expect(def.title).toMatch(/无故旷课.*absence/);
    expect(def.permissions.open).toEqual(['school']);
    expect(Object.keys(def.permissions.events).sort()).toEqual(EVENT_TYPES);
    for (const roles of Object.values(def.permissions.events)) expect(roles).toEqual(['school']);
  });

  it('builds the input from the open context; without a date it counts from the opening day in Shanghai', () => {
    const openCtx = { caseId: 'a-9', subject: SUBJECT, policy: def.policy, ownerUnitId: 'maluguo-school' };
    // Friday's absence reported on Monday: the case counts from Friday.
    const data = { date: '2026-02-27', schoolUnitId: 'maluguo-school' };
    const built = def.input!({ ...openCtx, data, openedAt: OPENED });
    expect(built).toEqual({ caseId: 'a-9', subject: SUBJECT, data, policy: machinePolicy(CHANGBAI_POLICY), openedAt: OPENED });
    expect(ctx(initialTransition(machine, built as ProtectionInput)[0])).toMatchObject({ date: '2026-02-27', absentDays: ['2026-02-27'] });
    // 23:30 UTC on the 2nd is 07:30 on the 3rd in Changbai.
    const [s] = initialTransition(machine, def.input!({ ...openCtx, data: { note: ' 未到校 ' }, openedAt: '2026-03-02T23:30:00.000Z' }) as ProtectionInput);
    expect(ctx(s)).toMatchObject({ date: '2026-03-03', absentDays: ['2026-03-03'], schoolUnitId: 'maluguo-school', className: null, note: '未到校' });
  });
});

// ---- generated paths -------------------------------------------------------------------------
const ALL_NODES = nodes(machine.root);
const ALL_TRANSITIONS = allTransitionKeys(machine);
const EVENT_TYPES = [...new Set(ALL_NODES.flatMap((n) => [...n.transitions.keys()]).filter((t) => !t.startsWith('xstate.')))].sort();
const T = '2026-03-03T09:00:00+08:00';
const SAMPLE_EVENTS = [
  { type: 'GUARDIAN_REACHED', explanation: 'ill', $at: T },
  { type: 'GUARDIAN_REACHED', explanation: '', $at: T },
  { type: 'CHILD_ALONE', details: 'alone', $at: T, $actor: TEACHER },
  { type: 'CHILD_MISSING', details: 'missing', $at: T, $actor: TEACHER },
  { type: 'CHILD_MISSING', details: ' ', $at: T, $actor: TEACHER },
  { type: 'ABSENT_AGAIN', date: '2026-03-03', $at: T },
  { type: 'ABSENT_AGAIN', date: '2026-03-01', $at: T },
  { type: 'REGISTER_DROPOUT', consecutiveDays: 20, $at: T },
  { type: 'REGISTER_DROPOUT', consecutiveDays: 3, $at: T },
  { type: TIMER, $at: T },
] as never[];
const ALLOWED_ACTIONS = new Set(['xstate.raise', 'xstate.cancel', 'notify', 'openCase']);
const taken = (s: AnyMachineSnapshot, e: EventObject) => machine.getTransitionData(s as never, e as never);
const serializeState = (s: AnyMachineSnapshot) => JSON.stringify([s.value, ctx(s).absentDays.length > 1]);

describe('school absence: generated paths', () => {
  it('shortest paths reach every state node', () => {
    const paths = getShortestPaths(machine, { input: input(), events: SAMPLE_EVENTS, serializeState });
    const reached = new Set(paths.flatMap((p) => p.steps.flatMap((st) => (st.state as AnyMachineSnapshot)._nodes.map((n: AnyStateNode) => n.id))));
    expect(ALL_NODES.map((n) => n.id).filter((id) => !reached.has(id))).toEqual([]);
  });

  it('simple paths take every transition, emit only actions the engine maps, and every path ends in a final state with one outcome', () => {
    const paths = getSimplePaths(machine, { input: input(), events: SAMPLE_EVENTS, serializeState, filterEvents: (s, e) => taken(s, e).length > 0 });
    const covered = new Set<string>();
    const actionTypes = new Set<string>();
    for (const { state, event } of paths.flatMap(edges)) {
      taken(state, event).forEach((t) => covered.add(key(t)));
      (transition(machine, state as never, event as never)[1] as Action[]).forEach((a) => actionTypes.add(a.type));
    }
    expect(ALL_TRANSITIONS.length).toBe(6);
    expect(ALL_TRANSITIONS.filter((t) => !covered.has(t))).toEqual([]);
    expect([...actionTypes].filter((t) => !ALLOWED_ACTIONS.has(t))).toEqual([]);
    const done = paths.filter((p) => p.state.status === 'done');
    expect(done.length).toBeGreaterThan(8);
    for (const p of done) {
      const effects = edges(p).flatMap(({ state, event }) => paramsOf(transition(machine, state as never, event as never)[1] as Action[], 'openCase'));
      expect(effects.length).toBe(p.state.value === 'explained' ? 0 : 1);
    }
  });
});
