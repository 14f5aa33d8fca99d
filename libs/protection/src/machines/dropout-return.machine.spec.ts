import { DateTime, Duration } from 'luxon';
import { type AnyMachineSnapshot, type AnyStateNode, type EventObject, initialTransition, transition } from 'xstate';
import { getShortestPaths, getSimplePaths } from 'xstate/graph';
import { allTransitionKeys, edgesOf as edges, stateNodes as nodes, transitionKey as key } from '../testing/paths';
import { CHANGBAI_POLICY } from '../policy/changbai.policy';
import type { DeadlineRule, ProtectionPolicy } from '../policy/policy.types';
import { type DropoutContext, dropoutReturnDefinition, dropoutReturnMachine as machine } from './dropout-return.machine';
import { machinePolicy, type ProtectionInput } from './machine-kit';
import { type Action, type AnyEvent, raises, timers, cancels, notices, ms } from '../testing/actions';

// Changbai (Asia/Shanghai); 2026-03-23 is a Monday. The child has been absent since 2026-02-23.
const OPENED = '2026-03-23T08:00:00+08:00';
const SCHOOL_POLICY = CHANGBAI_POLICY.school;
const TIMER = {
  reminder: 'xstate.after.persuasionReminderEvery.dropout-return.persuading.reminding',
  period: 'xstate.after.persuasionPeriod.dropout-return.persuading',
  ack: 'xstate.after.writtenReportAck.dropout-return.awaitingAcknowledgement.inTime',
  order: 'xstate.after.guardianOrderCompliance.dropout-return.guardianOrdered.inTime',
};
const TEACHER = { userId: 'teacher-li', unitId: 'maluguo-school', role: 'school' };
const BUREAU = { userId: 'edu-zhang', unitId: 'county-education', role: 'education' };
const TOWNSHIP = { userId: 'cadre-kim', unitId: 'maluguo-government', role: 'township' };

function input(policy: ProtectionPolicy = CHANGBAI_POLICY): ProtectionInput {
  return {
    caseId: 'dropout-1',
    subject: { childId: 'child-1', township: 'maluguo', village: 'maluguo-village', school: 'maluguo-school' },
    data: { absenceCaseId: 'absence-1', consecutiveDays: 20, since: '2026-02-23' },
    policy: machinePolicy(policy),
    openedAt: OPENED,
  };
}

const refused = (s: AnyMachineSnapshot, e: AnyEvent) => machine.getTransitionData(s as never, e as never).length === 0;
const ctx = (s: AnyMachineSnapshot) => s.context as DropoutContext;
/** Milliseconds between two Shanghai wall-clock times, by luxon alone. */
function luxonMs(rule: DeadlineRule, from: string): number {
  const start = DateTime.fromISO(from, { zone: 'Asia/Shanghai' });
  return start.plus(Duration.fromISO(rule.duration)).toMillis() - start.toMillis();
}
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
const open = (policy?: ProtectionPolicy) => {
  const [s, a] = initialTransition(machine, input(policy));
  return [s, a as Action[]] as const;
};
const VISIT = (outcome: 'failed' | 'promised', $at: string, by = 'teacher'): AnyEvent => ({ type: 'RECORD_VISIT', by, outcome, notes: `家访 visit ${outcome}`, $at, $actor: TEACHER });
const FAILED3 = [VISIT('failed', '2026-03-24T16:00:00+08:00'), VISIT('failed', '2026-03-26T16:00:00+08:00'), VISIT('failed', '2026-03-30T16:00:00+08:00', 'child_director')];
const REPORTED = '2026-04-02T10:00:00+08:00'; // Thursday
const REPORT: AnyEvent = { type: 'SUBMIT_WRITTEN_REPORT', statement: '三次劝返无效 / three visits failed', $at: REPORTED, $actor: TEACHER };
const ACK = (actor: typeof BUREAU, $at = '2026-04-03T09:00:00+08:00'): AnyEvent => ({ type: 'ACKNOWLEDGE', $at, $actor: actor });
const ORDERED = '2026-04-08T10:00:00+08:00';
const ORDER: AnyEvent = { type: 'RECORD_GUARDIAN_ORDER', order: '责令监护人七日内送子女返校 / send the child to school', issuedBy: '长白县教育局', $at: ORDERED, $actor: BUREAU };
const RETURNED = (returnDate = '2026-04-13', $at = '2026-04-13T08:00:00+08:00'): AnyEvent => ({ type: 'CHILD_RETURNED', returnDate, $at, $actor: TEACHER });

