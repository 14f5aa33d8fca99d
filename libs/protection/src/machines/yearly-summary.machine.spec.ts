import { DateTime } from 'luxon';
import { type AnyMachineSnapshot, type AnyStateNode, type EventObject, initialTransition, transition } from 'xstate';
import { getShortestPaths } from 'xstate/graph';
import { allTransitionKeys, edgesOf as edges, stateNodes as nodes, transitionKey as key } from '../testing/paths';
import { CHANGBAI_POLICY } from '../policy/changbai.policy';
import { machinePolicy } from './machine-kit';
import { type YearlySummaryContext, yearlySummaryDefinition, yearlySummaryMachine as machine } from './yearly-summary.machine';
import { type Action, type AnyEvent, raises, timers, cancels, notices, ms } from '../testing/actions';

// 12月中旬 = by 15 December inclusive: due 2026-12-16T00:00+08:00; reminder a week before.
const DUE = DateTime.fromObject({ year: 2026, month: 12, day: 15 }, { zone: 'Asia/Shanghai' }).plus({ days: 1 }).toISO({ suppressMilliseconds: true })!;
const REMIND = '2026-12-09T00:00:00+08:00';
const OPENED = '2026-11-02T09:00:00+08:00';
const TIMER = { reminder: 'xstate.after.summaryReminder.yearly-summary.open.waiting', due: 'xstate.after.summaryDue.yearly-summary.open' };
const UNIT = { userId: 'cadre-kim', unitId: 'maluguo-government', role: 'township' };
const OFFICE = { userId: 'lx-chen', unitId: 'joint-office', role: 'office' };

const refused = (s: AnyMachineSnapshot, e: AnyEvent) => machine.getTransitionData(s as never, e as never).length === 0;
const ctx = (s: AnyMachineSnapshot) => s.context as YearlySummaryContext;
const input = (openedAt = OPENED) => ({ caseId: 'ys-1', subject: { unitId: 'maluguo-government' }, data: { year: 2026 }, policy: machinePolicy(CHANGBAI_POLICY), openedAt });
const open = (openedAt?: string) => {
  const [s, a] = initialTransition(machine, input(openedAt));
  return [s, a as Action[]] as const;
};
function step(s: AnyMachineSnapshot, e: AnyEvent) {
  expect({ event: e.type, taken: !refused(s, e) }).toEqual({ event: e.type, taken: true });
  const [next, actions] = transition(machine, s as never, e as never);
  return [next, actions as Action[]] as const;
}
const SUBMIT = ($at: string, summary: unknown = '2026年关爱保护工作总结 / the 2026 summary'): AnyEvent => ({ type: 'SUBMIT_SUMMARY', summary, $at, $actor: UNIT });

