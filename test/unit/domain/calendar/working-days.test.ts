import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bankHolidaysTable } from '../../../../domain/calendar/bank-holidays';
import {
  addCalendarDays,
  addWorkingDays,
  disputeDeadline,
  fromDayNumber,
  dayNumber,
  isBritishSummerTime,
  isWorkingDay,
  londonDate,
  londonInstant,
  londonTimeOfDay,
  nextWorkingDayOnOrAfter,
  reminderSchedule,
  workingDaysBetween,
  DEFAULT_DISPUTE_TIMESCALES,
} from '../../../../domain/calendar/working-days';

const table = bankHolidaysTable(2026, 2027);
const at = (iso: string) => Date.parse(iso);

describe('dayNumber', () => {
  it('reads every four-digit year as written, the years 0-99 included (Date.UTC would read 0097 as 1997)', () => {
    expect(fromDayNumber(dayNumber('0097-11-29'))).toBe('0097-11-29');
    expect(dayNumber('0097-11-29')).toBeLessThan(dayNumber('1997-11-29'));
    expect(() => dayNumber('2027-02-29')).toThrow(RangeError);
  });
});

describe('isWorkingDay', () => {
  it('excludes the known bank holidays', () => {
    for (const d of ['2026-12-25', '2026-12-28', '2027-03-26', '2027-03-29', '2026-08-31']) expect(isWorkingDay(d, table)).toBe(false);
  });

  it('excludes weekends and includes ordinary weekdays', () => {
    expect(isWorkingDay('2026-06-06', table)).toBe(false); // Saturday
    expect(isWorkingDay('2026-06-07', table)).toBe(false); // Sunday
    expect(isWorkingDay('2026-06-08', table)).toBe(true);
    expect(isWorkingDay('2026-12-29', table)).toBe(true);
  });

  it('accepts a bare set of holidays, without a coverage check', () => {
    expect(isWorkingDay('2031-06-09', new Set(['2031-06-09']))).toBe(false);
    expect(isWorkingDay('2031-06-10', new Set<string>())).toBe(true);
  });

  it('refuses dates its table does not cover rather than guessing', () => {
    expect(() => isWorkingDay('2028-01-03', table)).toThrow(/covers 2026–2027/);
  });

  it('refuses malformed dates', () => {
    expect(() => isWorkingDay('2026-02-30', table)).toThrow(RangeError);
    expect(() => isWorkingDay('26-1-1', table)).toThrow(RangeError);
  });
});

describe('addWorkingDays', () => {
  it('crosses Christmas 2026 (25th, weekend, substitute 28th)', () => {
    expect(addWorkingDays('2026-12-24', 1, table)).toBe('2026-12-29');
    expect(addWorkingDays('2026-12-23', 3, table)).toBe('2026-12-30');
    expect(addWorkingDays('2026-12-31', 1, table)).toBe('2027-01-04');
    expect(addWorkingDays('2026-12-29', -1, table)).toBe('2026-12-24');
  });

  it('crosses weekends and Easter', () => {
    expect(addWorkingDays('2026-06-05', 1, table)).toBe('2026-06-08');
    expect(addWorkingDays('2026-06-06', 1, table)).toBe('2026-06-08');
    expect(addWorkingDays('2026-06-08', -1, table)).toBe('2026-06-05');
    expect(addWorkingDays('2027-03-25', 1, table)).toBe('2027-03-30');
    expect(addWorkingDays('2026-06-10', 0, table)).toBe('2026-06-10');
  });

  it('reads an instant as its date in England', () => {
    // 23:30 UTC on 30 June is 00:30 on 1 July in BST
    expect(addWorkingDays(at('2026-06-30T23:30:00Z'), 1, table)).toBe('2026-07-02');
    expect(addWorkingDays(at('2026-12-30T23:30:00Z'), 1, table)).toBe('2026-12-31');
  });

  it('throws when it walks out of the table', () => {
    expect(() => addWorkingDays('2027-12-30', 5, table)).toThrow(RangeError);
  });
});

describe('workingDaysBetween', () => {
  it('counts the signed working days from a to b', () => {
    expect(workingDaysBetween('2026-12-24', '2026-12-31', table)).toBe(3);
    expect(workingDaysBetween('2026-12-31', '2026-12-24', table)).toBe(-3); // 24, 29, 30
    expect(workingDaysBetween('2026-06-06', '2026-06-05', table)).toBe(-1); // Saturday back to Friday
    expect(workingDaysBetween('2026-06-08', '2026-06-08', table)).toBe(0);
    expect(workingDaysBetween('2026-06-05', '2026-06-12', table)).toBe(5);
  });

  const wide = bankHolidaysTable(2025, 2028);
  const dateArb = fc.integer({ min: dayNumber('2026-01-01'), max: dayNumber('2027-10-31') }).map(fromDayNumber);

  it('inverts addWorkingDays', () => {
    fc.assert(
      fc.property(dateArb, fc.integer({ min: -40, max: 40 }), (d, n) => {
        const e = addWorkingDays(d, n, wide);
        expect(workingDaysBetween(d, e, wide)).toBe(n);
        expect(isWorkingDay(e, wide) || n === 0).toBe(true);
      }),
    );
  });

  it('lands on b from a when b is a working day', () => {
    fc.assert(
      fc.property(dateArb, dateArb, (a, b0) => {
        const b = nextWorkingDayOnOrAfter(b0, wide);
        expect(addWorkingDays(a, workingDaysBetween(a, b, wide), wide)).toBe(b);
      }),
    );
  });
});

