import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bankHolidaysTable } from '../../../../domain/calendar/bank-holidays';
import { addCalendarDays, dayNumber, fromDayNumber, isWorkingDay, londonInstant, workingDaysBetween } from '../../../../domain/calendar/working-days';
import { clockTimers, daysLeft, extendClock, pauseClock, reminderOn, resumeClock, startClock, unitsBetween } from '../../../../domain/disputes/clock';
import type { LimitUnit } from '../../../../domain/disputes/ladder';

const table = bankHolidaysTable(2026, 2028);
const TEN_WORKING = { amount: 10, unit: 'working-days' as const };

describe('a step’s due date', () => {
  it('is the Nth working day after the day it started, across Christmas and New Year', () => {
    // Fri 18 Dec 2026: Christmas Day (Fri 25), Boxing Day observed Mon 28, New Year's Day Fri 1 Jan are skipped
    const clock = startClock(TEN_WORKING, '2026-12-18', table);
    expect(clock.dueOn).toBe('2027-01-06');
    expect(workingDaysBetween('2026-12-18', clock.dueOn!, table)).toBe(10);
  });

  it('skips Good Friday and Easter Monday', () => {
    // Mon 22 Mar 2027 + 10 working days: Good Friday 26 Mar and Easter Monday 29 Mar skipped
    expect(startClock(TEN_WORKING, '2027-03-22', table).dueOn).toBe('2027-04-07');
  });

  it('does not count the starting day, even a Saturday', () => {
    expect(startClock({ amount: 1, unit: 'working-days' }, '2027-06-05', table).dueOn).toBe('2027-06-07');
  });

  it('counts calendar days where the procedure says days, landing on a weekend or a holiday as it may', () => {
    expect(startClock({ amount: 28, unit: 'days' }, '2026-11-27', table).dueOn).toBe('2026-12-25');
  });

  it('has none at a step without a limit', () => {
    const clock = startClock(null, '2027-01-04', table);
    expect(clock.dueOn).toBeNull();
    expect(daysLeft(clock, '2027-02-01', table)).toBeNull();
    expect(clockTimers(clock, table)).toBeNull();
  });
});

describe('days left', () => {
  const clock = startClock(TEN_WORKING, '2026-12-18', table);
  it('counts the working days after today up to the due date', () => {
    expect(daysLeft(clock, '2026-12-18', table)).toBe(10);
    expect(daysLeft(clock, '2026-12-24', table)).toBe(6); // 29, 30, 31 Dec, 4, 5, 6 Jan
    expect(daysLeft(clock, '2026-12-27', table)).toBe(6); // a Sunday during the holidays counts nothing away
    expect(daysLeft(clock, '2027-01-06', table)).toBe(0);
    expect(daysLeft(clock, '2027-01-08', table)).toBe(-2);
  });
});

