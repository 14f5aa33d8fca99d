import { type AnyMachineSnapshot, type AnyStateNode, type EventObject, initialTransition, transition } from 'xstate';
import { getShortestPaths } from 'xstate/graph';
import { allTransitionKeys, edgesOf as edges, stateNodes as nodes, transitionKey as key } from '../testing/paths';
import { CHANGBAI_POLICY } from '../policy/changbai.policy';
import { machinePolicy } from './machine-kit';
import { type QuarterlyReturnContext, quarterlyReturnDefinition, quarterlyReturnMachine as machine } from './quarterly-return.machine';
import { type Action, type AnyEvent, raises, timers, cancels, notices, ms } from '../testing/actions';

// Q1 2026 in Changbai (Asia/Shanghai): due before 20 March, i.e. at 2026-03-20T00:00+08:00; reminder a week before.
const DUE = '2026-03-20T00:00:00+08:00';
const REMIND = '2026-03-13T00:00:00+08:00';
const OPENED = '2026-01-05T09:00:00+08:00';
const TIMER = { reminder: 'xstate.after.returnReminder.quarterly-return.open.waiting', due: 'xstate.after.returnDue.quarterly-return.open' };
const TOWNSHIP = { userId: 'cadre-kim', unitId: 'maluguo-government', role: 'township' };
const CIVIL = { userId: 'mz-wang', unitId: 'county-civil-affairs', role: 'civil_affairs' };

const refused = (s: AnyMachineSnapshot, e: AnyEvent) => machine.getTransitionData(s as never, e as never).length === 0;
const ctx = (s: AnyMachineSnapshot) => s.context as QuarterlyReturnContext;
const input = (openedAt = OPENED, quarter = '2026-Q1', policy = CHANGBAI_POLICY) => ({ caseId: 'qr-1', subject: { township: 'maluguo' }, data: { quarter }, policy: machinePolicy(policy), openedAt });
const open = (openedAt?: string, quarter?: string) => {
  const [s, a] = initialTransition(machine, input(openedAt, quarter));
  return [s, a as Action[]] as const;
};
function step(s: AnyMachineSnapshot, e: AnyEvent) {
  expect({ event: e.type, taken: !refused(s, e) }).toEqual({ event: e.type, taken: true });
  const [next, actions] = transition(machine, s as never, e as never);
  return [next, actions as Action[]] as const;
}
const FILE = ($at: string, figures: Partial<Record<string, unknown>> = {}): AnyEvent => ({ type: 'FILE_RETURN', newCount: 3, changedCount: 5, noLongerLeftBehind: 2, moved: 1, ...figures, $at, $actor: TOWNSHIP });
const ACCEPT = ($at = '2026-03-25T10:00:00+08:00'): AnyEvent => ({ type: 'ACCEPT_RETURN', $at, $actor: CIVIL });

describe('quarterly return: the due instant and the reminder', () => {
  it('Q1 2026 opened on 5 January: due 2026-03-20T00:00+08:00, reminder 2026-03-13T00:00+08:00, both timers from openedAt', () => {
    const [s, a] = open();
    expect(s.value).toEqual({ open: 'waiting' });
    expect(ctx(s)).toMatchObject({ quarter: '2026-Q1', dueAt: DUE, remindAt: REMIND, remindedAt: null, overdueAt: null, filed: null });
    expect(timers(a)).toEqual({ [TIMER.reminder]: ms(OPENED, REMIND), [TIMER.due]: ms(OPENED, DUE) });
    expect(notices(a)).toEqual([]);
  });

  it.each([
    ['2026-Q2', '2026-06-20T00:00:00+08:00'],
    ['2026-Q3', '2026-09-20T00:00:00+08:00'],
    ['2026-Q4', '2026-12-20T00:00:00+08:00'],
  ])('%s is due at %s', (quarter, due) => {
    const [s, a] = open('2026-04-01T09:00:00+08:00', quarter);
    expect(ctx(s).dueAt).toBe(due);
    expect(timers(a)[TIMER.due]).toBe(ms('2026-04-01T09:00:00+08:00', due));
  });

  it('the reminder tells the township with the due instant, then only the due timer is pending', () => {
    const [s0] = open();
    const [s1, a1] = step(s0, { type: TIMER.reminder, $at: REMIND });
    expect(s1.value).toEqual({ open: 'reminded' });
    expect(ctx(s1).remindedAt).toBe(REMIND);
    expect(notices(a1)).toEqual([{ to: 'township-government', reason: expect.stringContaining('2026-03-20'), deadline: DUE }]);
    expect(raises(a1)).toEqual([]);
    expect(cancels(a1)).toEqual([TIMER.reminder]);
  });

  it('opened on 15 March (after the reminder instant): the reminder goes out at once in the opening transition, no reminder timer', () => {
    const late = '2026-03-15T09:00:00+08:00';
    const [s, a] = open(late);
    expect(s.value).toEqual({ open: 'reminded' });
    expect(ctx(s).remindedAt).toBe(late);
    expect(notices(a)).toEqual([{ to: 'township-government', reason: expect.stringContaining('2026-Q1'), deadline: DUE }]);
    expect(timers(a)).toEqual({ [TIMER.due]: ms(late, DUE) });
  });

  it('opened at or after the due instant: overdue at once, the chain told, no timers', () => {
    for (const late of [DUE, '2026-03-21T09:00:00+08:00']) {
      const [s, a] = open(late);
      expect(s.value).toBe('overdue');
      expect(ctx(s).overdueAt).toBe(late);
      expect(raises(a)).toEqual([]);
      expect(notices(a).map((n) => n.to)).toEqual(CHANGBAI_POLICY.escalation.quarterlyReturn);
    }
  });
});

