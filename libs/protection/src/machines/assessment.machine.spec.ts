import { type AnyMachineSnapshot, type AnyStateNode, type EventObject, initialTransition, transition } from 'xstate';
import { getShortestPaths, getSimplePaths } from 'xstate/graph';
import { allTransitionKeys, edgesOf as edges, stateNodes as nodes, transitionKey as key } from '../testing/paths';
import { CHANGBAI_POLICY } from '../policy/changbai.policy';
import { type AssessmentContext, assessmentDefinition, assessmentMachine as machine } from './assessment.machine';
import { machinePolicy, type ProtectionInput } from './machine-kit';
import { type Action, type AnyEvent, type Raise, raises, cancels, ms } from '../testing/actions';

// A timeline in Changbai (Asia/Shanghai); 2026-03-02 is a Monday.
const OPENED = '2026-03-02T09:00:00+08:00';
const ASSESSED = '2026-03-04T10:00:00+08:00'; // Wednesday
const PLANNED = '2026-03-06T16:00:00+08:00'; // Friday
const APPROVED = '2026-03-12T10:00:00+08:00'; // Thursday
const WF = 'service:womens-federation';
const SW = 'service:social-work';
const EDU = 'service:education';
const TIMER = {
  assessment: 'xstate.after.assessment.assessment.assessing.inTime',
  planApproval: 'xstate.after.planApproval.assessment.awaitingPlanApproval.inTime',
  followUp: 'xstate.after.followUpEvery.assessment.assisting.followUp.waiting',
  referral: 'xstate.after.referralAnswer.assessment.assisting.referrals.awaiting',
};

function input(placement = 'temporary-care', openedAt = OPENED): ProtectionInput {
  return {
    caseId: 'assessment-1',
    subject: { childId: 'child-1', township: 'maluguo', village: 'maluguo-village' },
    data: { emergencyCaseId: 'emergency-1', reportCaseId: 'report-1', placement, ground: 'A92_4_GUARDIAN_REFUSES' },
    policy: machinePolicy(CHANGBAI_POLICY),
    openedAt,
  };
}

const raiseOf = (actions: readonly Action[], id: string) => raises(actions).find((r) => r.id === id);
const paramsOf = (actions: readonly Action[], type: string) => actions.filter((a) => a.type === type).map((a) => a.params as Record<string, unknown>);
const refused = (s: AnyMachineSnapshot, e: AnyEvent) => machine.getTransitionData(s as never, e as never).length === 0;
const fire = (r: Raise, $at: string): AnyEvent => ({ ...r.event, $at });
const ctx = (s: AnyMachineSnapshot) => s.context as AssessmentContext;

const CA = { userId: 'u-ca', unitId: 'county-civil-affairs-1', role: 'civil_affairs' };
const ASSESS = (guardianship = 'unable', $at = ASSESSED): AnyEvent => ({ type: 'SUBMIT_ASSESSMENT', safety: 'safe', health: '身心健康 healthy', guardianship, $at, $actor: CA });
const PLAN = (referrals: string[] = [WF, SW], $at = PLANNED): AnyEvent => ({ type: 'SUBMIT_PLAN', goals: ['返校 back to school'], referrals, $at });
const APPROVE = (at = APPROVED): AnyEvent => ({ type: 'APPROVE_PLAN', $at: at });

/** Drives events from the opened case, each of which must be taken; returns the last snapshot and actions. */
function run(...events: AnyEvent[]) {
  let [s, actions] = initialTransition(machine, input());
  for (const e of events) {
    expect({ event: e.type, taken: !refused(s, e) }).toEqual({ event: e.type, taken: true });
    [s, actions] = transition(machine, s, e as never);
  }
  return [s, actions as Action[]] as const;
}
const assisting = () => run(ASSESS(), PLAN(), APPROVE());

