import { describe, expect, it } from 'vitest';
import { instantToUkWallClock, readWallClock, ukWallClockToInstant } from '../../../../domain/calendar/uk-time';

const at = (year: number, month: number, day: number, hour: number, minute = 0) => ukWallClockToInstant({ year, month, day, hour, minute });

describe('UK wall-clock times to instants', () => {
  it('reads a winter time as GMT and a summer time as BST (an hour ahead of UTC)', () => {
    expect(at(2026, 1, 15, 17)).toEqual({ instant: '2026-01-15T17:00:00.000Z' });
    expect(at(2026, 7, 15, 17)).toEqual({ instant: '2026-07-15T16:00:00.000Z' });
  });

  it('changes offset on the days the clocks change, not a day early or late', () => {
    // 2026: BST from 29 March (01:00 UTC) to 25 October (01:00 UTC)
    expect(at(2026, 3, 28, 12)).toEqual({ instant: '2026-03-28T12:00:00.000Z' });
    expect(at(2026, 3, 29, 0, 59)).toEqual({ instant: '2026-03-29T00:59:00.000Z' });
    expect(at(2026, 3, 29, 2)).toEqual({ instant: '2026-03-29T01:00:00.000Z' });
    expect(at(2026, 10, 25, 0, 30)).toEqual({ instant: '2026-10-24T23:30:00.000Z' });
    expect(at(2026, 10, 25, 2)).toEqual({ instant: '2026-10-25T02:00:00.000Z' });
  });

  it('refuses the hour the clocks skip in March, and takes the first of the hour that repeats in October', () => {
    expect(at(2026, 3, 29, 1, 30)).toEqual({ problem: 'skipped' });
    // 01:30 happens at 00:30 UTC (BST) and again at 01:30 UTC (GMT): the earlier one is meant
    expect(at(2026, 10, 25, 1, 30)).toEqual({ instant: '2026-10-25T00:30:00.000Z' });
  });

  it('refuses days and times that do not exist', () => {
    expect(at(2026, 2, 29, 12)).toEqual({ problem: 'not-a-date' });
    expect(at(2028, 2, 29, 12)).toEqual({ instant: '2028-02-29T12:00:00.000Z' });
    expect(at(2026, 13, 1, 12)).toEqual({ problem: 'not-a-date' });
    expect(at(2026, 6, 1, 24)).toEqual({ problem: 'not-a-time' });
    expect(ukWallClockToInstant(readWallClock({ day: 'x', month: '1', year: '2026', time: '10:00' }))).toEqual({ problem: 'not-a-date' });
  });

  it('round-trips every quarter hour of a year through the wall clock (except the skipped hour)', () => {
    let skipped = 0;
    for (let ms = Date.UTC(2027, 0, 1); ms < Date.UTC(2028, 0, 1); ms += 15 * 60_000) {
      const clock = instantToUkWallClock(new Date(ms).toISOString());
      const back = ukWallClockToInstant(clock);
      if ('problem' in back) throw new Error(`${new Date(ms).toISOString()}: ${back.problem}`);
      // the repeated October hour reads back as its first occurrence, an hour earlier
      if (back.instant !== new Date(ms).toISOString()) {
        expect(Date.parse(back.instant)).toBe(ms - 3_600_000);
        skipped += 1;
      }
    }
    expect(skipped).toBe(4);
  });
});

describe('reading what a person typed', () => {
  it('reads 24-hour and 12-hour times', () => {
    const read = (time: string) => readWallClock({ day: '5', month: '6', year: '2026', time });
    expect(read('17:30')).toMatchObject({ hour: 17, minute: 30 });
    expect(read('9.05')).toMatchObject({ hour: 9, minute: 5 });
    expect(read('5pm')).toMatchObject({ hour: 17, minute: 0 });
    expect(read('12am')).toMatchObject({ hour: 0, minute: 0 });
    expect(read('12:15pm')).toMatchObject({ hour: 12, minute: 15 });
  });

  it('does not guess: a bare hour or a 13pm is no time', () => {
    const read = (time: string) => readWallClock({ day: '5', month: '6', year: '2026', time });
    expect(ukWallClockToInstant(read('5'))).toEqual({ problem: 'not-a-time' });
    expect(ukWallClockToInstant(read('13pm'))).toEqual({ problem: 'not-a-time' });
    expect(ukWallClockToInstant(read(''))).toEqual({ problem: 'not-a-time' });
  });
});