const reportDue = () => run(open()[0], ...FAILED3);
const awaitingAck = () => run(reportDue()[0], REPORT);
const bureauActing = () => run(awaitingAck()[0], ACK(BUREAU), ACK(TOWNSHIP));
const guardianOrdered = () => run(bureauActing()[0], ORDER);
const returned = () => run(open()[0], RETURNED('2026-03-30', '2026-03-30T08:00:00+08:00'));

describe('dropout return: persuading', () => {
  it('opens persuading with the weekly reminder and the 30-day persuasion period, both from openedAt', () => {
    const [s0, actions] = open();
    expect(s0.value).toEqual({ persuading: 'reminding' });
    expect(ctx(s0)).toMatchObject({ absenceCaseId: 'absence-1', consecutiveDays: 20, since: '2026-02-23', visits: [], relapses: 0 });
    expect(timers(actions)).toEqual({
      [TIMER.reminder]: luxonMs(SCHOOL_POLICY.persuasionReminderEvery, OPENED),
      [TIMER.period]: luxonMs(SCHOOL_POLICY.persuasionPeriod, OPENED),
    });
    expect(timers(actions)[TIMER.reminder]).toBe(ms(OPENED, '2026-03-30T08:00:00+08:00'));
    expect(timers(actions)[TIMER.period]).toBe(ms(OPENED, '2026-04-22T08:00:00+08:00'));
  });

  it('the reminder re-arms itself one slot at a time, a visit restarts it, and it stops when the case leaves persuading', () => {
    const [s0, a0] = open();
    const due1 = '2026-03-30T08:00:00+08:00';
    const [s1, a1] = step(s0, { ...raises(a0).find((r) => r.id === TIMER.reminder)!.event, $at: due1 });
    expect(s1.value).toEqual({ persuading: 'reminding' });
    expect(notices(a1)).toEqual([{ to: ['school', 'village-committee'], reason: expect.stringContaining('劝返') }]);
    expect(cancels(a1)).toEqual([TIMER.reminder]); // the old slot is cancelled ...
    expect(timers(a1)).toEqual({ [TIMER.reminder]: ms(due1, '2026-04-06T08:00:00+08:00') }); // ... one new one, the period untouched
    const [s2, a2] = step(s1, { type: TIMER.reminder, $at: '2026-04-06T08:00:00+08:00' });
    expect(timers(a2)).toEqual({ [TIMER.reminder]: ms('2026-04-06T08:00:00+08:00', '2026-04-13T08:00:00+08:00') });
    const visit = '2026-04-08T17:00:00+08:00';
    const [s3, a3] = step(s2, VISIT('promised', visit));
    expect(cancels(a3)).toEqual([TIMER.reminder]);
    expect(timers(a3)).toEqual({ [TIMER.reminder]: ms(visit, '2026-04-15T17:00:00+08:00') });
    expect(notices(a3)).toEqual([]);
    const [s4, a4] = step(s3, RETURNED('2026-04-09', '2026-04-09T08:00:00+08:00'));
    expect(s4.value).toBe('returned');
    expect(cancels(a4).sort()).toEqual([TIMER.period, TIMER.reminder].sort());
    expect(raises(a4)).toEqual([]);
    expect(refused(s4, { type: TIMER.reminder, $at: '2026-04-15T17:00:00+08:00' })).toBe(true);
  });

  it('keeps every visit with who, when and the outcome; N-1 failed visits stay in persuading, the Nth makes the written report due', () => {
    const n = SCHOOL_POLICY.failedVisitsBeforeReport;
    expect(n).toBe(3);
    const [s0] = open();
    // Promised visits do not count towards the threshold.
    const [s1] = run(s0, FAILED3[0]!, VISIT('promised', '2026-03-25T16:00:00+08:00', 'township'), FAILED3[1]!);
    expect(s1.value).toEqual({ persuading: 'reminding' });
    expect(ctx(s1).visits).toEqual([
      { round: 0, by: 'teacher', outcome: 'failed', notes: '家访 visit failed', at: '2026-03-24T16:00:00+08:00', visitedAt: null, recordedBy: 'teacher-li' },
      { round: 0, by: 'township', outcome: 'promised', notes: '家访 visit promised', at: '2026-03-25T16:00:00+08:00', visitedAt: null, recordedBy: 'teacher-li' },
      expect.objectContaining({ outcome: 'failed', at: '2026-03-26T16:00:00+08:00' }),
    ]);
    const [s2, a2] = step(s1, { ...FAILED3[2]!, visitedAt: '2026-03-29T15:00:00+08:00' });
    expect(s2.value).toBe('writtenReportDue');
    expect(ctx(s2).visits).toHaveLength(4);
    expect(ctx(s2).visits[3]).toMatchObject({ by: 'child_director', outcome: 'failed', visitedAt: '2026-03-29T15:00:00+08:00', at: '2026-03-30T16:00:00+08:00' });
    expect(ctx(s2).reportDueBecause).toBe('failedVisits');
    expect(notices(a2)).toEqual([{ to: 'school', reason: expect.stringMatching(/书面报告.*3 failed visits/) }]);
    expect(cancels(a2).sort()).toEqual([TIMER.period, TIMER.reminder].sort());
    expect(raises(a2)).toEqual([]);
  });

  it('a county with a lower threshold reports after fewer failed visits', () => {
    const county = { ...CHANGBAI_POLICY, school: { ...SCHOOL_POLICY, failedVisitsBeforeReport: 2 } };
    const [s0] = open(county);
    const [s1] = step(s0, FAILED3[0]!);
    expect(s1.value).toEqual({ persuading: 'reminding' });
    expect(step(s1, FAILED3[1]!)[0].value).toBe('writtenReportDue');
  });

  it('the persuasion period passing makes the written report due even with fewer failed visits', () => {
    const [s0] = open();
    const [s1, a1] = run(s0, FAILED3[0]!);
    expect(raises(a1).map((r) => r.id)).toEqual([TIMER.reminder]); // a visit does not restart the period
    const [s2, a2] = step(s1, { type: TIMER.period, $at: '2026-04-22T08:00:00+08:00' });
    expect(s2.value).toBe('writtenReportDue');
    expect(ctx(s2).reportDueBecause).toBe('persuasionPeriod');
    expect(notices(a2)).toEqual([{ to: 'school', reason: expect.stringContaining('persuasion period over') }]);
    expect(cancels(a2)).toContain(TIMER.reminder);
  });

  it('refuses malformed visits, the one that would reach the threshold too', () => {
    const [s0] = open();
    const [s2] = run(s0, FAILED3[0]!, FAILED3[1]!);
    const ok = VISIT('failed', '2026-03-30T16:00:00+08:00');
    for (const s of [s0, s2]) {
      for (const bad of [{ by: 'police' }, { outcome: 'maybe' }, { notes: ' ' }, { notes: undefined }, { visitedAt: 'yesterday' }, { visitedAt: 2026 }]) {
        expect(refused(s, { ...ok, ...bad })).toBe(true);
      }
      expect(refused(s, ok)).toBe(false);
    }
  });
});

