import { DateTime } from 'luxon';
import { CHANGBAI_POLICY } from '../policy/changbai.policy';
import { isQuarter, msUntil, notBefore, quarterReturnDue, reminderAt, untilContextInstant, yearlySummaryDue } from './calendar-kit';

const SH = { zone: 'Asia/Shanghai' };
const instant = (y: number, m: number, d: number) => DateTime.fromObject({ year: y, month: m, day: d }, SH).toMillis();
const millis = (iso: string) => DateTime.fromISO(iso).toMillis();

describe('calendar kit', () => {
  it('quarterReturnDue: 00:00 Asia/Shanghai on the day of the quarter\'s last month (20日之前)', () => {
    expect(quarterReturnDue('2026-Q1', 20)).toBe('2026-03-20T00:00:00+08:00');
    expect([2, 3, 4].map((q) => millis(quarterReturnDue(`2026-Q${q}`, 20)))).toEqual([instant(2026, 6, 20), instant(2026, 9, 20), instant(2026, 12, 20)]);
    expect(millis(quarterReturnDue('2027-Q1', 15))).toBe(instant(2027, 3, 15));
    // 16:00 UTC on the 19th is already the 20th in Changbai.
    expect(quarterReturnDue('2026-Q1', 20)).toBe(DateTime.fromISO('2026-03-19T16:00:00Z').setZone('Asia/Shanghai').toISO({ suppressMilliseconds: true }));
    for (const [q, d] of [['2026-Q5', 20], ['2026Q1', 20], ['2026-Q1', 0], ['2026-Q1', 31], ['2026-Q1', 2.5]] as const) expect(() => quarterReturnDue(q, d)).toThrow();
  });

  it('isQuarter', () => {
    expect(['2026-Q1', '2099-Q4'].map(isQuarter)).toEqual([true, true]);
    expect(['2026-Q0', '1999-Q1', ' 2026-Q1', 2026, null].map(isQuarter)).toEqual([false, false, false, false, false]);
  });

  it('yearlySummaryDue: the end of the day (24:00), i.e. 00:00 the next day; the 15th is included', () => {
    expect(yearlySummaryDue(2026, CHANGBAI_POLICY.registry.yearlySummaryDue)).toBe('2026-12-16T00:00:00+08:00');
    expect(millis(yearlySummaryDue(2026, { month: 12, day: 31 }))).toBe(instant(2027, 1, 1));
    expect(() => yearlySummaryDue(2026, { month: 2, day: 30 })).toThrow();
    expect(() => yearlySummaryDue(1999, { month: 12, day: 15 })).toThrow();
  });

  it('msUntil is never negative and is exact across zones', () => {
    expect(msUntil('2026-03-20T00:00:00+08:00', '2026-03-19T16:00:00Z')).toBe(0);
    expect(msUntil('2026-03-20T00:00:00+08:00', '2026-03-13T00:00:00+08:00')).toBe(7 * 24 * 3600 * 1000);
    expect(msUntil('2026-03-20T00:00:00+08:00', '2026-03-21T00:00:00+08:00')).toBe(0);
    expect(() => msUntil('soon', '2026-03-21T00:00:00+08:00')).toThrow();
  });

  it('reminderAt: natural durations back, or whole working days back (Monday–Friday)', () => {
    expect(reminderAt('2026-03-20T00:00:00+08:00', CHANGBAI_POLICY.registry.reminderBefore)).toBe('2026-03-13T00:00:00+08:00');
    // Friday 2026-03-20 minus 5 working days = Friday 2026-03-13; minus 1 working day from a Monday is the Friday before.
    expect(reminderAt('2026-03-20T00:00:00+08:00', { duration: 'P5D', calendar: 'working', source: 't' })).toBe('2026-03-13T00:00:00+08:00');
    expect(reminderAt('2026-03-23T09:00:00+08:00', { duration: 'P1D', calendar: 'working', source: 't' })).toBe('2026-03-20T09:00:00+08:00');
    expect(reminderAt('2026-03-20T00:00:00+08:00', { duration: 'PT12H', calendar: 'natural', source: 't' })).toBe('2026-03-19T12:00:00+08:00');
    expect(() => reminderAt('2026-03-20T00:00:00+08:00', { duration: 'PT12H', calendar: 'working', source: 't' })).toThrow();
  });

  it('untilContextInstant counts from the event\'s $at, or openedAt without one', () => {
    const delay = untilContextInstant('dueAt');
    const context = { dueAt: '2026-03-20T00:00:00+08:00', openedAt: '2026-03-19T00:00:00+08:00' };
    expect(delay({ context, event: {} })).toBe(24 * 3600 * 1000);
    expect(delay({ context, event: { $at: '2026-03-19T23:00:00+08:00' } })).toBe(3600 * 1000);
    expect(delay({ context, event: { $at: '2026-04-01T00:00:00+08:00' } })).toBe(0);
  });

  it('notBefore: the due instant itself counts as late', () => {
    expect(notBefore('2026-03-20T00:00:00+08:00', '2026-03-20T00:00:00+08:00')).toBe(true);
    expect(notBefore('2026-03-19T23:59:59+08:00', '2026-03-20T00:00:00+08:00')).toBe(false);
  });
});