describe('assessment machine: deadlines', () => {
  it('opens assessing; the assessment deadline is 5 working days from the opening (Monday to Monday)', () => {
    const [s0, actions] = initialTransition(machine, input());
    expect(s0.value).toEqual({ assessing: 'inTime' });
    expect(s0.context).toMatchObject({ placement: 'temporary-care', origin: { emergencyCaseId: 'emergency-1', reportCaseId: 'report-1' } });
    expect(raises(actions as Action[])).toEqual([{ event: { type: TIMER.assessment }, id: TIMER.assessment, delay: ms(OPENED, '2026-03-09T09:00:00+08:00') }]);
  });

  it('5 working days from a Friday skip the weekend: due the next Friday, not Wednesday', () => {
    const friday = '2026-03-06T15:00:00+08:00';
    const [, actions] = initialTransition(machine, input('home', friday));
    expect(raiseOf(actions as Action[], TIMER.assessment)!.delay).toBe(ms(friday, '2026-03-13T15:00:00+08:00'));
    expect(raiseOf(actions as Action[], TIMER.assessment)!.delay).not.toBe(ms(friday, '2026-03-11T15:00:00+08:00'));
  });

  it('a missed assessment escalates to each unit of policy.escalation.assessment, in order; the assessment may still come', () => {
    const [s0, a0] = initialTransition(machine, input());
    const [s1, a1] = transition(machine, s0, fire(raiseOf(a0 as Action[], TIMER.assessment)!, '2026-03-09T09:00:00+08:00') as never);
    expect(s1.value).toEqual({ assessing: 'overdue' });
    expect(paramsOf(a1 as Action[], 'notify')).toEqual(
      CHANGBAI_POLICY.escalation.assessment.map((to, i) => ({ to, reason: expect.stringContaining('assessment'), escalation: { chain: 'assessment', step: i + 1 } })),
    );
    expect(paramsOf(a1 as Action[], 'notify').map((p) => p.to)).toEqual(['county-civil-affairs', 'joint-office']);
    expect(transition(machine, s1, ASSESS() as never)[0].value).toBe('planning');
  });

  it('submitting the assessment in time cancels its timer and records the findings', () => {
    const [s, actions] = run(ASSESS('failing'));
    expect(s.value).toBe('planning');
    expect(cancels(actions)).toEqual([TIMER.assessment]);
    expect(ctx(s).assessment).toEqual({ safety: 'safe', health: '身心健康 healthy', guardianship: 'failing', at: ASSESSED });
  });

  it('plan approval: 3 working days from a Friday afternoon (Wednesday); missed → notify county civil affairs; approval cancels it', () => {
    const [s, actions] = run(ASSESS(), PLAN());
    expect(s.value).toEqual({ awaitingPlanApproval: 'inTime' });
    const timer = raiseOf(actions, TIMER.planApproval)!;
    expect(timer.delay).toBe(ms(PLANNED, '2026-03-11T16:00:00+08:00'));
    const [late, lateActions] = transition(machine, s, fire(timer, '2026-03-11T16:00:00+08:00') as never);
    expect(late.value).toEqual({ awaitingPlanApproval: 'overdue' });
    expect(paramsOf(lateActions as Action[], 'notify')).toEqual([{ to: 'county-civil-affairs', reason: expect.stringContaining('not approved') }]);
    expect(cancels(transition(machine, s, APPROVE() as never)[1] as Action[])).toContain(TIMER.planApproval);
  });

  it('approval sends each referral to its service unit and arms the referral answer (5 working days) and follow-up (30 days) timers', () => {
    const [s, actions] = assisting();
    expect(s.value).toEqual({ assisting: { followUp: 'waiting', referrals: 'awaiting' } });
    expect(paramsOf(actions, 'notify').map((p) => p.to)).toEqual([WF, SW]);
    expect(raiseOf(actions, TIMER.referral)!.delay).toBe(ms(APPROVED, '2026-03-19T10:00:00+08:00'));
    expect(raiseOf(actions, TIMER.followUp)!.delay).toBe(ms(APPROVED, '2026-04-11T10:00:00+08:00'));
    expect(ctx(s).referrals.map((r) => [r.service, r.status, r.sentAt])).toEqual([[WF, 'pending', APPROVED], [SW, 'pending', APPROVED]]);
  });

  it('an unanswered referral escalates to policy.escalation.referralAnswer naming only the late service units', () => {
    const [s, a] = assisting();
    const [s1] = transition(machine, s, { type: 'REFERRAL_ACCEPTED', service: WF, $at: '2026-03-13T09:00:00+08:00' } as never);
    const [s2, a2] = transition(machine, s1, fire(raiseOf(a, TIMER.referral)!, '2026-03-19T10:00:00+08:00') as never);
    const notices = paramsOf(a2 as Action[], 'notify');
    expect(notices).toEqual([{ to: 'county-civil-affairs', reason: expect.stringContaining(SW), escalation: { chain: 'referralAnswer', step: 1 } }]);
    expect(notices[0]!.reason).not.toContain(WF);
    expect(ctx(s2).referrals.find((r) => r.service === SW)).toMatchObject({ status: 'pending', escalated: true });
    expect(s2.value).toMatchObject({ assisting: { referrals: 'settled' } });
    expect(cancels(a2 as Action[])).toContain(TIMER.referral);
    // Late answers are still taken.
    expect(refused(s2, { type: 'REFERRAL_ACCEPTED', service: SW, $at: '2026-03-20T09:00:00+08:00' })).toBe(false);
  });

  it('each referral keeps its own deadline: a replacement does not extend the others', () => {
    const [, a] = assisting();
    const [s, a1] = run(ASSESS(), PLAN(), APPROVE(),
      { type: 'REFERRAL_DECLINED', service: SW, reason: '无社工 no worker free', $at: '2026-03-16T10:00:00+08:00' },
      { type: 'ADD_REFERRAL', service: EDU, replaces: SW, $at: '2026-03-17T10:00:00+08:00' });
    expect(paramsOf(a1, 'notify')).toEqual([{ to: EDU, reason: expect.stringContaining('assessment-1') }]);
    // Still the women's federation's deadline (Thursday 19th), not 5 working days from the replacement.
    expect(raiseOf(a1, TIMER.referral)!.delay).toBe(ms('2026-03-17T10:00:00+08:00', '2026-03-19T10:00:00+08:00'));
    const [s2, a2] = transition(machine, s, fire(raiseOf(a, TIMER.referral)!, '2026-03-19T10:00:00+08:00') as never);
    expect(paramsOf(a2 as Action[], 'notify')[0]!.reason).toContain(WF);
    expect(paramsOf(a2 as Action[], 'notify')[0]!.reason).not.toContain(EDU);
    // Then the education bureau's own deadline: Tuesday 24th.
    expect(raiseOf(a2 as Action[], TIMER.referral)!.delay).toBe(ms('2026-03-19T10:00:00+08:00', '2026-03-24T10:00:00+08:00'));
    expect(s2.value).toMatchObject({ assisting: { referrals: 'awaiting' } });
    expect(ctx(s2).referrals.find((r) => r.service === SW)).toMatchObject({ status: 'declined', replacedBy: EDU });
  });

  it('the follow-up reminder re-arms itself every 30 days; a visit restarts the rhythm; leaving assisting cancels it', () => {
    const [s, a] = assisting();
    const due = '2026-04-11T10:00:00+08:00';
    const [s1, a1] = transition(machine, s, fire(raiseOf(a, TIMER.followUp)!, due) as never);
    expect(paramsOf(a1 as Action[], 'notify')).toEqual([{ to: ['county-civil-affairs', 'township-government'], reason: expect.stringContaining('follow-up') }]);
    expect(cancels(a1 as Action[])).toContain(TIMER.followUp);
    expect(raiseOf(a1 as Action[], TIMER.followUp)!.delay).toBe(ms(due, '2026-05-11T10:00:00+08:00'));
    const [s2, a2] = transition(machine, s1, fire(raiseOf(a1 as Action[], TIMER.followUp)!, '2026-05-11T10:00:00+08:00') as never);
    expect(raiseOf(a2 as Action[], TIMER.followUp)!.delay).toBe(ms('2026-05-11T10:00:00+08:00', '2026-06-10T10:00:00+08:00'));
    const visit = '2026-05-20T15:00:00+08:00';
    const [s3, a3] = transition(machine, s2, { type: 'FOLLOW_UP_VISIT', notes: '家访 home visit', $at: visit } as never);
    expect(cancels(a3 as Action[])).toContain(TIMER.followUp);
    expect(raiseOf(a3 as Action[], TIMER.followUp)!.delay).toBe(ms(visit, '2026-06-19T15:00:00+08:00'));
    expect(ctx(s3).lastVisitAt).toBe(visit);
    expect(refused(s3, { type: 'FOLLOW_UP_VISIT', notes: ' ' })).toBe(true);
    const [longTerm, a4] = transition(machine, s3, { type: 'RECORD_LONG_TERM_CARE', $at: visit } as never);
    expect(raises(a4 as Action[])).toEqual([]); // recording a placement does not touch the rhythm
    const [s5, a5] = transition(machine, longTerm, { type: 'REQUEST_CLOSURE', $at: visit } as never);
    expect(s5.value).toBe('awaitingClosureApproval');
    expect(cancels(a5 as Action[])).toEqual(expect.arrayContaining([TIMER.followUp, TIMER.referral]));
    expect(raises(a5 as Action[])).toEqual([]);
  });
});

