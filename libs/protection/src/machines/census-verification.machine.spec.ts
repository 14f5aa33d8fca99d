import { type AnyMachineSnapshot, type AnyStateNode, type EventObject, initialTransition, transition } from 'xstate';
import { getShortestPaths, getSimplePaths } from 'xstate/graph';
import { allTransitionKeys, edgesOf as edges, stateNodes as nodes, transitionKey as key } from '../testing/paths';
import { CHANGBAI_POLICY } from '../policy/changbai.policy';
import { type CensusContext, censusVerificationDefinition, censusVerificationMachine as machine } from './census-verification.machine';
import { machinePolicy } from './machine-kit';
import { type Action, type AnyEvent, raises, timers, cancels, notices, ms } from '../testing/actions';

// Changbai (Asia/Shanghai). 2026-04-06 and 2026-04-20 are Mondays; the working calendar is Monday–Friday.
const OPENED = '2026-04-01T09:00:00+08:00';
const REVIEWED_AT = '2026-04-06T10:00:00+08:00';
const VERIFIED_AT = '2026-04-15T15:00:00+08:00'; // Wednesday
const TIMER = {
  police: 'xstate.after.policeVerification.census-verification.policeVerifying.inTime',
  answer: 'xstate.after.discrepancyAnswer.census-verification.discrepanciesWithVillage.inTime',
};
const VILLAGE = { userId: 'cun-li', unitId: 'maluguo-village', role: 'village' };
const TOWNSHIP = { userId: 'cadre-kim', unitId: 'maluguo-government', role: 'township' };
const POLICE = { userId: 'pcs-zhao', unitId: 'maluguo-police', role: 'police' };
const CIVIL = { userId: 'mz-wang', unitId: 'county-civil-affairs', role: 'civil_affairs' };

const refused = (s: AnyMachineSnapshot, e: AnyEvent) => machine.getTransitionData(s as never, e as never).length === 0;
const ctx = (s: AnyMachineSnapshot) => s.context as CensusContext;
const input = () => ({ caseId: 'census-1', subject: { township: 'maluguo', village: 'maluguo-village' }, data: { records: 42 }, policy: machinePolicy(CHANGBAI_POLICY), openedAt: OPENED });
const open = () => {
  const [s, a] = initialTransition(machine, input());
  return [s, a as Action[]] as const;
};
function step(s: AnyMachineSnapshot, e: AnyEvent) {
  expect({ event: e.type, taken: !refused(s, e) }).toEqual({ event: e.type, taken: true });
  const [next, actions] = transition(machine, s as never, e as never);
  return [next, actions as Action[]] as const;
}
function run(s: AnyMachineSnapshot, ...events: AnyEvent[]) {
  let out: readonly [AnyMachineSnapshot, Action[]] = [s, []];
  for (const e of events) out = step(out[0], e);
  return out;
}
const SUBMIT: AnyEvent = { type: 'SUBMIT_RECORDS', count: 42, $at: '2026-04-03T16:00:00+08:00', $actor: VILLAGE };
const REVIEW: AnyEvent = { type: 'REVIEWED', $at: REVIEWED_AT, $actor: TOWNSHIP };
const D1 = { childId: 'child-7', field: 'household registration', note: '户籍在外县 / registered in another county' };
const VERIFY = (discrepancies: unknown[], $at = VERIFIED_AT): AnyEvent => ({ type: 'VERIFIED', discrepancies, $at, $actor: POLICE });
const RESOLVE = ($at = '2026-04-20T11:00:00+08:00'): AnyEvent => ({ type: 'DISCREPANCIES_RESOLVED', note: '已更正 / corrected', $at, $actor: VILLAGE });
const verifying = () => run(open()[0], SUBMIT, REVIEW);
const withVillage = () => run(verifying()[0], VERIFY([D1]));

