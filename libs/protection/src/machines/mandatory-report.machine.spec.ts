import { DateTime, Duration } from 'luxon';
import { type AnyMachineSnapshot, type AnyStateNode, type EventObject, initialTransition, transition } from 'xstate';
import { getShortestPaths, getSimplePaths } from 'xstate/graph';
import { stateNodes } from '../testing/paths';
import { CHANGBAI_POLICY } from '../policy/changbai.policy';
import type { DeadlineRule } from '../policy/policy.types';
import { machinePolicy, type ProtectionInput } from './machine-kit';
import { mandatoryReportDefinition, mandatoryReportMachine as machine, situationOf } from './mandatory-report.machine';
import { type Action, raises, cancels } from '../testing/actions';

const OPENED = '2026-03-02T09:00:00+08:00';
const ACCEPTED = '2026-03-02T09:10:00+08:00';
const DISPATCHED = '2026-03-02T09:25:00+08:00';
const FED_BACK = '2026-03-03T15:00:00+08:00';
const CONCLUDED = '2026-03-09T11:00:00+08:00';

const ACCEPT_TIMER = 'xstate.after.reportAccept.mandatory-report.awaitingAcceptance';
const DISPATCH_TIMER = 'xstate.after.dispatch.mandatory-report.handling.work.awaitingDispatch';
const FEEDBACK_TIMER = 'xstate.after.reportFeedback.mandatory-report.handling.feedback.awaitingFeedback';

function input(triggers: string[] = ['ALONE_NO_GUARDIAN']): ProtectionInput {
  return {
    caseId: 'report-1',
    subject: { childId: 'child-1', township: 'maluguo', village: 'maluguo-village' },
    data: {
      triggers,
      description: '9岁儿童独自在家 / a 9-year-old alone at home',
      reporter: { unitId: 'maluguo-school', userId: 'teacher-li', role: 'school' },
    },
    policy: machinePolicy(CHANGBAI_POLICY),
    openedAt: OPENED,
  };
}

const ev = <T extends EventObject>(e: T): never => e as never;
const paramsOf = (actions: readonly Action[], type: string) => actions.filter((a) => a.type === type).map((a) => a.params);

/** The deadline in ms from `from`, computed independently with luxon in the county's zone. */
function luxonMs(rule: DeadlineRule, from: string): number {
  const start = DateTime.fromISO(from, { zone: 'Asia/Shanghai' });
  return start.plus(Duration.fromISO(rule.duration)).toMillis() - start.toMillis();
}

const open = () => initialTransition(machine, input());
function accepted() {
  const [s0] = open();
  return transition(machine, s0, ev({ type: 'ACCEPT', $at: ACCEPTED }));
}
function dispatched() {
  const [s1] = accepted();
  return transition(machine, s1, ev({ type: 'DISPATCH', $at: DISPATCHED }));
}