describe('assessment machine: a county that tightens its deadlines', () => {
  it('each timer reads its own deadline from the policy the case was opened under', () => {
    const county = structuredClone(CHANGBAI_POLICY);
    Object.assign(county.deadlines, {
      assessment: { ...county.deadlines.assessment, duration: 'P2D' },
      planApproval: { ...county.deadlines.planApproval, duration: 'P1D' },
      referralAnswer: { ...county.deadlines.referralAnswer, duration: 'P4D' },
      followUpEvery: { ...county.deadlines.followUpEvery, duration: 'P14D' },
    });
    let [s, a] = initialTransition(machine, { ...input(), policy: machinePolicy(county) });
    expect(raiseOf(a as Action[], TIMER.assessment)!.delay).toBe(ms(OPENED, '2026-03-04T09:00:00+08:00'));
    for (const e of [ASSESS(), PLAN()]) [s, a] = transition(machine, s, e as never);
    expect(raiseOf(a as Action[], TIMER.planApproval)!.delay).toBe(ms(PLANNED, '2026-03-09T16:00:00+08:00'));
    [s, a] = transition(machine, s, APPROVE() as never);
    expect(raiseOf(a as Action[], TIMER.referral)!.delay).toBe(ms(APPROVED, '2026-03-18T10:00:00+08:00'));
    expect(raiseOf(a as Action[], TIMER.followUp)!.delay).toBe(ms(APPROVED, '2026-03-26T10:00:00+08:00'));
  });
});