describe('census verification', () => {
  it('opens collecting with no timers and the village and count from the data', () => {
    const [s, a] = open();
    expect(s.value).toBe('collecting');
    expect(ctx(s)).toMatchObject({ village: 'maluguo-village', records: 42, submissions: [] });
    expect(a).toEqual([]);
  });

  it('the village submits (a whole count), the township is told to review', () => {
    const [s0] = open();
    for (const count of [-1, 2.5, '42', undefined]) expect(refused(s0, { ...SUBMIT, count })).toBe(true);
    const [s1, a1] = step(s0, SUBMIT);
    expect(s1.value).toBe('townshipReview');
    expect(ctx(s1).submissions).toEqual([{ count: 42, at: '2026-04-03T16:00:00+08:00', by: 'maluguo-village' }]);
    expect(notices(a1)).toEqual([{ to: 'township-government', reason: expect.stringContaining('42') }]);
  });

  it('REVIEWED hands the records to the township police with 10 working days from the review', () => {
    const [s1, a1] = step(step(open()[0], SUBMIT)[0], REVIEW);
    expect(s1.value).toEqual({ policeVerifying: 'inTime' });
    expect(ctx(s1).reviewedAt).toBe(REVIEWED_AT);
    expect(notices(a1)).toEqual([{ to: 'township-police', reason: expect.stringContaining('户口登记') }]);
    // Monday 10:00 + 10 working days = the Monday two weeks on, 10:00.
    expect(timers(a1)).toEqual({ [TIMER.police]: ms(REVIEWED_AT, '2026-04-20T10:00:00+08:00') });
    expect(CHANGBAI_POLICY.registry.policeVerification).toMatchObject({ duration: 'P10D', calendar: 'working', source: expect.stringContaining('四(一)') });
  });

  it('missed verification escalates along the policeVerification chain and still takes VERIFIED', () => {
    const [s0] = verifying();
    const [late, a] = step(s0, { type: TIMER.police, $at: '2026-04-20T10:00:00+08:00' });
    expect(late.value).toEqual({ policeVerifying: 'overdue' });
    expect(CHANGBAI_POLICY.escalation.policeVerification).toEqual(['county-psb', 'county-civil-affairs']);
    expect(notices(a)).toEqual(
      CHANGBAI_POLICY.escalation.policeVerification.map((to, i) => ({ to, reason: expect.stringContaining('核实'), escalation: { chain: 'policeVerification', step: i + 1 } })),
    );
    expect(step(late, VERIFY([], '2026-04-21T09:00:00+08:00'))[0].value).toBe('reportedToCivilAffairs');
  });

  it('no discrepancies: the result returns to county civil affairs, the deadline is cancelled, civil affairs closes', () => {
    const [s0] = verifying();
    const [s1, a1] = step(s0, VERIFY([]));
    expect(s1.value).toBe('reportedToCivilAffairs');
    expect(ctx(s1).verifications).toEqual([{ at: VERIFIED_AT, by: 'maluguo-police', discrepancies: [] }]);
    expect(notices(a1)).toEqual([{ to: 'county-civil-affairs', reason: expect.stringContaining('反馈县民政局') }]);
    expect(cancels(a1)).toEqual([TIMER.police]);
    expect(raises(a1)).toEqual([]);
    const [s2, a2] = step(s1, { type: 'CLOSE', $at: '2026-04-16T09:00:00+08:00', $actor: CIVIL });
    expect(s2.status).toBe('done');
    expect(ctx(s2).closedAt).toBe('2026-04-16T09:00:00+08:00');
    expect(a2).toEqual([]);
    for (const [s] of [open(), verifying(), withVillage()]) expect(refused(s, { type: 'CLOSE' })).toBe(true);
  });

  it('refuses malformed verification results', () => {
    const [s0] = verifying();
    for (const bad of [undefined, 'none', [{ ...D1, childId: '' }], [{ ...D1, field: ' ' }], [{ ...D1, note: undefined }], [null]]) {
      expect(refused(s0, { type: 'VERIFIED', discrepancies: bad, $at: VERIFIED_AT })).toBe(true);
    }
  });

  it('discrepancies go back to the village with 10 working days to answer; missing it tells the township', () => {
    const [s0] = verifying();
    const [s1, a1] = step(s0, VERIFY([D1, { ...D1, childId: 'child-9', field: 'ID number' }]));
    expect(s1.value).toEqual({ discrepanciesWithVillage: 'inTime' });
    expect(ctx(s1).verifications[0]!.discrepancies).toHaveLength(2);
    expect(notices(a1)).toEqual([{ to: 'village-committee', reason: expect.stringContaining('2 处不一致') }]);
    expect(cancels(a1)).toEqual([TIMER.police]);
    // Wednesday 15:00 + 10 working days = Wednesday 29 April, 15:00.
    expect(timers(a1)).toEqual({ [TIMER.answer]: ms(VERIFIED_AT, '2026-04-29T15:00:00+08:00') });
    const [late, a2] = step(s1, { type: TIMER.answer, $at: '2026-04-29T15:00:00+08:00' });
    expect(late.value).toEqual({ discrepanciesWithVillage: 'overdue' });
    expect(notices(a2)).toEqual([{ to: 'township-government', reason: expect.stringContaining('逾期') }]);
    expect(CHANGBAI_POLICY.registry.discrepancyAnswer.source).toContain('公安机关核实户口登记');
  });

  it('the village answer sends the records to the police again, with a fresh deadline from the answer', () => {
    const [s0] = withVillage();
    expect(refused(s0, { ...RESOLVE(), note: '' })).toBe(true);
    const [s1, a1] = step(s0, RESOLVE());
    expect(s1.value).toEqual({ policeVerifying: 'inTime' });
    expect(ctx(s1).answers).toEqual([{ at: '2026-04-20T11:00:00+08:00', note: '已更正 / corrected' }]);
    expect(notices(a1)).toEqual([{ to: 'township-police', reason: expect.any(String) }]);
    expect(cancels(a1)).toEqual([TIMER.answer]);
    expect(timers(a1)).toEqual({ [TIMER.police]: ms('2026-04-20T11:00:00+08:00', '2026-05-04T11:00:00+08:00') });
    const [s2] = step(s1, VERIFY([], '2026-04-22T10:00:00+08:00'));
    expect(s2.value).toBe('reportedToCivilAffairs');
    expect(ctx(s2).verifications.map((v) => v.discrepancies.length)).toEqual([1, 0]);
  });
});