describe('quarterly return: filing, overdue, acceptance', () => {
  it('filed before the due instant: filedOnTime, both timers cancelled, civil affairs told; figures and filer kept', () => {
    const [s0] = open();
    const filedAt = '2026-03-19T23:59:00+08:00'; // the 19th is the last full day
    const [s1, a1] = step(s0, FILE(filedAt));
    expect(s1.value).toBe('filedOnTime');
    expect(ctx(s1).filed).toEqual({ newCount: 3, changedCount: 5, noLongerLeftBehind: 2, moved: 1, at: filedAt, by: 'maluguo-government', late: false, lateByMs: 0 });
    expect(cancels(a1).sort()).toEqual([TIMER.due, TIMER.reminder].sort());
    expect(raises(a1)).toEqual([]);
    expect(notices(a1)).toEqual([{ to: 'county-civil-affairs', reason: expect.stringContaining('filed') }]);
    expect(refused(s1, { type: TIMER.due, $at: DUE })).toBe(true);
  });

  it('the due timer escalates along the quarterlyReturn chain (civil affairs, then the joint-meeting office)', () => {
    const [s0] = open();
    const [s1] = step(s0, { type: TIMER.reminder, $at: REMIND });
    const [s2, a2] = step(s1, { type: TIMER.due, $at: DUE });
    expect(s2.value).toBe('overdue');
    expect(CHANGBAI_POLICY.escalation.quarterlyReturn).toEqual(['county-civil-affairs', 'joint-office']);
    expect(notices(a2)).toEqual(
      CHANGBAI_POLICY.escalation.quarterlyReturn.map((to, i) => ({ to, reason: expect.stringContaining('四(一)'), escalation: { chain: 'quarterlyReturn', step: i + 1 } })),
    );
    expect(ctx(s2).overdueAt).toBe(DUE);
  });

  it('a late return is taken from overdue and its lateness recorded', () => {
    const [s0] = step(open()[0], { type: TIMER.due, $at: DUE });
    const filedAt = '2026-03-22T10:00:00+08:00';
    const [s1, a1] = step(s0, FILE(filedAt));
    expect(s1.value).toBe('filedLate');
    expect(ctx(s1).filed).toMatchObject({ late: true, lateByMs: ms(DUE, filedAt) });
    expect(notices(a1)).toEqual([{ to: 'county-civil-affairs', reason: expect.stringContaining('逾期') }]);
  });

  it('a return stamped at the due instant before the timer fired is late all the same', () => {
    const [s1, a1] = step(open()[0], FILE(DUE));
    expect(s1.value).toBe('filedLate');
    expect(ctx(s1).filed).toMatchObject({ late: true, lateByMs: 0 });
    expect(cancels(a1)).toContain(TIMER.due);
  });

  it('refuses returns whose figures are not whole non-negative numbers, in open and overdue', () => {
    const overdue = step(open()[0], { type: TIMER.due, $at: DUE })[0];
    for (const s of [open()[0], overdue]) {
      for (const bad of [{ newCount: -1 }, { changedCount: 1.5 }, { moved: '2' }, { noLongerLeftBehind: undefined }]) expect(refused(s, FILE('2026-03-10T10:00:00+08:00', bad))).toBe(true);
      expect(refused(s, FILE('2026-03-10T10:00:00+08:00'))).toBe(false);
    }
  });

  it.each([
    ['filedOnTime', '2026-03-18T10:00:00+08:00'],
    ['filedLate', '2026-03-21T10:00:00+08:00'],
  ])('ACCEPT_RETURN from %s ends the case; nothing before filing accepts', (state, filedAt) => {
    const [s0] = step(open()[0], FILE(filedAt));
    expect(s0.value).toBe(state);
    const [s1, a1] = step(s0, ACCEPT());
    expect(s1.status).toBe('done');
    expect(ctx(s1)).toMatchObject({ acceptedAt: '2026-03-25T10:00:00+08:00', acceptedBy: 'mz-wang' });
    expect(a1).toEqual([]);
    expect(refused(open()[0], ACCEPT())).toBe(true);
    expect(refused(s0, FILE(filedAt))).toBe(true); // one return per case
  });

  it('the policy values cite 四(一)', () => {
    expect(CHANGBAI_POLICY.registry.quarterlyReturnDay).toBe(20);
    expect(CHANGBAI_POLICY.registry.reminderBefore).toMatchObject({ duration: 'P7D', calendar: 'natural', source: expect.stringContaining('四(一)') });
  });
});