describe('mandatory report machine', () => {
  it('opens awaiting acceptance, tells the township police and arms the 15-minute acceptance deadline from openedAt', () => {
    const [s0, actions] = open();
    expect(s0.value).toBe('awaitingAcceptance');
    expect(paramsOf(actions, 'notify')).toEqual([expect.objectContaining({ to: 'township-police' })]);
    const [timer] = raises(actions);
    expect(timer).toEqual({ event: { type: ACCEPT_TIMER }, id: ACCEPT_TIMER, delay: luxonMs(CHANGBAI_POLICY.deadlines.reportAccept, OPENED) });
    expect(timer!.delay).toBe(900_000);
  });

  it('escalates a missed acceptance to each unit of the reportAccept chain, and still takes ACCEPT', () => {
    const [s0, opened] = open();
    const [late, actions] = transition(machine, s0, ev(raises(opened)[0]!.event));
    expect(late.value).toBe('acceptanceOverdue');
    expect(paramsOf(actions, 'notify')).toEqual(
      CHANGBAI_POLICY.escalation.reportAccept.map((to, i) => ({ to, reason: expect.any(String), escalation: { chain: 'reportAccept', step: i + 1 } })),
    );
    expect(paramsOf(actions, 'notify').map((p) => (p as { to: string }).to)).toEqual(['county-psb', 'joint-office']);
    const [s1, acceptedLate] = transition(machine, late, ev({ type: 'ACCEPT', $at: '2026-03-02T10:00:00+08:00' }));
    expect(s1.value).toEqual({ handling: { work: 'awaitingDispatch', feedback: 'awaitingFeedback' } });
    expect(s1.context.acceptedAt).toBe('2026-03-02T10:00:00+08:00');
    expect(paramsOf(acceptedLate, 'notify')).toEqual([expect.objectContaining({ to: 'reporter' })]);
  });

  it('on acceptance: cancels the acceptance timer, tells the reporter, arms dispatch and the 3-day feedback deadline from acceptance', () => {
    const [s1, actions] = accepted();
    expect(s1.context.acceptedAt).toBe(ACCEPTED);
    expect(cancels(actions)).toEqual([ACCEPT_TIMER]);
    expect(paramsOf(actions, 'notify')).toEqual([{ to: 'reporter', reason: expect.stringContaining(ACCEPTED) }]);
    const timers = Object.fromEntries(raises(actions).map((r) => [r.id, r.delay]));
    expect(timers).toEqual({
      [DISPATCH_TIMER]: luxonMs(CHANGBAI_POLICY.deadlines.dispatch, ACCEPTED),
      [FEEDBACK_TIMER]: luxonMs(CHANGBAI_POLICY.deadlines.reportFeedback, ACCEPTED),
    });
    expect(timers[DISPATCH_TIMER]).toBe(30 * 60_000);
    // Due 3 natural days after acceptance, not after the report was filed.
    const due = DateTime.fromISO(ACCEPTED).plus({ milliseconds: timers[FEEDBACK_TIMER]! });
    expect(due.toMillis()).toBe(DateTime.fromISO('2026-03-05T09:10:00+08:00').toMillis());
  });

  it('notifies the county PSB when the police have not gone out in time, and still takes DISPATCH', () => {
    const [s1, acc] = accepted();
    const timer = raises(acc).find((r) => r.id === DISPATCH_TIMER)!;
    const [late, actions] = transition(machine, s1, ev(timer.event));
    expect(late.value).toEqual({ handling: { work: 'dispatchOverdue', feedback: 'awaitingFeedback' } });
    expect(paramsOf(actions, 'notify')).toEqual([{ to: 'county-psb', reason: expect.stringContaining('出警') }]);
    expect(cancels(actions)).toEqual([DISPATCH_TIMER]);
    const [s2, out] = transition(machine, late, ev({ type: 'DISPATCH', $at: DISPATCHED }));
    expect(s2.value).toEqual({ handling: { work: 'dispatched', feedback: 'awaitingFeedback' } });
    expect(paramsOf(out, 'openCase')).toHaveLength(1);
  });

  it('DISPATCH cancels the dispatch timer and opens the emergency case, keeping the feedback clock running', () => {
    const [s2, actions] = dispatched();
    expect(s2.value).toEqual({ handling: { work: 'dispatched', feedback: 'awaitingFeedback' } });
    expect(s2.context.dispatchedAt).toBe(DISPATCHED);
    expect(cancels(actions)).toEqual([DISPATCH_TIMER]);
    expect(raises(actions)).toEqual([]);
    expect(paramsOf(actions, 'openCase')).toEqual([
      {
        type: 'emergency',
        ownerRole: 'township-police',
        reason: expect.any(String),
        data: { reportCaseId: 'report-1', situation: 'alone', triggers: ['ALONE_NO_GUARDIAN'] },
      },
    ]);
  });

  it.each([
    [['ALONE_NO_GUARDIAN'], 'alone'],
    [['MISSING'], 'missing'],
    [['S7_MISSING_TRAFFICKED'], 'missing'],
    [['FAMILY_VIOLENCE'], 'harm'],
    [['INJURY_OR_HARM'], 'harm'],
    [['S1_PRIVATE_PARTS_INJURY'], 'harm'],
    [['S4_SIGNS_OF_ABUSE'], 'harm'],
    [['S5_ABNORMAL_DISABILITY_DEATH'], 'harm'],
    [['S9_OTHER_SERIOUS_HARM'], 'harm'],
    [['GUARDIAN_UNABLE'], 'guardian-unable'],
    [['S6_ABANDONED'], 'guardian-unable'],
    [['S8_ORGANISED_BEGGING'], 'guardian-unable'],
    [['ALONE_NO_GUARDIAN', 'FAMILY_VIOLENCE'], 'harm'],
    [['FAMILY_VIOLENCE', 'MISSING'], 'missing'],
  ])('triggers %j open the emergency case as "%s"', (triggers, situation) => {
    expect(situationOf(triggers)).toBe(situation);
    const [s0] = initialTransition(machine, input(triggers));
    const [s1] = transition(machine, s0, ev({ type: 'ACCEPT', $at: ACCEPTED }));
    const [, actions] = transition(machine, s1, ev({ type: 'DISPATCH', $at: DISPATCHED }));
    expect(paramsOf(actions, 'openCase')).toEqual([expect.objectContaining({ data: expect.objectContaining({ situation, triggers }) })]);
  });

  it('GIVE_FEEDBACK tells the reporter how the case stands and cancels the feedback timer; an empty summary is refused', () => {
    const [s1] = accepted();
    expect(machine.getTransitionData(s1, ev({ type: 'GIVE_FEEDBACK', summary: '  ', $at: FED_BACK }))).toEqual([]);
    const [s2, actions] = transition(machine, s1, ev({ type: 'GIVE_FEEDBACK', summary: '已出警，儿童安全 / child safe', $at: FED_BACK }));
    expect(s2.value).toEqual({ handling: { work: 'awaitingDispatch', feedback: 'feedbackGiven' } });
    expect(s2.context).toMatchObject({ feedbackAt: FED_BACK, feedback: '已出警，儿童安全 / child safe' });
    expect(cancels(actions)).toEqual([FEEDBACK_TIMER]);
    expect(paramsOf(actions, 'notify')).toEqual([{ to: 'reporter', reason: expect.stringContaining('已出警，儿童安全 / child safe') }]);
  });

  it('escalates missed feedback to each unit of the reportFeedback chain, and still takes GIVE_FEEDBACK', () => {
    const [s2, disp] = dispatched();
    expect(raises(disp)).toEqual([]); // the feedback timer armed on acceptance is untouched by DISPATCH
    const [, acc] = accepted();
    const timer = raises(acc).find((r) => r.id === FEEDBACK_TIMER)!;
    const [late, actions] = transition(machine, s2, ev(timer.event));
    expect(late.value).toEqual({ handling: { work: 'dispatched', feedback: 'feedbackOverdue' } });
    expect(paramsOf(actions, 'notify')).toEqual([
      { to: 'county-psb', reason: expect.stringContaining('3日内'), escalation: { chain: 'reportFeedback', step: 1 } },
      { to: 'procuratorate', reason: expect.stringContaining('3日内'), escalation: { chain: 'reportFeedback', step: 2 } },
    ]);
    expect(CHANGBAI_POLICY.escalation.reportFeedback).toEqual(['county-psb', 'procuratorate']);
    const [s3, fb] = transition(machine, late, ev({ type: 'GIVE_FEEDBACK', summary: 'late', $at: FED_BACK }));
    expect(s3.value).toEqual({ handling: { work: 'dispatched', feedback: 'feedbackGiven' } });
    expect(paramsOf(fb, 'notify')).toEqual([expect.objectContaining({ to: 'reporter' })]);
  });

  it('refuses CONCLUDE before dispatch and without an outcome', () => {
    const [s1] = accepted();
    expect(machine.getTransitionData(s1, ev({ type: 'CONCLUDE', outcome: 'done', $at: CONCLUDED }))).toEqual([]);
    const [s2] = dispatched();
    expect(machine.getTransitionData(s2, ev({ type: 'CONCLUDE', outcome: '', $at: CONCLUDED }))).toEqual([]);
    expect(machine.getTransitionData(s2, ev({ type: 'CONCLUDE', $at: CONCLUDED }))).toEqual([]);
  });

  it('CONCLUDE without earlier feedback: the outcome notice counts as feedback and the feedback timer is cancelled', () => {
    const [s2] = dispatched();
    const [done, actions] = transition(machine, s2, ev({ type: 'CONCLUDE', outcome: '父母已返回 / parents returned', $at: CONCLUDED }));
    expect(done.value).toBe('concluded');
    expect(done.status).toBe('done');
    expect(done.context).toMatchObject({ outcome: '父母已返回 / parents returned', concludedAt: CONCLUDED, feedbackAt: CONCLUDED });
    expect(cancels(actions)).toEqual([FEEDBACK_TIMER]);
    expect(paramsOf(actions, 'notify')).toEqual([{ to: 'reporter', reason: expect.stringContaining('父母已返回 / parents returned') }]);
  });

  it('CONCLUDE after feedback keeps the feedback time and tells the reporter the outcome', () => {
    const [s2] = dispatched();
    const [s3] = transition(machine, s2, ev({ type: 'GIVE_FEEDBACK', summary: 'in hand', $at: FED_BACK }));
    const [done, actions] = transition(machine, s3, ev({ type: 'CONCLUDE', outcome: 'closed', $at: CONCLUDED }));
    expect(done.status).toBe('done');
    expect(done.context.feedbackAt).toBe(FED_BACK);
    expect(cancels(actions)).toEqual([]);
    expect(paramsOf(actions, 'notify')).toEqual([{ to: 'reporter', reason: expect.stringContaining('未成年人保护法 第十一条') }]);
  });

  it('the policy values it uses cite their source', () => {
    expect(CHANGBAI_POLICY.deadlines.reportFeedback.source).toContain('3日内');
    expect(CHANGBAI_POLICY.deadlines.reportAccept.source).toContain('第一时间受理');
    expect(CHANGBAI_POLICY.deadlines.dispatch.source).toContain('第一时间出警');
  });
});