describe('British Summer Time', () => {
  it('starts and ends at 01:00 UTC on the last Sundays of March and October', () => {
    expect(isBritishSummerTime(at('2026-03-29T00:59:59Z'))).toBe(false);
    expect(isBritishSummerTime(at('2026-03-29T01:00:00Z'))).toBe(true);
    expect(isBritishSummerTime(at('2026-10-25T00:59:59Z'))).toBe(true);
    expect(isBritishSummerTime(at('2026-10-25T01:00:00Z'))).toBe(false);
  });

  it('converts between instants and local dates and times', () => {
    expect(londonDate(at('2026-06-30T23:30:00Z'))).toBe('2026-07-01');
    expect(londonTimeOfDay(at('2026-06-30T23:30:00Z'))).toBe(30 * 60_000);
    expect(londonInstant('2026-07-01', 9 * 3_600_000)).toBe(at('2026-07-01T08:00:00Z'));
    expect(londonInstant('2026-01-15', 9 * 3_600_000)).toBe(at('2026-01-15T09:00:00Z'));
    // the skipped hour moves forward; the repeated hour takes its first occurrence
    expect(londonInstant('2026-03-29', 1.5 * 3_600_000)).toBe(at('2026-03-29T01:30:00Z'));
    expect(londonInstant('2026-10-25', 1.5 * 3_600_000)).toBe(at('2026-10-25T00:30:00Z'));
  });
});

describe('reminderSchedule', () => {
  it('reminds after 3 working days, then every 5, before a 30-day expiry (over Christmas)', () => {
    const s = reminderSchedule({ sentAt: at('2026-12-21T10:00:00Z'), firstAfterWorkingDays: 3, everyWorkingDays: 5, expireAfterDays: 30 }, table);
    expect(s.reminderDates).toEqual(['2026-12-24', '2027-01-05', '2027-01-12', '2027-01-19']);
    expect(s.reminders).toEqual(['2026-12-24', '2027-01-05', '2027-01-12', '2027-01-19'].map((d) => at(`${d}T10:00:00Z`)));
    expect(s.expiresOn).toBe('2027-01-20');
    expect(s.expiresAt).toBe(at('2027-01-20T10:00:00Z'));
  });

  it('keeps the local time of day across the clocks going forward, and skips Easter', () => {
    const s = reminderSchedule({ sentAt: at('2026-03-20T09:00:00Z') }, table);
    expect(s.reminderDates).toEqual(['2026-03-25', '2026-04-01', '2026-04-10', '2026-04-17']);
    expect(s.reminders).toEqual([at('2026-03-25T09:00:00Z'), at('2026-04-01T08:00:00Z'), at('2026-04-10T08:00:00Z'), at('2026-04-17T08:00:00Z')]);
    expect(s.expiresAt).toBe(at('2026-04-19T08:00:00Z'));
  });

  it('sends no reminder that would fall at or after expiry', () => {
    const s = reminderSchedule({ sentAt: at('2026-06-01T12:00:00Z'), firstAfterWorkingDays: 3, everyWorkingDays: 5, expireAfterDays: 3 }, table);
    expect(s.reminders).toEqual([]);
    expect(() => reminderSchedule({ sentAt: 0, everyWorkingDays: 0 }, new Set())).toThrow(RangeError);
  });
});

describe('disputeDeadline', () => {
  it('applies the DOMAIN.md §3.5 timescales over Christmas', () => {
    expect(disputeDeadline('informal-discussion', '2026-12-14', table)).toMatchObject({ due: '2026-12-30', amount: 10, unit: 'working-days' });
    expect(disputeDeadline('board-hearing', '2026-12-14', table).due).toBe('2027-01-14');
    expect(disputeDeadline('lmc-referral', '2026-12-14', table).due).toBe('2026-12-30');
    expect(disputeDeadline('lmc-view', '2026-12-14', table)).toMatchObject({ due: '2027-01-11', unit: 'days' });
    expect(disputeDeadline('mediation', '2026-12-14', table).due).toBe('2027-01-13');
  });

  it('explains itself and accepts a network’s own timescales', () => {
    expect(disputeDeadline('informal-discussion', '2026-12-14', table).explanation).toBe(
      'Informal discussion between the practice leads, from written notice of the dispute: within 10 working days (weekends and bank holidays in England and Wales excluded) of 2026-12-14, so by 2026-12-30.',
    );
    const own = { ...DEFAULT_DISPUTE_TIMESCALES, 'informal-discussion': { ...DEFAULT_DISPUTE_TIMESCALES['informal-discussion'], amount: 5 } };
    expect(disputeDeadline('informal-discussion', '2026-12-14', table, own).due).toBe('2026-12-21');
  });

  it('counts calendar days without skipping weekends', () => {
    expect(addCalendarDays('2026-12-26', 2)).toBe('2026-12-28');
  });
});