describe('assessment machine: what the law allows', () => {
  it('refuses a plan with an unknown service role, a repeated referral or no goals', () => {
    const [s] = run(ASSESS());
    expect(refused(s, PLAN([WF, 'service:astrology']))).toBe(true);
    expect(refused(s, PLAN(['county-civil-affairs']))).toBe(true);
    expect(refused(s, PLAN([WF, WF]))).toBe(true);
    expect(refused(s, { ...PLAN(), goals: [] })).toBe(true);
    expect(refused(s, PLAN([WF]))).toBe(false);
    expect(refused(s, PLAN([]))).toBe(false);
  });

  it('refuses answers from services not referred, and replacements while nothing was declined or to unknown units', () => {
    const [s] = assisting();
    expect(refused(s, { type: 'REFERRAL_ACCEPTED', service: EDU })).toBe(true);
    expect(refused(s, { type: 'ADD_REFERRAL', service: EDU })).toBe(true);
    const [d] = transition(machine, s, { type: 'REFERRAL_DECLINED', service: SW, $at: APPROVED } as never);
    expect(refused(d, { type: 'ADD_REFERRAL', service: 'service:astrology' })).toBe(true);
    expect(refused(d, { type: 'ADD_REFERRAL', service: WF })).toBe(true); // already working on the case
    expect(refused(d, { type: 'ADD_REFERRAL', service: EDU, replaces: WF })).toBe(true); // WF did not decline
    expect(refused(d, { type: 'ADD_REFERRAL', service: EDU })).toBe(false);
  });

  it('closing with no approved plan is impossible: REQUEST_CLOSURE and APPROVE_CLOSURE are not taken before approval', () => {
    const early = [run()[0], run(ASSESS('able'))[0], run(ASSESS('able'), PLAN())[0]];
    for (const s of early) {
      expect(refused(s, { type: 'REQUEST_CLOSURE' })).toBe(true);
      expect(refused(s, { type: 'APPROVE_CLOSURE' })).toBe(true);
    }
    expect(refused(assisting()[0], { type: 'APPROVE_CLOSURE' })).toBe(true);
  });

  it('RETURN_HOME only after an assessment finds the guardian able (Art. 93); closure only for a child home or in long-term care', () => {
    const [s] = assisting(); // guardianship 'unable', child in temporary care
    expect(refused(s, { type: 'RETURN_HOME' })).toBe(true);
    expect(refused(s, { type: 'REQUEST_CLOSURE' })).toBe(true);
    const [able] = transition(machine, s, { type: 'REASSESS', guardianship: 'able', $at: '2026-04-01T10:00:00+08:00' } as never);
    expect(ctx(able).assessment).toMatchObject({ guardianship: 'able', safety: 'safe', at: '2026-04-01T10:00:00+08:00' });
    expect(refused(able, { type: 'REQUEST_CLOSURE' })).toBe(true);
    const [home] = transition(machine, able, { type: 'RETURN_HOME' } as never);
    expect(ctx(home).placement).toBe('home');
    expect(refused(home, { type: 'RETURN_HOME' })).toBe(true);
    const [unable] = transition(machine, home, { type: 'REASSESS', guardianship: 'unable' } as never);
    expect(refused(unable, { type: 'REQUEST_CLOSURE' })).toBe(true); // home again with an unable guardian
    expect(refused(home, { type: 'REQUEST_CLOSURE' })).toBe(false);
    expect(refused(home, { type: 'REASSESS', guardianship: 'maybe' })).toBe(true);
  });

  it('a failing guardian opens a guardianship case once; the assessment goes on', () => {
    expect(refused(run(ASSESS('unable'))[0], { type: 'START_INTERVENTION' })).toBe(true);
    const [s, a] = run(ASSESS('failing'), { type: 'START_INTERVENTION', reason: '拒不履行监护 refuses to guard', $at: PLANNED });
    expect(s.value).toBe('planning');
    expect(paramsOf(a, 'openCase')).toEqual([
      {
        type: 'guardianship',
        ownerRole: 'county-civil-affairs',
        reason: '拒不履行监护 refuses to guard',
        data: { assessmentCaseId: 'assessment-1', findings: { safety: 'safe', health: '身心健康 healthy', guardianship: 'failing', at: ASSESSED } },
      },
    ]);
    expect(ctx(s).interventionRequestedAt).toBe(PLANNED);
    expect(refused(s, { type: 'START_INTERVENTION' })).toBe(true);
  });

  it('the supervisor approves closure (final; township told) or sends it back to assisting with new timers', () => {
    const [home] = run(ASSESS('able'), PLAN([]), APPROVE(), { type: 'RETURN_HOME', $at: APPROVED }, { type: 'REQUEST_CLOSURE', $at: APPROVED });
    expect(home.value).toBe('awaitingClosureApproval');
    expect(refused(home, { type: 'REJECT_CLOSURE', reason: '' })).toBe(true);
    const back = '2026-03-20T10:00:00+08:00';
    const [again, a] = transition(machine, home, { type: 'REJECT_CLOSURE', reason: '再随访一次 one more visit', $at: back } as never);
    expect(again.value).toEqual({ assisting: { followUp: 'waiting', referrals: 'settled' } });
    expect(raiseOf(a as Action[], TIMER.followUp)!.delay).toBe(ms(back, '2026-04-19T10:00:00+08:00'));
    const [closed, c] = transition(machine, home, { type: 'APPROVE_CLOSURE', $at: back } as never);
    expect(closed.status).toBe('done');
    expect(paramsOf(c as Action[], 'notify')).toEqual([{ to: 'township-government', reason: expect.stringContaining('closed') }]);
  });

  it('a plan sent back with a reason returns to planning and cancels the approval timer', () => {
    const [s] = run(ASSESS(), PLAN());
    expect(refused(s, { type: 'REJECT_PLAN' })).toBe(true);
    const [back, a] = transition(machine, s, { type: 'REJECT_PLAN', reason: '缺少心理辅导 add counselling', $at: PLANNED } as never);
    expect(back.value).toBe('planning');
    expect(cancels(a as Action[])).toEqual([TIMER.planApproval]);
  });
});