describe('dropout return: written report, acknowledgement, the bureau', () => {
  it('SUBMIT_WRITTEN_REPORT tells the county education bureau and the township and arms 3 working days for both acknowledgements', () => {
    const [s0] = reportDue();
    expect(refused(s0, { ...REPORT, statement: '' })).toBe(true);
    const [s1, a1] = step(s0, REPORT);
    expect(s1.value).toEqual({ awaitingAcknowledgement: 'inTime' });
    expect(ctx(s1).reports).toEqual([{ statement: '三次劝返无效 / three visits failed', at: REPORTED, acks: { education: null, township: null } }]);
    expect(notices(a1)).toEqual([{ to: ['county-education', 'township-government'], reason: expect.stringContaining('四(二)3') }]);
    // Thursday 10:00 + 3 working days = Tuesday 10:00 (the weekend does not count).
    expect(timers(a1)).toEqual({ [TIMER.ack]: ms(REPORTED, '2026-04-07T10:00:00+08:00') });
    expect(SCHOOL_POLICY.writtenReportAck).toMatchObject({ duration: 'P3D', calendar: 'working' });
  });

  it.each([
    ['education first', BUREAU, TOWNSHIP],
    ['township first', TOWNSHIP, BUREAU],
  ])('both acknowledge (%s): the first is kept, repeats and other roles are refused, the second moves to bureauActing', (_, first, second) => {
    const [s0] = awaitingAck();
    const [s1, a1] = step(s0, ACK(first));
    expect(s1.value).toEqual({ awaitingAcknowledgement: 'inTime' });
    expect(a1).toEqual([]);
    expect(ctx(s1).reports[0]!.acks[first.role as 'education']).toEqual({ at: '2026-04-03T09:00:00+08:00', userId: first.userId, unitId: first.unitId });
    expect(refused(s1, ACK(first))).toBe(true);
    expect(refused(s1, ACK(TEACHER))).toBe(true);
    expect(refused(s1, { type: 'ACKNOWLEDGE' })).toBe(true);
    const [s2, a2] = step(s1, ACK(second, '2026-04-06T11:00:00+08:00'));
    expect(s2.value).toBe('bureauActing');
    expect(ctx(s2).reports[0]!.acks[second.role as 'education']).toMatchObject({ at: '2026-04-06T11:00:00+08:00', userId: second.userId });
    expect(cancels(a2)).toEqual([TIMER.ack]);
  });

  it('a missed acknowledgement escalates along the writtenReportAck chain naming who is missing, and still takes ACKNOWLEDGE', () => {
    const [s0] = awaitingAck();
    const [s1] = step(s0, ACK(TOWNSHIP));
    const [late, a] = step(s1, { type: TIMER.ack, $at: '2026-04-07T10:00:00+08:00' });
    expect(late.value).toEqual({ awaitingAcknowledgement: 'overdue' });
    expect(notices(a)).toEqual(
      CHANGBAI_POLICY.escalation.writtenReportAck.map((to, i) => ({ to, reason: expect.stringContaining('by county-education ('), escalation: { chain: 'writtenReportAck', step: i + 1 } })),
    );
    expect(CHANGBAI_POLICY.escalation.writtenReportAck).toEqual(['county-education', 'joint-office']);
    expect(step(late, ACK(BUREAU, '2026-04-08T09:00:00+08:00'))[0].value).toBe('bureauActing');
  });

  it('RECORD_GUARDIAN_ORDER (Art. 83) arms the 15-day compliance deadline; missing it escalates; a renewed order re-arms it', () => {
    const [s0] = bureauActing();
    expect(refused(s0, { ...ORDER, order: '' })).toBe(true);
    expect(refused(s0, { ...ORDER, issuedBy: undefined })).toBe(true);
    const [s1, a1] = step(s0, ORDER);
    expect(s1.value).toEqual({ guardianOrdered: 'inTime' });
    expect(ctx(s1).orders).toEqual([{ order: '责令监护人七日内送子女返校 / send the child to school', issuedBy: '长白县教育局', at: ORDERED }]);
    expect(notices(a1)).toEqual([{ to: ['school', 'township-government'], reason: expect.stringContaining('第八十三条') }]);
    expect(timers(a1)).toEqual({ [TIMER.order]: luxonMs(SCHOOL_POLICY.guardianOrderCompliance, ORDERED) });
    expect(timers(a1)[TIMER.order]).toBe(ms(ORDERED, '2026-04-23T10:00:00+08:00'));
    const [late, a2] = step(s1, { type: TIMER.order, $at: '2026-04-23T10:00:00+08:00' });
    expect(late.value).toEqual({ guardianOrdered: 'overdue' });
    expect(notices(a2)).toEqual(
      CHANGBAI_POLICY.escalation.guardianOrderCompliance.map((to, i) => ({ to, reason: expect.stringContaining('第八十三条'), escalation: { chain: 'guardianOrderCompliance', step: i + 1 } })),
    );
    const renewed = '2026-04-24T09:00:00+08:00';
    const [s3, a3] = step(late, { ...ORDER, $at: renewed });
    expect(s3.value).toEqual({ guardianOrdered: 'inTime' });
    expect(ctx(s3).orders).toHaveLength(2);
    expect(timers(a3)).toEqual({ [TIMER.order]: ms(renewed, '2026-05-09T09:00:00+08:00') });
    const [, a4] = step(s1, { ...ORDER, $at: renewed });
    expect(cancels(a4)).toEqual([TIMER.order]); // the pending deadline is replaced, not doubled
    expect(raises(a4)).toHaveLength(1);
  });

  it('visits after persuasion failed are recorded and move nothing', () => {
    for (const [s] of [reportDue(), awaitingAck(), bureauActing(), guardianOrdered()]) {
      const [next, a] = step(s, VISIT('failed', '2026-04-10T16:00:00+08:00', 'township'));
      expect(next.value).toEqual(s.value);
      expect(ctx(next).visits).toHaveLength(ctx(s).visits.length + 1);
      expect(a).toEqual([]);
    }
  });
});

