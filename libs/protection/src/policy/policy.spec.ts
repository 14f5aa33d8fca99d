import { DateTime } from 'luxon';
import { CHANGBAI_POLICY } from './changbai.policy';
import { delayMs, dueAt } from './deadline';
import { parsePolicy, PolicyError } from './policy.schema';

describe('the Changbai policy', () => {
  it('is valid, and every deadline cites the rule it comes from', () => {
    expect(parsePolicy(CHANGBAI_POLICY)).toEqual(CHANGBAI_POLICY);
    expect(CHANGBAI_POLICY.deadlines.reportFeedback.source).toContain('3日内');
    expect(CHANGBAI_POLICY.deadlines.guardianshipRefusal.source).toContain('6个月以上');
    expect(CHANGBAI_POLICY.reportTriggers.filter((t) => t.code.startsWith('S'))).toHaveLength(9); // 2020 opinion's nine situations
    expect(CHANGBAI_POLICY.temporaryGuardianshipGrounds).toHaveLength(7); // Minors Protection Law Art. 92
  });

  it('rejects a policy with a bad duration or a missing source, naming the field', () => {
    const bad = structuredClone(CHANGBAI_POLICY) as unknown as { deadlines: Record<string, { duration: string; source: string }> };
    bad.deadlines.reportAccept!.duration = 'fifteen minutes';
    bad.deadlines.dispatch!.source = '';
    expect(() => parsePolicy(bad)).toThrow(PolicyError);
    expect(() => parsePolicy(bad)).toThrow(/deadlines\.reportAccept: duration must be an ISO 8601 duration/);
    expect(() => parsePolicy(bad)).toThrow(/deadlines\.dispatch\.source: every deadline cites its source/);
  });
});

describe('deadlines in Asia/Shanghai', () => {
  const at = (iso: string) => DateTime.fromISO(iso, { zone: 'Asia/Shanghai' }).toISO();

  it('counts natural durations on the calendar: six months is the same day six months on', () => {
    expect(at(dueAt(CHANGBAI_POLICY.deadlines.guardianshipRefusal, '2026-03-02T10:00:00+08:00').toISO()!)).toBe('2026-09-02T10:00:00.000+08:00');
    expect(delayMs(CHANGBAI_POLICY.deadlines.reportAccept, '2026-03-02T10:00:00+08:00')).toBe(15 * 60_000);
    expect(delayMs(CHANGBAI_POLICY.deadlines.reportFeedback, '2026-03-02T10:00:00+08:00')).toBe(3 * 86_400_000);
  });

  it('counts working days Monday to Friday: five from a Friday ends the next Friday', () => {
    const due = dueAt(CHANGBAI_POLICY.deadlines.assessment, '2026-03-06T16:00:00+08:00'); // a Friday
    expect(due.toISO()).toBe('2026-03-13T16:00:00.000+08:00');
    expect(dueAt({ duration: 'P1D', calendar: 'working', source: 'x' }, '2026-03-07T09:00:00+08:00').toISO()).toBe('2026-03-09T09:00:00.000+08:00');
  });

  it('refuses a working-day deadline that is not whole days', () => {
    expect(() => dueAt({ duration: 'PT5H', calendar: 'working', source: 'x' }, '2026-03-02T10:00:00+08:00')).toThrow('whole days');
  });
});