describe('assessmentDefinition', () => {
  const def = assessmentDefinition(CHANGBAI_POLICY);
  const nodes = (n: AnyStateNode): AnyStateNode[] => [n, ...Object.values(n.states).flatMap(nodes)];
  const eventTypes = [...new Set(nodes(machine.root).flatMap((n) => [...n.transitions.keys()]))].filter((t) => !t.startsWith('xstate.')).sort();

  it('permits every event the machine takes, and no other; the supervisor approves; services answer referrals', () => {
    expect(Object.keys(def.permissions.events).sort()).toEqual(eventTypes);
    expect(eventTypes).toHaveLength(15);
    for (const e of ['APPROVE_PLAN', 'REJECT_PLAN', 'APPROVE_CLOSURE', 'REJECT_CLOSURE']) expect(def.permissions.events[e]).toEqual(['civil_affairs_supervisor']);
    expect(def.permissions.events.REFERRAL_ACCEPTED).toEqual(['service']);
    expect(def.permissions.events.SUBMIT_ASSESSMENT).toEqual(['civil_affairs', 'township']);
  });

  it('is case type assessment v1 under the policy it was built with, and maps the open context to the machine input', () => {
    expect(def).toMatchObject({ id: 'assessment', version: 1, policy: { id: 'changbai', version: CHANGBAI_POLICY.version } });
    expect(def.title).toMatch(/评估帮扶.*assessment/);
    const open = { caseId: 'c-9', subject: { childId: 'x', township: 'maluguo' }, data: { placement: 'home' }, policy: def.policy, openedAt: OPENED, ownerUnitId: 'u' };
    expect(def.input!(open)).toEqual({ caseId: 'c-9', subject: open.subject, data: open.data, policy: machinePolicy(CHANGBAI_POLICY), openedAt: OPENED });
  });

  it('cites a source for every deadline it uses', () => {
    const d = CHANGBAI_POLICY.deadlines;
    expect(d.assessment).toMatchObject({ duration: 'P5D', calendar: 'working', source: expect.stringContaining('四(三)') });
    expect(d.planApproval.source).toContain('联席会议');
    expect(d.referralAnswer.source).toContain('四(二)4-5');
    expect(d.followUpEvery).toMatchObject({ calendar: 'natural', source: expect.stringContaining('随访') });
  });
});

