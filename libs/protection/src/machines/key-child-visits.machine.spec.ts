import { DateTime, Duration } from 'luxon';
import { type AnyMachineSnapshot, type AnyStateNode, type EventObject, initialTransition, transition } from 'xstate';
import { getShortestPaths } from 'xstate/graph';
import { allTransitionKeys, stateNodes as nodes, transitionKey as key } from '../testing/paths';
import { CHANGBAI_POLICY } from '../policy/changbai.policy';
import { type KeyChildContext, keyChildVisitsDefinition, keyChildVisitsMachine as machine } from './key-child-visits.machine';
import { machinePolicy } from './machine-kit';
import { type Action, type AnyEvent, raises, timers, cancels, notices, ms } from '../testing/actions';

const OPENED = '2026-04-01T09:00:00+08:00';
const TIMER = 'xstate.after.keyChildVisitEvery.key-child-visits.visiting.waiting';
const DIRECTOR = { userId: 'dir-pak', unitId: 'maluguo-village', role: 'child_director' };

const refused = (s: AnyMachineSnapshot, e: AnyEvent) => machine.getTransitionData(s as never, e as never).length === 0;
const ctx = (s: AnyMachineSnapshot) => s.context as KeyChildContext;
const input = () => ({ caseId: 'kc-1', subject: { childId: 'child-1', township: 'maluguo', village: 'maluguo-village' }, data: {}, policy: machinePolicy(CHANGBAI_POLICY), openedAt: OPENED });
const open = () => {
  const [s, a] = initialTransition(machine, input());
  return [s, a as Action[]] as const;
};
function step(s: AnyMachineSnapshot, e: AnyEvent) {
  expect({ event: e.type, taken: !refused(s, e) }).toEqual({ event: e.type, taken: true });
  const [next, actions] = transition(machine, s as never, e as never);
  return [next, actions as Action[]] as const;
}
const VISIT = ($at: string, concern = false, findings: unknown = '情况稳定 / stable'): AnyEvent => ({ type: 'RECORD_VISIT', findings, concern, $at, $actor: DIRECTOR });