describe('quarterlyReturnDefinition', () => {
  const def = quarterlyReturnDefinition(CHANGBAI_POLICY);
  it('validates its own subject (a township) and the quarter, not a child', () => {
    expect(def).toMatchObject({ id: 'quarterly-return', version: 1, policy: { id: 'changbai' } });
    expect(def.permissions.events).toEqual({ FILE_RETURN: ['township'], ACCEPT_RETURN: ['civil_affairs'] });
    expect(def.validateOpen!({ subject: { township: 'maluguo' }, data: { quarter: '2026-Q3' } })).toEqual([]);
    expect(def.validateOpen!({ subject: { township: 'Maluguo!' }, data: { quarter: '2026-Q5' } }).map((p) => p.field)).toEqual(['subject.township', 'data.quarter']);
    for (const quarter of ['2026Q1', '26-Q1', 2026, undefined]) expect(def.validateOpen!({ subject: { township: 'maluguo' }, data: { quarter } })).toHaveLength(1);
  });
  it('builds its input through the engine path', () => {
    const built = def.input!({ caseId: 'qr-9', subject: { township: 'maluguo' }, data: { quarter: '2026-Q1' }, policy: def.policy, openedAt: OPENED, ownerUnitId: 'maluguo-government' });
    const [s] = initialTransition(machine, built as never);
    expect(ctx(s)).toMatchObject({ caseId: 'qr-9', dueAt: DUE, subject: { township: 'maluguo' } });
  });
});

// ---- generated paths -------------------------------------------------------------------------
const ALL_NODES = nodes(machine.root);
const TRANSIENT = ['quarterly-return.opening'];
const ALL_TRANSITIONS = allTransitionKeys(machine);
const taken = (s: AnyMachineSnapshot, e: EventObject) => machine.getTransitionData(s as never, e as never);
const SAMPLE = [FILE('2026-03-10T10:00:00+08:00'), FILE(DUE), FILE('2026-03-10T10:00:00+08:00', { moved: -1 }), ACCEPT(), { type: TIMER.reminder, $at: REMIND }, { type: TIMER.due, $at: DUE }] as never[];

describe('quarterly return: generated paths', () => {
  it('from the three openings, shortest paths reach every resting state and take every transition, the opening branches included', () => {
    const reached = new Set<string>();
    const covered = new Set<string>();
    const actionTypes = new Set<string>();
    for (const openedAt of [OPENED, '2026-03-15T09:00:00+08:00', '2026-03-21T09:00:00+08:00']) {
      const [s0, a0] = open(openedAt);
      a0.forEach((a) => actionTypes.add(a.type));
      const paths = getShortestPaths(machine, { input: input(openedAt), events: SAMPLE, serializeState: (s) => JSON.stringify(s.value), filterEvents: (s, e) => taken(s, e).length > 0 });
      expect(paths.length).toBeGreaterThan(0);
      s0._nodes.forEach((n: AnyStateNode) => n.id && reached.add(n.id));
      for (const p of paths) {
        (p.state as AnyMachineSnapshot)._nodes.forEach((n: AnyStateNode) => reached.add(n.id));
        for (const { state, event } of [...edges(p), ...SAMPLE.map((event) => ({ state: p.state, event: event as EventObject }))]) {
          taken(state, event).forEach((t) => covered.add(key(t)));
          if (taken(state, event).length) (transition(machine, state as never, event as never)[1] as Action[]).forEach((a) => actionTypes.add(a.type));
        }
      }
    }
    // The opening's three eventless branches (not in `transitions`): each of the three openings takes another one.
    expect(machine.root.states.opening!.always).toHaveLength(3);
    expect([OPENED, '2026-03-15T09:00:00+08:00', '2026-03-21T09:00:00+08:00'].map((o) => JSON.stringify(open(o)[0].value))).toEqual(['{"open":"waiting"}', '{"open":"reminded"}', '"overdue"']);
    expect(ALL_NODES.map((n) => n.id).filter((id) => !reached.has(id) && !TRANSIENT.includes(id))).toEqual([]);
    expect(ALL_TRANSITIONS.length).toBe(7);
    expect(ALL_TRANSITIONS.filter((t) => !covered.has(t))).toEqual([]);
    expect([...actionTypes].sort()).toEqual(['notify', 'xstate.cancel', 'xstate.raise']);
  });

  it('every path to accepted files exactly once, and a late path escalates before or is marked late', () => {
    const paths = getShortestPaths(machine, { input: input(), events: SAMPLE, serializeState: (s) => JSON.stringify(s.value), filterEvents: (s, e) => taken(s, e).length > 0, toState: (s) => s.status === 'done' });
    expect(paths.length).toBeGreaterThan(0);
    for (const p of paths) {
      const types = edges(p).map((e) => e.event.type);
      expect(types.filter((t) => t === 'FILE_RETURN')).toHaveLength(1);
      expect(types[types.length - 1]).toBe('ACCEPT_RETURN');
      expect((p.state.context as QuarterlyReturnContext).filed!.late).toBe(types.includes(TIMER.due) || (p.state.context as QuarterlyReturnContext).filed!.at >= DUE);
    }
  });
});