describe('pausing and resuming', () => {
  it('keeps the days left across a pause that spans a bank holiday', () => {
    const clock = startClock(TEN_WORKING, '2027-04-26', table); // due Tue 11 May (May Day 3 May skipped)
    expect(clock.dueOn).toBe('2027-05-11');
    const paused = pauseClock(clock, '2027-04-28', table); // 8 working days left
    expect(paused.paused).toEqual({ on: '2027-04-28', daysLeft: 8 });
    expect(daysLeft(paused, '2027-05-20', table)).toBe(8);
    const resumed = resumeClock(paused, '2027-05-28', table); // Spring bank holiday Mon 31 May is skipped
    expect(resumed.dueOn).toBe('2027-06-10');
    expect(daysLeft(resumed, '2027-05-28', table)).toBe(8);
    expect(resumed.countingFrom).toBe('2027-05-28');
    expect(resumed.startedOn).toBe('2027-04-26');
  });

  it('refuses to pause twice, or to resume a clock that runs', () => {
    const clock = startClock(TEN_WORKING, '2027-04-26', table);
    expect(() => resumeClock(clock, '2027-04-27', table)).toThrow(/not paused/);
    expect(() => pauseClock(pauseClock(clock, '2027-04-27', table), '2027-04-28', table)).toThrow(/already paused/);
  });

  const units: LimitUnit[] = ['working-days', 'days'];
  const day = (from: string, span: number) => fc.integer({ min: 0, max: span }).map((n) => fromDayNumber(dayNumber(from) + n));

  it('never loses or gains a day, whatever the dates (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...units),
        fc.integer({ min: 1, max: 40 }),
        day('2026-01-01', 600),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 0, max: 300 }),
        (unit, amount, startedOn, pauseAfter, pausedFor) => {
          const clock = startClock({ amount, unit }, startedOn, table);
          const pausedOn = addCalendarDays(startedOn, Math.min(pauseAfter, unitsBetween(startedOn, clock.dueOn!, 'days', table)));
          const left = daysLeft(clock, pausedOn, table)!;
          const paused = pauseClock(clock, pausedOn, table);
          const resumedOn = addCalendarDays(pausedOn, pausedFor);
          const resumed = resumeClock(paused, resumedOn, table);
          // the days left after resuming are those left at the pause
          expect(daysLeft(resumed, resumedOn, table)).toBe(left);
          // the days counted before the pause and after the resumption add up to the step's limit
          expect(unitsBetween(startedOn, pausedOn, unit, table) + unitsBetween(resumedOn, resumed.dueOn!, unit, table)).toBe(amount);
          // a pause and a resumption on the same day change nothing
          if (pausedFor === 0 && (unit === 'days' || isWorkingDay(clock.dueOn!, table))) expect(resumed.dueOn).toBe(clock.dueOn);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('extending by agreement', () => {
  it('moves the due date by days of the step’s unit', () => {
    const clock = startClock(TEN_WORKING, '2026-12-18', table);
    expect(extendClock(clock, 5, table).dueOn).toBe('2027-01-13');
    expect(extendClock(startClock({ amount: 28, unit: 'days' }, '2026-11-27', table), 3, table).dueOn).toBe('2026-12-28');
  });

  it('adds to the days left while paused', () => {
    const paused = pauseClock(startClock(TEN_WORKING, '2026-12-18', table), '2026-12-21', table);
    expect(extendClock(paused, 4, table).paused?.daysLeft).toBe(paused.paused!.daysLeft + 4);
  });

  it('refuses nothing, a fraction, or a step without a limit', () => {
    const clock = startClock(TEN_WORKING, '2026-12-18', table);
    expect(() => extendClock(clock, 0, table)).toThrow();
    expect(() => extendClock(clock, 1.5, table)).toThrow();
    expect(() => extendClock(startClock(null, '2026-12-18', table), 3, table)).toThrow(/no time limit|without a time limit/);
  });
});

describe('reminders and escalation', () => {
  it('reminds two working days before the due date, at 08:00 UK time, and escalates when the due date has passed', () => {
    const clock = startClock(TEN_WORKING, '2026-12-18', table); // due Wed 6 Jan 2027
    expect(reminderOn(clock.dueOn!, table)).toBe('2027-01-04'); // Mon 4 Jan: Fri 1 Jan is a bank holiday
    const timers = clockTimers(clock, table)!;
    expect(new Date(timers.remindAt!).toISOString()).toBe('2027-01-04T08:00:00.000Z');
    expect(new Date(timers.escalateAt).toISOString()).toBe('2027-01-07T00:00:00.000Z');
  });

  it('keeps UK time in summer', () => {
    const timers = clockTimers(startClock(TEN_WORKING, '2027-06-01', table), table)!;
    expect(timers.escalateAt).toBe(londonInstant('2027-06-16', 0));
    expect(new Date(timers.escalateAt).toISOString()).toBe('2027-06-15T23:00:00.000Z');
  });

  it('sends no reminder for a clock with two working days or fewer to go, and sets no timer while paused', () => {
    expect(clockTimers(startClock({ amount: 2, unit: 'working-days' }, '2027-06-01', table), table)!.remindAt).toBeNull();
    expect(clockTimers(startClock({ amount: 3, unit: 'working-days' }, '2027-06-01', table), table)!.remindAt).not.toBeNull();
    expect(clockTimers(pauseClock(startClock(TEN_WORKING, '2027-06-01', table), '2027-06-02', table), table)).toBeNull();
  });

  it('reminds on the working days before a due date that falls at a weekend', () => {
    // 28 calendar days from Sat 27 Nov 2027 fall on Sat 25 Dec; two working days before is Thu 23 Dec
    const clock = startClock({ amount: 28, unit: 'days' }, '2027-11-27', table);
    expect(clock.dueOn).toBe('2027-12-25');
    expect(reminderOn(clock.dueOn!, table)).toBe('2027-12-23');
  });
});