describe('yearly summary', () => {
  it('due at the end of 15 December 2026 (2026-12-16T00:00+08:00); reminder and due timers from openedAt', () => {
    expect(DUE).toBe('2026-12-16T00:00:00+08:00');
    const [s, a] = open();
    expect(s.value).toEqual({ open: 'waiting' });
    expect(ctx(s)).toMatchObject({ year: 2026, dueAt: DUE, remindAt: REMIND });
    expect(timers(a)).toEqual({ [TIMER.reminder]: ms(OPENED, REMIND), [TIMER.due]: ms(OPENED, DUE) });
    expect(CHANGBAI_POLICY.registry.yearlySummaryDue).toMatchObject({ month: 12, day: 15, source: expect.stringContaining('五(三)') });
  });

  it('the reminder goes to the owning unit with the due instant', () => {
    const [s1, a1] = step(open()[0], { type: TIMER.reminder, $at: REMIND });
    expect(s1.value).toEqual({ open: 'reminded' });
    expect(notices(a1)).toEqual([{ to: 'owner', reason: expect.stringContaining('2026-12-16'), deadline: DUE }]);
    expect(raises(a1)).toEqual([]);
  });

  it('opened on 12 December: reminded at once; opened on 16 December: overdue at once', () => {
    const [s1, a1] = open('2026-12-12T09:00:00+08:00');
    expect(s1.value).toEqual({ open: 'reminded' });
    expect(notices(a1).map((n) => n.to)).toEqual(['owner']);
    expect(timers(a1)).toEqual({ [TIMER.due]: ms('2026-12-12T09:00:00+08:00', DUE) });
    const [s2, a2] = open(DUE);
    expect(s2.value).toBe('overdue');
    expect(raises(a2)).toEqual([]);
    expect(notices(a2).map((n) => n.to)).toEqual(CHANGBAI_POLICY.escalation.yearlySummary);
  });

  it('submitted on 15 December at 23:00 is on time; timers cancelled, the office told', () => {
    const when = '2026-12-15T23:00:00+08:00';
    const [s1, a1] = step(open()[0], SUBMIT(when));
    expect(s1.value).toBe('submitted');
    expect(ctx(s1).submitted).toEqual({ summary: '2026年关爱保护工作总结 / the 2026 summary', at: when, by: 'maluguo-government', late: false, lateByMs: 0 });
    expect(cancels(a1).sort()).toEqual([TIMER.due, TIMER.reminder].sort());
    expect(notices(a1)).toEqual([{ to: 'joint-office', reason: expect.stringContaining('五(三)') }]);
  });

  it('missing the due instant escalates to the joint-meeting office; a late summary is taken and marked late', () => {
    const [late, a] = step(open()[0], { type: TIMER.due, $at: DUE });
    expect(late.value).toBe('overdue');
    expect(CHANGBAI_POLICY.escalation.yearlySummary).toEqual(['joint-office']);
    expect(notices(a)).toEqual([{ to: 'joint-office', reason: expect.stringContaining('12月中旬'), escalation: { chain: 'yearlySummary', step: 1 } }]);
    const [s1, a1] = step(late, SUBMIT('2026-12-18T10:00:00+08:00'));
    expect(ctx(s1).submitted).toMatchObject({ late: true, lateByMs: ms(DUE, '2026-12-18T10:00:00+08:00') });
    expect(notices(a1)).toEqual([{ to: 'joint-office', reason: expect.stringContaining('逾期') }]);
  });

  it('refuses an empty summary; only a submitted summary is acknowledged, and that closes it', () => {
    for (const s of [open()[0], open(DUE)[0]]) for (const bad of ['', '  ', null, 42]) expect(refused(s, SUBMIT('2026-12-10T10:00:00+08:00', bad))).toBe(true);
    expect(refused(open()[0], { type: 'ACKNOWLEDGE' })).toBe(true);
    const [s1] = step(open()[0], SUBMIT('2026-12-10T10:00:00+08:00'));
    const [s2, a2] = step(s1, { type: 'ACKNOWLEDGE', $at: '2026-12-17T10:00:00+08:00', $actor: OFFICE });
    expect(s2.status).toBe('done');
    expect(ctx(s2)).toMatchObject({ acknowledgedAt: '2026-12-17T10:00:00+08:00', acknowledgedBy: 'lx-chen' });
    expect(a2).toEqual([]);
  });

  it('the definition checks a unit subject and the year; any member unit submits, the office acknowledges', () => {
    const def = yearlySummaryDefinition(CHANGBAI_POLICY);
    expect(def).toMatchObject({ id: 'yearly-summary', version: 1 });
    expect(def.permissions.events.ACKNOWLEDGE).toEqual(['office']);
    expect(def.permissions.events.SUBMIT_SUMMARY).toEqual(expect.arrayContaining(['township', 'civil_affairs', 'police', 'psb', 'office']));
    expect(def.validateOpen!({ subject: { unitId: 'county-education' }, data: { year: 2026 } })).toEqual([]);
    expect(def.validateOpen!({ subject: { township: 'maluguo' }, data: { year: '2026' } }).map((p) => p.field)).toEqual(['subject.unitId', 'data.year']);
  });
});

const ALL_NODES = nodes(machine.root);
const ALL_TRANSITIONS = allTransitionKeys(machine);
const taken = (s: AnyMachineSnapshot, e: EventObject) => machine.getTransitionData(s as never, e as never);
const SAMPLE = [SUBMIT('2026-12-10T10:00:00+08:00'), SUBMIT('2026-12-10T10:00:00+08:00', ''), { type: 'ACKNOWLEDGE' }, { type: TIMER.reminder, $at: REMIND }, { type: TIMER.due, $at: DUE }] as never[];

it('yearly summary: generated paths from the three openings reach every resting state and take every transition', () => {
  const reached = new Set<string>();
  const covered = new Set<string>();
  for (const openedAt of [OPENED, '2026-12-12T09:00:00+08:00', DUE]) {
    for (const p of getShortestPaths(machine, { input: input(openedAt), events: SAMPLE, serializeState: (s) => JSON.stringify(s.value), filterEvents: (s, e) => taken(s, e).length > 0 })) {
      (p.state as AnyMachineSnapshot)._nodes.forEach((n: AnyStateNode) => reached.add(n.id));
      for (const { state, event } of [...edges(p), ...SAMPLE.map((event) => ({ state: p.state, event: event as EventObject }))]) taken(state, event).forEach((t) => covered.add(key(t)));
    }
  }
  expect(machine.root.states.opening!.always).toHaveLength(3);
  expect(ALL_NODES.map((n) => n.id).filter((id) => !reached.has(id) && id !== 'yearly-summary.opening')).toEqual([]);
  expect(ALL_TRANSITIONS.length).toBe(5);
  expect(ALL_TRANSITIONS.filter((t) => !covered.has(t))).toEqual([]);
});