describe('censusVerificationDefinition', () => {
  const def = censusVerificationDefinition(CHANGBAI_POLICY);
  it('validates a township subject and the village and count, and gives each event its roles', () => {
    expect(def).toMatchObject({ id: 'census-verification', version: 1 });
    expect(def.permissions.events).toMatchObject({ REVIEWED: ['township'], VERIFIED: ['police'], CLOSE: ['civil_affairs'] });
    expect(def.permissions.events.SUBMIT_RECORDS).toContain('village');
    expect(def.validateOpen!({ subject: { township: 'maluguo', village: 'maluguo-village' }, data: { records: 0 } })).toEqual([]);
    expect(def.validateOpen!({ subject: { childId: 'c-1', village: 'X Y' }, data: { records: -3 } }).map((p) => p.field)).toEqual(['subject.township', 'subject.village', 'data.records']);
  });
});

// ---- generated paths -------------------------------------------------------------------------
const ALL_NODES = nodes(machine.root);
const ALL_TRANSITIONS = allTransitionKeys(machine);
const taken = (s: AnyMachineSnapshot, e: EventObject) => machine.getTransitionData(s as never, e as never);
const SAMPLE = [SUBMIT, REVIEW, VERIFY([]), VERIFY([D1]), VERIFY(['bad']), RESOLVE(), { type: 'CLOSE' }, ...Object.values(TIMER).map((type) => ({ type }))] as never[];
const filterEvents = (s: AnyMachineSnapshot, e: EventObject) => taken(s, e).length > 0;
const serializeState = (s: AnyMachineSnapshot) => JSON.stringify([s.value, ctx(s).verifications.length > 0]);

describe('census verification: generated paths', () => {
  it('shortest paths, extended by every event their end state takes, reach every state and take every transition', () => {
    const paths = getShortestPaths(machine, { input: input(), events: SAMPLE, serializeState, filterEvents });
    const reached = new Set(paths.flatMap((p) => (p.state as AnyMachineSnapshot)._nodes.map((n: AnyStateNode) => n.id)));
    expect(ALL_NODES.map((n) => n.id).filter((id) => !reached.has(id))).toEqual([]);
    const covered = new Set<string>();
    const actionTypes = new Set<string>();
    for (const p of paths) {
      for (const { state, event } of [...edges(p), ...SAMPLE.filter((e) => filterEvents(p.state, e)).map((event) => ({ state: p.state, event: event as EventObject }))]) {
        taken(state, event).forEach((t) => covered.add(key(t)));
        (transition(machine, state as never, event as never)[1] as Action[]).forEach((a) => actionTypes.add(a.type));
      }
    }
    expect(ALL_TRANSITIONS.length).toBe(8);
    expect(ALL_TRANSITIONS.filter((t) => !covered.has(t))).toEqual([]);
    expect([...actionTypes].sort()).toEqual(['notify', 'xstate.cancel', 'xstate.raise']);
  });

  it('every simple path to closed passes review and a clean police verification, the last one before the result goes to civil affairs', () => {
    const paths = getSimplePaths(machine, { input: input(), events: SAMPLE, serializeState, filterEvents, toState: (s) => s.status === 'done' });
    expect(paths.length).toBeGreaterThan(3);
    for (const p of paths) {
      const types = edges(p).map((e) => e.event.type);
      expect(types.slice(0, 2)).toEqual(['SUBMIT_RECORDS', 'REVIEWED']);
      expect(types.slice(-2)).toEqual(['VERIFIED', 'CLOSE']);
      const verified = edges(p).filter((e) => e.event.type === 'VERIFIED').map((e) => (e.event as AnyEvent).discrepancies as unknown[]);
      expect(verified[verified.length - 1]).toEqual([]);
      // Each round of discrepancies is answered before the police verify again.
      expect(types.filter((t) => t === 'DISCREPANCIES_RESOLVED')).toHaveLength(verified.length - 1);
    }
  });
});
