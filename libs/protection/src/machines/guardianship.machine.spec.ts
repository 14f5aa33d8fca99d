import { type AnyMachineSnapshot, type AnyStateNode, type EventObject, initialTransition, transition } from 'xstate';
import { getShortestPaths, getSimplePaths } from 'xstate/graph';
import { allTransitionKeys, edgesOf as edges, stateNodes as allNodes, transitionKey as key } from '../testing/paths';
import { CHANGBAI_POLICY } from '../policy/changbai.policy';
import { type GuardianshipContext, guardianshipDefinition, guardianshipMachine as machine } from './guardianship.machine';
import { machinePolicy, type ProtectionInput } from './machine-kit';
import { type Action, type AnyEvent, type Raise, raises, cancels, notices, ms } from '../testing/actions';

const OPENED = '2026-03-02T09:00:00+08:00'; // a Monday
const ADMONISHED = '2026-03-02T09:30:00+08:00';
const REFUSED = '2026-03-02T10:00:00+08:00';
const SIX_MONTHS_LATER = '2026-09-02T10:00:00+08:00'; // a Wednesday
const TIMER = {
  correction: 'xstate.after.correctionPeriod.guardianship.supervision.correcting',
  refusal: 'xstate.after.guardianshipRefusal.guardianship.refusal',
  court: 'xstate.after.courtApplication.guardianship.applicationDue.inTime',
};
const APPLICATION_DUE_TO = ['county-civil-affairs', 'village-committee', 'joint-office'];

const input: ProtectionInput = {
  caseId: 'guardianship-1',
  subject: { childId: 'child-1', township: 'maluguo', village: 'maluguo-village' },
  data: { assessmentCaseId: 'assessment-1', findings: { guardianship: 'failing' } },
  policy: machinePolicy(CHANGBAI_POLICY),
  openedAt: OPENED,
};

const raiseOf = (actions: readonly unknown[], id: string) => raises(actions).find((r) => r.id === id);
const refused = (s: AnyMachineSnapshot, e: AnyEvent) => machine.getTransitionData(s as never, e as never).length === 0;
const fire = (r: Raise, $at: string): AnyEvent => ({ ...r.event, $at });
const ctx = (s: AnyMachineSnapshot) => s.context as GuardianshipContext;
const step = (s: AnyMachineSnapshot, e: AnyEvent) => transition(machine, s as never, e as never);

const ADMONISH: AnyEvent = { type: 'ADMONISH', by: 'police', measures: ['劝诫 admonish', '批评教育 criticise and educate'], $at: ADMONISHED };
const NOT_CORRECTED: AnyEvent = { type: 'RECHECK', corrected: false, $at: '2026-06-03T10:00:00+08:00' };
const ground = (g: string, $at = '2026-06-04T10:00:00+08:00'): AnyEvent => ({ type: 'RECORD_GROUND', ground: g, $at });

/** Drives events from the opened case, each of which must be taken; returns the last snapshot and actions. */
function run(...events: AnyEvent[]) {
  let [s, actions] = initialTransition(machine, input);
  for (const e of events) {
    expect({ event: e.type, taken: !refused(s, e) }).toEqual({ event: e.type, taken: true });
    [s, actions] = step(s, e);
  }
  return [s, actions] as const;
}

describe('guardianship machine: admonition and supervised correction', () => {
  it('opens awaiting the admonition, with the assessment it came from and no timer', () => {
    const [s, actions] = initialTransition(machine, input);
    expect(s.value).toBe('awaitingAdmonition');
    expect(ctx(s).origin).toEqual({ assessmentCaseId: 'assessment-1', findings: { guardianship: 'failing' } });
    expect(actions).toEqual([]);
  });

  it('refuses an admonition by a unit the law does not name, or with no measures', () => {
    const [s] = run();
    expect(refused(s, { ...ADMONISH, by: 'school' })).toBe(true);
    expect(refused(s, { ...ADMONISH, measures: [] })).toBe(true);
    expect(refused(s, { ...ADMONISH, measures: '劝诫' })).toBe(true);
    expect(refused(s, ADMONISH)).toBe(false);
  });

  it('an admonition starts the correction period (3 calendar months); at its end the owner is told a re-check is due', () => {
    const [s, a] = run(ADMONISH);
    expect(s.value).toEqual({ supervision: 'correcting' });
    expect(ctx(s).admonitions).toEqual([{ by: 'police', measures: ['劝诫 admonish', '批评教育 criticise and educate'], at: ADMONISHED }]);
    expect(raises(a)).toEqual([{ event: { type: TIMER.correction }, id: TIMER.correction, delay: ms(ADMONISHED, '2026-06-02T09:30:00+08:00') }]);
    const [due, d] = step(s, fire(raiseOf(a, TIMER.correction)!, '2026-06-02T09:30:00+08:00'));
    expect(due.value).toEqual({ supervision: 'recheckDue' });
    expect(notices(d)).toEqual([{ to: 'county-civil-affairs', reason: expect.stringContaining('re-check') }]);
  });

  it('a guardian found corrected ends in corrected, then closed; an early re-check cancels the period', () => {
    const [s] = run(ADMONISH);
    const [corrected, a] = step(s, { type: 'RECHECK', corrected: true, $at: '2026-04-01T10:00:00+08:00' });
    expect(corrected.value).toBe('corrected');
    expect(cancels(a)).toEqual([TIMER.correction]);
    expect(refused(s, { type: 'RECHECK', corrected: 'yes' })).toBe(true);
    expect(refused(s, { type: 'CLOSE' })).toBe(true);
    const [closed] = step(corrected, { type: 'CLOSE' });
    expect(closed.status).toBe('done');
  });
});