describe('dropout return: back at school, relapse, closure', () => {
  it.each([
    ['persuading', () => open(), [TIMER.reminder, TIMER.period]],
    ['writtenReportDue', reportDue, []],
    ['awaitingAcknowledgement', awaitingAck, [TIMER.ack]],
    ['bureauActing', bureauActing, []],
    ['guardianOrdered', guardianOrdered, [TIMER.order]],
  ] as const)('CHILD_RETURNED from %s strikes the case off, tells the township and cancels its deadline', (_, from, cancelled) => {
    const [s0] = from();
    for (const returnDate of ['2026-02-22', '2026/04/13', '2026-04-31', undefined]) expect(refused(s0, { ...RETURNED(), returnDate })).toBe(true);
    const [s1, a] = step(s0, RETURNED());
    expect(s1.value).toBe('returned');
    expect(s1.status).toBe('active');
    expect(ctx(s1)).toMatchObject({ returnDate: '2026-04-13', returns: [{ returnDate: '2026-04-13', at: '2026-04-13T08:00:00+08:00' }] });
    expect(notices(a)).toEqual([{ to: 'township-government', reason: expect.stringContaining('2026-04-13') }]);
    expect(cancels(a).sort()).toEqual([...cancelled].sort());
    expect(raises(a)).toEqual([]);
  });

  it('RELAPSE returns to persuading with the history kept, new clocks from the relapse, and a fresh failed-visit count', () => {
    const [s0] = run(open()[0], FAILED3[0]!, FAILED3[1]!, RETURNED('2026-03-30', '2026-03-30T08:00:00+08:00'));
    expect(refused(s0, { type: 'RELAPSE', date: '2026-03-29' })).toBe(true); // before the return
    expect(refused(s0, { type: 'RELAPSE', date: 'soon' })).toBe(true);
    const relapsed = '2026-04-20T08:00:00+08:00';
    const [s1, a1] = step(s0, { type: 'RELAPSE', date: '2026-04-20', $at: relapsed, $actor: TEACHER });
    expect(s1.value).toEqual({ persuading: 'reminding' });
    expect(ctx(s1)).toMatchObject({ relapses: 1, relapseDates: ['2026-04-20'], returnDate: null, returns: [{ returnDate: '2026-03-30' }] });
    expect(ctx(s1).visits).toHaveLength(2);
    expect(notices(a1)).toEqual([{ to: ['school', 'village-committee', 'township-government'], reason: expect.stringContaining('劝返') }]);
    expect(timers(a1)).toEqual({
      [TIMER.reminder]: ms(relapsed, '2026-04-27T08:00:00+08:00'),
      [TIMER.period]: ms(relapsed, '2026-05-20T08:00:00+08:00'),
    });
    // The two failed visits of the first round do not count: two more stay, the third of the round reports.
    const [s2] = run(s1, VISIT('failed', '2026-04-21T16:00:00+08:00'), VISIT('failed', '2026-04-22T16:00:00+08:00'));
    expect(s2.value).toEqual({ persuading: 'reminding' });
    expect(ctx(s2).visits.map((v) => v.round)).toEqual([0, 0, 1, 1]);
    expect(step(s2, VISIT('failed', '2026-04-23T16:00:00+08:00'))[0].value).toBe('writtenReportDue');
    // The child comes back again: not before the relapse day.
    expect(refused(s2, RETURNED('2026-04-13'))).toBe(true);
    expect(step(s2, RETURNED('2026-04-24'))[0].value).toBe('returned');
  });

  it('a new written report after a relapse needs both acknowledgements again', () => {
    const [s0] = run(bureauActing()[0], RETURNED(), { type: 'RELAPSE', date: '2026-05-04', $at: '2026-05-04T08:00:00+08:00' }, ...[1, 2, 3].map((d) => VISIT('failed', `2026-05-0${4 + d}T16:00:00+08:00`)), { ...REPORT, $at: '2026-05-08T10:00:00+08:00' });
    expect(s0.value).toEqual({ awaitingAcknowledgement: 'inTime' });
    expect(ctx(s0).reports.map((r) => r.acks)).toEqual([
      { education: expect.objectContaining({ userId: 'edu-zhang' }), township: expect.objectContaining({ userId: 'cadre-kim' }) },
      { education: null, township: null },
    ]);
    expect(step(s0, ACK(BUREAU))[0].value).toEqual({ awaitingAcknowledgement: 'inTime' });
  });

  it('CLOSE from returned ends the case; nothing else closes it', () => {
    const [s0] = returned();
    const [s1, a] = step(s0, { type: 'CLOSE', reason: ' 学期结束 / end of term ', $at: '2026-07-10T17:00:00+08:00', $actor: BUREAU });
    expect(s1.value).toBe('closed');
    expect(s1.status).toBe('done');
    expect(ctx(s1)).toMatchObject({ closedAt: '2026-07-10T17:00:00+08:00', closeReason: '学期结束 / end of term' });
    expect(a).toEqual([]);
    expect(ctx(step(s0, { type: 'CLOSE' })[0]).closeReason).toBeNull();
    for (const [s] of [open(), reportDue(), awaitingAck(), bureauActing(), guardianOrdered()]) expect(refused(s, { type: 'CLOSE' })).toBe(true);
  });

  it('the policy values it uses cite their sources', () => {
    expect(SCHOOL_POLICY.persuasionPeriod.source).toContain('劝返无效的，应书面报告县教育行政部门和乡镇政府');
    expect(SCHOOL_POLICY.persuasionReminderEvery.source).toContain('劝返复学');
    expect(SCHOOL_POLICY.writtenReportAck.source).toContain('四(二)3');
    expect(SCHOOL_POLICY.guardianOrderCompliance.source).toContain('Art. 83');
  });
});