describe('mandatoryReportDefinition', () => {
  const def = mandatoryReportDefinition(CHANGBAI_POLICY);

  it('lets obliged reporters, police and civil affairs open, and only police move the case', () => {
    expect(def).toMatchObject({ id: 'mandatory-report', version: 1, policy: { id: 'changbai', version: '2016.39-1' } });
    expect(def.title).toMatch(/强制报告.*mandatory report/);
    expect([...def.permissions.open].sort()).toEqual([...CHANGBAI_POLICY.obligedReporterRoles, 'police', 'civil_affairs'].sort());
    const used = new Set(
      stateNodes(machine.root).flatMap((n) => [...n.transitions.keys()]).filter((t) => !t.startsWith('xstate.')),
    );
    expect(Object.keys(def.permissions.events).sort()).toEqual([...used].sort());
    for (const roles of Object.values(def.permissions.events)) expect(roles).toEqual(['police']);
  });

  it('builds the machine input from the open context', () => {
    const built = def.input!({
      caseId: 'r-9',
      subject: { childId: 'c', township: 'maluguo' },
      data: { triggers: ['MISSING'] },
      policy: def.policy,
      openedAt: OPENED,
      ownerUnitId: 'maluguo-police',
    });
    expect(built).toEqual({
      caseId: 'r-9',
      subject: { childId: 'c', township: 'maluguo' },
      data: { triggers: ['MISSING'] },
      policy: machinePolicy(CHANGBAI_POLICY),
      openedAt: OPENED,
    });
  });
});