describe('guardianship machine: revocation grounds and the court application', () => {
  it('refuses a ground that is not in the policy', () => {
    const [s] = run(ADMONISH, NOT_CORRECTED);
    expect(s.value).toBe('notCorrected');
    expect(refused(s, ground('BAD_TEMPER'))).toBe(true);
    expect(refused(s, ground('DANGER_AFTER_ADMONITION'))).toBe(false);
  });

  it.each(['DANGER_AFTER_ADMONITION', 'SERIOUS_HARM'])('%s makes the application due at once; it must be filed in 10 working days', (code) => {
    const at = '2026-06-05T10:00:00+08:00'; // a Friday
    const [s, a] = run(ADMONISH, NOT_CORRECTED, ground(code, at));
    expect(s.value).toEqual({ applicationDue: 'inTime' });
    expect(ctx(s).grounds).toEqual([code]);
    expect(notices(a)).toEqual([{ to: APPLICATION_DUE_TO, reason: expect.stringContaining(code) }]);
    expect(raiseOf(a, TIMER.court)!.delay).toBe(ms(at, '2026-06-19T10:00:00+08:00'));
  });

  it('a serious ground found during supervision does not wait for the re-check', () => {
    const [s, a] = run(ADMONISH, ground('SERIOUS_HARM', '2026-04-01T10:00:00+08:00'));
    expect(s.value).toEqual({ applicationDue: 'inTime' });
    expect(cancels(a)).toContain(TIMER.correction);
  });

  it('six months after REFUSAL_OBSERVED, with no correction, the application falls due by itself', () => {
    const [s, a] = run(ADMONISH, { type: 'REFUSAL_OBSERVED', since: '2026-02-20', $at: REFUSED });
    expect(s.value).toBe('refusal');
    expect(ctx(s).refusal).toEqual({ since: '2026-02-20', recordedAt: REFUSED });
    expect(cancels(a)).toContain(TIMER.correction);
    const timer = raiseOf(a, TIMER.refusal)!;
    expect(timer.delay).toBe(ms(REFUSED, SIX_MONTHS_LATER)); // natural calendar months, not 180 days
    expect(timer.delay).not.toBe(180 * 86_400_000);
    // Not yet established: the application may not cite it.
    expect(ctx(s).grounds).toEqual([]);
    const [due, d] = step(s, fire(timer, SIX_MONTHS_LATER));
    expect(due.value).toEqual({ applicationDue: 'inTime' });
    expect(ctx(due).grounds).toEqual(['REFUSAL_SIX_MONTHS']);
    expect(notices(d)).toEqual([{ to: APPLICATION_DUE_TO, reason: expect.stringContaining('REFUSAL_SIX_MONTHS') }]);
    expect(raiseOf(d, TIMER.court)!.delay).toBe(ms(SIX_MONTHS_LATER, '2026-09-16T10:00:00+08:00'));
  });

  it('RECORD_GROUND REFUSAL_SIX_MONTHS starts the same clock from its own time; it cannot be recorded twice', () => {
    const at = '2026-06-04T10:00:00+08:00';
    const [s, a] = run(ADMONISH, NOT_CORRECTED, ground('REFUSAL_SIX_MONTHS', at));
    expect(s.value).toBe('refusal');
    expect(raiseOf(a, TIMER.refusal)!.delay).toBe(ms(at, '2026-12-04T10:00:00+08:00'));
    expect(refused(s, ground('REFUSAL_SIX_MONTHS'))).toBe(true);
    expect(refused(s, { type: 'REFUSAL_OBSERVED', since: 'last spring' })).toBe(true);
    const [danger, d] = step(s, ground('DANGER_AFTER_ADMONITION'));
    expect(danger.value).toEqual({ applicationDue: 'inTime' });
    expect(cancels(d)).toContain(TIMER.refusal);
  });

  it('a guardian who resumes before six months returns to supervision for a new correction period', () => {
    const [s] = run(ADMONISH, { type: 'REFUSAL_OBSERVED', $at: REFUSED });
    const resumed = '2026-05-10T10:00:00+08:00';
    const [back, a] = step(s, { type: 'GUARDIAN_RESUMED', $at: resumed });
    expect(back.value).toEqual({ supervision: 'correcting' });
    expect(cancels(a)).toContain(TIMER.refusal);
    expect(raiseOf(a, TIMER.correction)!.delay).toBe(ms(resumed, '2026-08-10T10:00:00+08:00'));
    expect(ctx(back).refusal).toBeNull();
  });

  it('an application not filed in time escalates to each unit of policy.escalation.courtApplication, in order', () => {
    const [s, a] = run(ADMONISH, NOT_CORRECTED, ground('SERIOUS_HARM', '2026-06-05T10:00:00+08:00'));
    const [late, l] = step(s, fire(raiseOf(a, TIMER.court)!, '2026-06-19T10:00:00+08:00'));
    expect(late.value).toEqual({ applicationDue: 'overdue' });
    expect(notices(l)).toEqual(
      CHANGBAI_POLICY.escalation.courtApplication.map((to, i) => ({ to, reason: expect.stringContaining('court'), escalation: { chain: 'courtApplication', step: i + 1 } })),
    );
    expect(refused(late, { type: 'FILE_APPLICATION', applicant: 'civil_affairs', ground: 'SERIOUS_HARM' })).toBe(false);
  });

  it('the application names an entitled applicant (Civil Code Art. 36) and an established ground; filing cancels the deadline', () => {
    const [s] = run(ADMONISH, NOT_CORRECTED, ground('DANGER_AFTER_ADMONITION'));
    expect(refused(s, { type: 'FILE_APPLICATION', applicant: 'neighbour', ground: 'DANGER_AFTER_ADMONITION' })).toBe(true);
    expect(refused(s, { type: 'FILE_APPLICATION', applicant: 'village_committee', ground: 'REFUSAL_SIX_MONTHS' })).toBe(true);
    expect(refused(s, { type: 'FILE_APPLICATION', applicant: 'village_committee', ground: 'SERIOUS_HARM' })).toBe(true);
    const [filed, a] = step(s, { type: 'FILE_APPLICATION', applicant: 'village_committee', ground: 'DANGER_AFTER_ADMONITION', $at: '2026-06-10T10:00:00+08:00' });
    expect(filed.value).toBe('awaitingRuling');
    expect(cancels(a)).toEqual([TIMER.court]);
    expect(ctx(filed).application).toEqual({ applicant: 'village_committee', ground: 'DANGER_AFTER_ADMONITION', filedAt: '2026-06-10T10:00:00+08:00' });
  });
});