describe('dropoutReturnDefinition', () => {
  const def = dropoutReturnDefinition(CHANGBAI_POLICY);

  it('the school opens it and each event has its roles: the bureau orders, both authorities acknowledge', () => {
    expect(def).toMatchObject({ id: 'dropout-return', version: 1, policy: { id: 'changbai', version: '2016.39-1' } });
    expect(def.title).toMatch(/劝返复学.*dropout return/);
    expect(def.permissions.open).toEqual(['school']);
    expect(Object.keys(def.permissions.events).sort()).toEqual(EVENT_TYPES);
    expect(def.permissions.events).toMatchObject({
      SUBMIT_WRITTEN_REPORT: ['school'],
      ACKNOWLEDGE: ['education', 'township'],
      RECORD_GUARDIAN_ORDER: ['education'],
      CLOSE: ['school', 'education'],
    });
    expect(def.permissions.events.RECORD_VISIT).toEqual(expect.arrayContaining(['school', 'child_director', 'township']));
  });

  it('opens from the data the absence case sends', () => {
    const built = def.input!({ caseId: 'd-9', subject: input().subject as never, data: input().data, policy: def.policy, openedAt: OPENED, ownerUnitId: 'maluguo-school' });
    const [s] = initialTransition(machine, built as ProtectionInput);
    expect(ctx(s)).toMatchObject({ caseId: 'd-9', absenceCaseId: 'absence-1', consecutiveDays: 20, since: '2026-02-23', policy: machinePolicy(CHANGBAI_POLICY) });
  });
});