describe('key-child visits', () => {
  it('opens visiting with one reminder 30 days from openedAt', () => {
    const [s, a] = open();
    expect(s.value).toEqual({ visiting: 'waiting' });
    const every = CHANGBAI_POLICY.registry.keyChildVisitEvery;
    expect(every).toMatchObject({ duration: 'P30D', calendar: 'natural', source: expect.stringContaining('四(二)2') });
    expect(timers(a)).toEqual({ [TIMER]: DateTime.fromISO(OPENED, { zone: 'Asia/Shanghai' }).plus(Duration.fromISO(every.duration)).toMillis() - DateTime.fromISO(OPENED).toMillis() });
    expect(timers(a)[TIMER]).toBe(ms(OPENED, '2026-05-01T09:00:00+08:00'));
  });

  it('the reminder re-arms itself one slot at a time and counts missed rhythms', () => {
    const [s0] = open();
    const [s1, a1] = step(s0, { type: TIMER, $at: '2026-05-01T09:00:00+08:00' });
    expect(notices(a1)).toEqual([{ to: 'village-committee', reason: expect.stringContaining('1 missed') }]);
    expect(cancels(a1)).toEqual([TIMER]);
    expect(timers(a1)).toEqual({ [TIMER]: ms('2026-05-01T09:00:00+08:00', '2026-05-31T09:00:00+08:00') });
    const [s2, a2] = step(s1, { type: TIMER, $at: '2026-05-31T09:00:00+08:00' });
    expect(ctx(s2).missedRhythms).toBe(2);
    expect(notices(a2)[0]!.reason).toContain('2 missed');
  });

  it('a visit restarts the rhythm from the visit and resets the missed count; no notice without a concern', () => {
    const [s0] = step(open()[0], { type: TIMER, $at: '2026-05-01T09:00:00+08:00' });
    const when = '2026-05-06T15:00:00+08:00';
    const [s1, a1] = step(s0, VISIT(when));
    expect(ctx(s1)).toMatchObject({ missedRhythms: 0, visits: [{ findings: '情况稳定 / stable', concern: false, at: when, by: 'dir-pak' }] });
    expect(cancels(a1)).toEqual([TIMER]);
    expect(timers(a1)).toEqual({ [TIMER]: ms(when, '2026-06-05T15:00:00+08:00') });
    expect(notices(a1)).toEqual([]);
  });

  it('a visit with a concern tells the township government with the findings', () => {
    const [s1, a1] = step(open()[0], VISIT('2026-04-10T15:00:00+08:00', true, '祖父住院，无人照料 / grandfather in hospital'));
    expect(s1.value).toEqual({ visiting: 'waiting' });
    expect(notices(a1)).toEqual([{ to: 'township-government', reason: expect.stringContaining('grandfather in hospital') }]);
    expect(raises(a1)).toHaveLength(1);
  });

  it('refuses visits without findings or a yes/no concern, and an END without a reason', () => {
    const [s0] = open();
    for (const bad of [VISIT(OPENED, false, ''), VISIT(OPENED, false, null), { ...VISIT(OPENED), concern: 'yes' }, { ...VISIT(OPENED), concern: undefined }]) expect(refused(s0, bad)).toBe(true);
    for (const reason of ['', ' ', undefined]) expect(refused(s0, { type: 'END', reason })).toBe(true);
  });

  it('END ends the case and cancels the reminder', () => {
    const [s1, a1] = step(open()[0], { type: 'END', reason: ' 父母返乡 / parents back home ', $at: '2026-06-01T09:00:00+08:00' });
    expect(s1.status).toBe('done');
    expect(ctx(s1)).toMatchObject({ endedAt: '2026-06-01T09:00:00+08:00', endReason: '父母返乡 / parents back home' });
    expect(cancels(a1)).toEqual([TIMER]);
    expect(raises(a1)).toEqual([]);
    expect(refused(s1, VISIT('2026-06-02T09:00:00+08:00'))).toBe(true);
  });

  it('the definition needs a child subject with its village; village or civil affairs ends it', () => {
    const def = keyChildVisitsDefinition(CHANGBAI_POLICY);
    expect(def.permissions.events.END).toEqual(['village', 'civil_affairs']);
    expect(def.permissions.events.RECORD_VISIT).toContain('child_director');
    expect(def.validateOpen!({ subject: input().subject, data: {} })).toEqual([]);
    expect(def.validateOpen!({ subject: { childId: 'child-1', township: 'maluguo' }, data: {} }).map((p) => p.field)).toEqual(['subject.village']);
    expect(def.validateOpen!({ subject: { township: 'maluguo', village: 'v' }, data: {} }).map((p) => p.field)).toEqual(['subject.childId']);
  });
});

const ALL_NODES = nodes(machine.root);
const ALL_TRANSITIONS = allTransitionKeys(machine);
const taken = (s: AnyMachineSnapshot, e: EventObject) => machine.getTransitionData(s as never, e as never);
const SAMPLE = [VISIT(OPENED), VISIT(OPENED, true), VISIT(OPENED, false, ''), { type: 'END', reason: 'moved away' }, { type: TIMER }] as never[];

it('key-child visits: generated paths reach every state and take every transition, with only notify as an effect', () => {
  const paths = getShortestPaths(machine, { input: input(), events: SAMPLE, serializeState: (s) => JSON.stringify(s.value), filterEvents: (s, e) => taken(s, e).length > 0 });
  const reached = new Set(paths.flatMap((p) => (p.state as AnyMachineSnapshot)._nodes.map((n: AnyStateNode) => n.id)));
  expect(ALL_NODES.map((n) => n.id).filter((id) => !reached.has(id))).toEqual([]);
  const covered = new Set<string>();
  const types = new Set<string>();
  for (const p of paths) for (const e of SAMPLE) {
    taken(p.state, e).forEach((t) => covered.add(key(t)));
    if (taken(p.state, e).length) (transition(machine, p.state as never, e)[1] as Action[]).forEach((a) => types.add(a.type));
  }
  expect(ALL_TRANSITIONS.length).toBe(4);
  expect(ALL_TRANSITIONS.filter((t) => !covered.has(t))).toEqual([]);
  expect([...types].sort()).toEqual(['notify', 'xstate.cancel', 'xstate.raise']);
});