// ---- generated paths: nothing in the machine is left unreached ----

const allTransitions = stateNodes(machine.root).flatMap((n) => [...n.transitions.keys()].map((e) => `${n.id} ${e}`));
const SAMPLE_EVENTS = [
  { type: 'ACCEPT', $at: ACCEPTED },
  { type: 'DISPATCH', $at: DISPATCHED },
  { type: 'GIVE_FEEDBACK', summary: 'progress', $at: FED_BACK },
  { type: 'GIVE_FEEDBACK', summary: '', $at: FED_BACK },
  { type: 'CONCLUDE', outcome: 'closed', $at: CONCLUDED },
  { type: 'CONCLUDE', outcome: '', $at: CONCLUDED },
  { type: ACCEPT_TIMER },
  { type: DISPATCH_TIMER },
  { type: FEEDBACK_TIMER },
] as never[];
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

describe('mandatory report: generated paths', () => {
  it('shortest paths reach every state node', () => {
    const { reached } = walk(getShortestPaths(machine, { input: input(), events: SAMPLE_EVENTS }));
    expect([...reached].sort()).toEqual(stateNodes(machine.root).map((n) => n.id).sort());
  });

  it('simple paths take every transition of the machine and emit only actions the engine maps', () => {
    const paths = getSimplePaths(machine, { input: input(), events: SAMPLE_EVENTS });
    const { taken, actionTypes } = walk(paths);
    expect(allTransitions.length).toBe(10);
    expect([...taken].sort()).toEqual([...allTransitions].sort());
    expect([...actionTypes].filter((t) => !ALLOWED_ACTIONS.has(t))).toEqual([]);
    expect(paths.filter((p) => p.state.status === 'done').length).toBeGreaterThan(0);
  });
});