describe('guardianship machine: ruling, new guardian, restoration', () => {
  const filed = () => run(ADMONISH, NOT_CORRECTED, ground('SERIOUS_HARM'), { type: 'FILE_APPLICATION', applicant: 'civil_affairs', ground: 'SERIOUS_HARM' })[0];

  it('a dismissed application returns to supervision with a new correction period', () => {
    const at = '2026-08-01T10:00:00+08:00';
    const [s, a] = step(filed(), { type: 'RECORD_RULING', result: 'dismissed', $at: at });
    expect(s.value).toEqual({ supervision: 'correcting' });
    expect(raiseOf(a, TIMER.correction)!.delay).toBe(ms(at, '2026-11-01T10:00:00+08:00'));
    expect(refused(filed(), { type: 'RECORD_RULING', result: 'postponed' })).toBe(true);
  });

  it('revoked: a new guardian of an Art. 94 kind is appointed (township and village told); the court may restore (Art. 38); then closed', () => {
    const [revoked] = step(filed(), { type: 'RECORD_RULING', result: 'revoked', $at: '2026-08-01T10:00:00+08:00' });
    expect(revoked.value).toBe('revoked');
    expect(refused(revoked, { type: 'CLOSE' })).toBe(true);
    expect(refused(revoked, { type: 'APPOINT_GUARDIAN', kind: 'neighbour' })).toBe(true);
    const [appointed, a] = step(revoked, { type: 'APPOINT_GUARDIAN', kind: 'relative', name: '李祖母 grandmother Li', $at: '2026-08-05T10:00:00+08:00' });
    expect(appointed.value).toBe('appointed');
    expect(ctx(appointed).guardian).toEqual({ kind: 'relative', name: '李祖母 grandmother Li', appointedAt: '2026-08-05T10:00:00+08:00' });
    expect(notices(a)).toEqual([{ to: ['township-government', 'village-committee'], reason: expect.stringContaining('appointed') }]);
    expect(step(appointed, { type: 'CLOSE' })[0].status).toBe('done');
    const [restored, r] = step(appointed, { type: 'RESTORE', $at: '2027-05-01T10:00:00+08:00' });
    expect(restored.value).toBe('restored');
    expect(ctx(restored).restoredAt).toBe('2027-05-01T10:00:00+08:00');
    expect(notices(r)[0]!.to).toEqual(['township-government', 'village-committee']);
    expect(step(restored, { type: 'CLOSE' })[0].status).toBe('done');
  });
});