// ---- generated paths -------------------------------------------------------------------------
const ALL_NODES = nodes(machine.root);
const ALL_TRANSITIONS = allTransitionKeys(machine);
const EVENT_TYPES = [...new Set(ALL_NODES.flatMap((n) => [...n.transitions.keys()]).filter((t) => !t.startsWith('xstate.')))].sort();
const T = '2026-04-10T10:00:00+08:00';
const SAMPLE_EVENTS = [
  VISIT('failed', T),
  VISIT('promised', T),
  { type: 'RECORD_VISIT', by: 'nobody', outcome: 'failed', notes: 'x', $at: T },
  { ...REPORT, $at: T },
  ACK(BUREAU, T),
  ACK(TOWNSHIP, T),
  { ...ORDER, $at: T },
  RETURNED('2026-04-13', T),
  RETURNED('2026-05-11', T),
  { type: 'RELAPSE', date: '2026-04-27', $at: T },
  { type: 'CLOSE', $at: T },
  ...Object.values(TIMER).map((type) => ({ type, $at: T })),
] as never[];
const ALLOWED_ACTIONS = new Set(['xstate.raise', 'xstate.cancel', 'notify']);
const taken = (s: AnyMachineSnapshot, e: EventObject) => machine.getTransitionData(s as never, e as never);
/**
 * What the guards read, so the graph is finite: the state, this round's failed visits while persuading (the
 * only state that counts them), the current report's acknowledgements, and the day a return or relapse must
 * not precede.
 */