// ---- generated paths -------------------------------------------------------------------------
const T = '2026-03-10T10:00:00+08:00';
const SAMPLE_EVENTS = [
  ...['able', 'unable', 'failing', 'maybe'].map((g) => ASSESS(g, T)),
  PLAN([WF, SW], T),
  PLAN(['service:astrology'], T),
  APPROVE(T),
  { type: 'REJECT_PLAN', reason: 'redo', $at: T },
  { type: 'REFERRAL_ACCEPTED', service: WF, $at: T },
  { type: 'REFERRAL_DECLINED', service: SW, $at: T },
  { type: 'ADD_REFERRAL', service: EDU, replaces: SW, $at: T },
  { type: 'FOLLOW_UP_VISIT', notes: 'visit', $at: T },
  ...['able', 'unable', 'failing'].map((g) => ({ type: 'REASSESS', guardianship: g, $at: T })),
  { type: 'RETURN_HOME', $at: T },
  { type: 'RECORD_LONG_TERM_CARE', $at: T },
  { type: 'START_INTERVENTION', $at: T },
  { type: 'REQUEST_CLOSURE', $at: T },
  { type: 'APPROVE_CLOSURE', $at: T },
  { type: 'REJECT_CLOSURE', reason: 'not yet', $at: T },
  ...Object.values(TIMER).map((type) => ({ type, $at: T })),
] as never[];