describe('guardianshipDefinition', () => {
  const def = guardianshipDefinition(CHANGBAI_POLICY);
  const nodes = (n: AnyStateNode): AnyStateNode[] => [n, ...Object.values(n.states).flatMap(nodes)];
  const eventTypes = [...new Set(nodes(machine.root).flatMap((n) => [...n.transitions.keys()]))].filter((t) => !t.startsWith('xstate.')).sort();

  it('permits every event the machine takes, and no other; police, village and civil affairs admonish', () => {
    expect(Object.keys(def.permissions.events).sort()).toEqual(eventTypes);
    expect(eventTypes).toHaveLength(10);
    expect(def.permissions.events.ADMONISH).toEqual(['police', 'village', 'civil_affairs']);
    expect(def.permissions.open).toEqual(['civil_affairs']);
  });

  it('is case type guardianship v1 and maps the open context to the machine input', () => {
    expect(def).toMatchObject({ id: 'guardianship', version: 1, policy: { id: 'changbai', version: CHANGBAI_POLICY.version } });
    expect(def.title).toMatch(/监护干预.*guardianship/);
    const open = { caseId: 'g-9', subject: { childId: 'x', township: 'maluguo' }, data: {}, policy: def.policy, openedAt: OPENED, ownerUnitId: 'u' };
    expect(def.input!(open)).toEqual({ caseId: 'g-9', subject: open.subject, data: {}, policy: machinePolicy(CHANGBAI_POLICY), openedAt: OPENED });
  });

  it('cites the rules: six months or more (6个月以上), natural calendar; the grounds are the policy codes', () => {
    const d = CHANGBAI_POLICY.deadlines;
    expect(d.guardianshipRefusal).toMatchObject({ duration: 'P6M', calendar: 'natural', source: expect.stringContaining('6个月以上') });
    expect(d.correctionPeriod.source).toContain('督促改正');
    expect(d.courtApplication).toMatchObject({ calendar: 'working', source: expect.stringContaining('Art. 36') });
    expect(CHANGBAI_POLICY.revocationGrounds.map((g) => g.code)).toEqual(['DANGER_AFTER_ADMONITION', 'REFUSAL_SIX_MONTHS', 'SERIOUS_HARM']);
  });
});

// ---- generated paths -------------------------------------------------------------------------
const T = '2026-06-10T10:00:00+08:00';
const SAMPLE_EVENTS = [
  { ...ADMONISH, $at: T },
  { ...ADMONISH, by: 'school', $at: T },
  { type: 'RECHECK', corrected: true, $at: T },
  { type: 'RECHECK', corrected: false, $at: T },
  ...['DANGER_AFTER_ADMONITION', 'SERIOUS_HARM', 'REFUSAL_SIX_MONTHS', 'BAD_TEMPER'].map((g) => ground(g, T)),
  { type: 'REFUSAL_OBSERVED', $at: T },
  { type: 'GUARDIAN_RESUMED', $at: T },
  ...['DANGER_AFTER_ADMONITION', 'SERIOUS_HARM', 'REFUSAL_SIX_MONTHS'].map((g) => ({ type: 'FILE_APPLICATION', applicant: 'civil_affairs', ground: g, $at: T })),
  { type: 'RECORD_RULING', result: 'revoked', $at: T },
  { type: 'RECORD_RULING', result: 'dismissed', $at: T },
  { type: 'APPOINT_GUARDIAN', kind: 'long-term-state', $at: T },
  { type: 'RESTORE', $at: T },
  { type: 'CLOSE', $at: T },
  ...Object.values(TIMER).map((type) => ({ type, $at: T })),
] as AnyEvent[];