const serializeState = (s: AnyMachineSnapshot) => {
  const c = ctx(s);
  const failed = s.matches('persuading') ? c.visits.filter((v) => v.round === c.relapses && v.outcome === 'failed').length : null;
  const acks = c.reports[c.reports.length - 1]?.acks;
  return JSON.stringify([s.value, failed, acks && [!!acks.education, !!acks.township], c.returnDate ?? c.relapseDates[c.relapseDates.length - 1]]);
};
const filterEvents = (s: AnyMachineSnapshot, e: EventObject) => taken(s, e).length > 0;

describe('dropout return: generated paths', () => {
  it('shortest paths, each extended by every event its end state takes, reach every state node and take every transition', () => {
    const shortest = getShortestPaths(machine, { input: input(), events: SAMPLE_EVENTS, serializeState, filterEvents });
    const reached = new Set(shortest.flatMap((p) => (p.state as AnyMachineSnapshot)._nodes.map((n: AnyStateNode) => n.id)));
    expect(ALL_NODES.map((n) => n.id).filter((id) => !reached.has(id))).toEqual([]);
    const covered = new Set<string>();
    const actionTypes = new Set<string>();
    for (const p of shortest) {
      const extended = [...edges(p), ...SAMPLE_EVENTS.filter((e) => filterEvents(p.state, e)).map((event) => ({ state: p.state, event: event as EventObject }))];
      for (const { state, event } of extended) {
        taken(state, event).forEach((t) => covered.add(key(t)));
        (transition(machine, state as never, event as never)[1] as Action[]).forEach((a) => actionTypes.add(a.type));
      }
    }
    expect(ALL_TRANSITIONS.length).toBe(22);
    expect(ALL_TRANSITIONS.filter((t) => !covered.has(t))).toEqual([]);
    // plan.ts accepts only raise/cancel among XState built-ins: the rest are named effects.
    expect([...actionTypes].sort()).toEqual([...ALLOWED_ACTIONS].sort());
  });

  it('every simple path to closed strikes the child off first; a written report follows failed persuasion; an order follows both acknowledgements', () => {
    // Without relapses and the self re-arming timers every cycle is cut, so the simple paths stay few.
    const events = SAMPLE_EVENTS.filter(
      (e: AnyEvent) => !['RELAPSE', TIMER.reminder].includes(e.type) && (e.type !== 'RECORD_VISIT' || e.by === 'teacher') && (e.type !== 'CHILD_RETURNED' || e.returnDate === '2026-04-13'),
    );
    const paths = getSimplePaths(machine, { input: input(), events, serializeState, filterEvents, toState: (s) => s.status === 'done' });
    expect(paths.length).toBeGreaterThan(50);
    for (const p of paths) {
      const types = edges(p).map((e) => e.event.type);
      // 劝返无效: the written report follows the Nth failed visit or the end of the persuasion period.
      const report = types.indexOf('SUBMIT_WRITTEN_REPORT');
      const before = edges(p).slice(0, Math.max(report, 0));
      if (report >= 0) expect(types.slice(0, report).includes(TIMER.period) || before.filter((e) => (e.event as AnyEvent).outcome === 'failed').length >= 3).toBe(true);
      expect(types[types.length - 1]).toBe('CLOSE');
      expect(types[types.length - 2]).toBe('CHILD_RETURNED');
      const orders = types.indexOf('RECORD_GUARDIAN_ORDER');
      if (orders >= 0) expect(types.slice(0, orders).filter((t) => t === 'ACKNOWLEDGE').length).toBeGreaterThanOrEqual(2);
    }
  });
});