/** Abstract state: the state value and what the guards read, so the traversal is finite. */
const abstract = (s: AnyMachineSnapshot) => {
  const c = ctx(s);
  return [s.value, c.assessment?.guardianship, c.placement, !!c.interventionRequestedAt, c.referrals.map((r) => `${r.service}:${r.status}${r.escalated ? '!' : ''}${r.replacedBy ? '>' : ''}`)];
};
const taken = (s: AnyMachineSnapshot, e: EventObject) => machine.getTransitionData(s as never, e as never);
const ALL_NODES = nodes(machine.root).filter((n) => n !== machine.root);
const ALL_TRANSITIONS = allTransitionKeys(machine);

describe('assessment: generated paths', () => {
  it('shortest paths, each extended by every event its end state takes, reach every state node and take every transition', () => {
    const shortest = getShortestPaths(machine, {
      input: input(),
      events: SAMPLE_EVENTS,
      filterEvents: (s, e) => taken(s, e).length > 0,
      serializeState: (s) => JSON.stringify(abstract(s)),
    });
    // Transition coverage: the shortest path to a state, then one more step for each event it takes.
    const paths = shortest.flatMap((p) => [
      edges(p),
      ...SAMPLE_EVENTS.filter((e) => taken(p.state, e).length > 0).map((event) => [...edges(p), { state: p.state, event: event as EventObject }]),
    ]);
    // Every vertex has its own shortest path, so the end states are all the states reached.
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
    expect(shortest.length).toBeGreaterThan(50);
    expect(ALL_NODES.map((n) => n.id).filter((id) => !reached.has(id))).toEqual([]);
    expect(ALL_TRANSITIONS.filter((t) => !covered.has(t))).toEqual([]);
    // plan.ts rejects XState built-ins other than raise/cancel: only those and the named effects appear.
    expect([...actionTypes].sort()).toEqual(['notify', 'openCase', 'xstate.cancel', 'xstate.raise']);
  });

  it('every simple path to closed passes through plan approval, a closure request and its approval', () => {
    const paths = getSimplePaths(machine, {
      input: input(),
      events: SAMPLE_EVENTS.filter((e: AnyEvent) => !/REFERRAL|REASSESS|INTERVENTION|FOLLOW_UP|referralAnswer|followUp/.test(e.type)),
      filterEvents: (s, e) => taken(s, e).length > 0,
      serializeState: (s) => JSON.stringify([s.value, ctx(s).assessment?.guardianship, ctx(s).placement]),
      toState: (s) => s.status === 'done',
    });
    expect(paths.length).toBeGreaterThan(10);
    for (const p of paths) {
      const types = edges(p).map((st) => st.event.type);
      expect(types).toEqual(expect.arrayContaining(['SUBMIT_ASSESSMENT', 'SUBMIT_PLAN', 'APPROVE_PLAN', 'REQUEST_CLOSURE', 'APPROVE_CLOSURE']));
      expect(types.lastIndexOf('APPROVE_PLAN')).toBeLessThan(types.lastIndexOf('REQUEST_CLOSURE'));
    }
  });
});