const taken = (s: AnyMachineSnapshot, e: EventObject) => machine.getTransitionData(s as never, e as never);
const ALL_NODES = allNodes(machine.root).filter((n) => n !== machine.root);
const ALL_TRANSITIONS = allTransitionKeys(machine);
const options = {
  input,
  events: SAMPLE_EVENTS as never[],
  filterEvents: (s: AnyMachineSnapshot, e: EventObject) => taken(s, e).length > 0,
  // What the guards read: the state, the established grounds and whether a refusal is on record.
  serializeState: (s: AnyMachineSnapshot) => JSON.stringify([s.value, ctx(s).grounds, !!ctx(s).refusal]),
};

describe('guardianship: generated paths', () => {
  it('shortest paths, each extended by every event its end state takes, reach every state node and take every transition', () => {
    const shortest = getShortestPaths(machine, options);
    const paths = shortest.flatMap((p) => [
      edges(p),
      ...SAMPLE_EVENTS.filter((e) => taken(p.state, e as EventObject).length > 0).map((event) => [...edges(p), { state: p.state, event: event as EventObject }]),
    ]);
    const reached = new Set(shortest.flatMap((p) => ALL_NODES.filter((n) => p.state.matches(n.path.join('.') as never)).map((n) => n.id)));
    const covered = new Set<string>();
    const actionTypes = new Set<string>();
    for (const path of paths) {
      for (const { state, event } of path) {
        const keys = taken(state, event).map(key);
        if (keys.every((k) => covered.has(k))) continue;
        keys.forEach((k) => covered.add(k));
        (transition(machine, state, event as never)[1] as Action[]).forEach((a) => actionTypes.add(a.type));
      }
    }
    expect(ALL_NODES.map((n) => n.id).filter((id) => !reached.has(id))).toEqual([]);
    expect(ALL_TRANSITIONS.filter((t) => !covered.has(t))).toEqual([]);
    expect([...actionTypes].sort()).toEqual(['notify', 'xstate.cancel', 'xstate.raise']);
  });

  it('every simple path: a new guardian only after a filed application and a revoking ruling; refusal cited only after six months ran', () => {
    // Fewer events than above (one immediate ground, no sub-state timers): simple paths grow exponentially.
    const few = /^(ADMONISH|RECHECK|REFUSAL_OBSERVED|GUARDIAN_RESUMED|RECORD_RULING|APPOINT_GUARDIAN|RESTORE|CLOSE)$/;
    const events = SAMPLE_EVENTS.filter(
      (e) => few.test(e.type) || e.type === TIMER.refusal || ((e.type === 'RECORD_GROUND' || e.type === 'FILE_APPLICATION') && e.ground !== 'SERIOUS_HARM'),
    );
    const serializeState = (s: AnyMachineSnapshot) => JSON.stringify([s.value, ctx(s).grounds]);
    const paths = getSimplePaths(machine, { ...options, events: events as never[], serializeState });
    expect(paths.length).toBeGreaterThan(50);
    let appointed = 0;
    let refusalCited = 0;
    for (const p of paths) {
      const types = edges(p).map((st) => st.event.type);
      if (p.state.matches('appointed') || p.state.matches('restored')) {
        appointed++;
        expect(types.indexOf('FILE_APPLICATION')).toBeGreaterThan(-1);
        expect(types.indexOf('FILE_APPLICATION')).toBeLessThan(types.indexOf('APPOINT_GUARDIAN'));
        expect(edges(p)[types.indexOf('APPOINT_GUARDIAN') - 1]!.event).toMatchObject({ type: 'RECORD_RULING', result: 'revoked' });
      }
      const citesRefusal = edges(p).some(({ event }) => event.type === 'FILE_APPLICATION' && (event as AnyEvent).ground === 'REFUSAL_SIX_MONTHS');
      if (citesRefusal) {
        refusalCited++;
        expect(types).toContain(TIMER.refusal);
      }
    }
    // Neither check is vacuous.
    expect(appointed).toBeGreaterThan(0);
    expect(refusalCited).toBeGreaterThan(0);
  });
});
