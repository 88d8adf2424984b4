import { describe, expect, it } from 'vitest';
import { bankHolidays, bankHolidaysTable } from '../../../../domain/calendar/bank-holidays';
import { bankHolidayTableSchema } from '../../../../domain/calendar/working-days.schema';

describe('bankHolidays (England and Wales)', () => {
  it('lists the 2026 bank holidays, with Boxing Day observed on Monday 28 December', () => {
    expect(bankHolidays(2026).map((h) => h.date)).toEqual([
      '2026-01-01',
      '2026-04-03',
      '2026-04-06',
      '2026-05-04',
      '2026-05-25',
      '2026-08-31',
      '2026-12-25',
      '2026-12-28',
    ]);
    expect(bankHolidays(2026).find((h) => h.date === '2026-12-28')!.name).toMatch(/Boxing Day/);
  });

  it('knows Easter 2027 and both Christmas substitutes of 2027', () => {
    const dates = bankHolidays(2027).map((h) => h.date);
    expect(dates).toContain('2027-03-26'); // Good Friday
    expect(dates).toContain('2027-03-29'); // Easter Monday
    expect(dates).toContain('2027-12-27');
    expect(dates).toContain('2027-12-28');
    expect(dates).not.toContain('2027-12-25'); // a Saturday
  });

  it('includes one-off proclaimed days and the moved early-May holiday', () => {
    expect(bankHolidays(2022).map((h) => h.date)).toEqual(expect.arrayContaining(['2022-06-02', '2022-06-03', '2022-09-19']));
    expect(bankHolidays(2020).map((h) => h.date)).toContain('2020-05-08');
    expect(bankHolidays(2020).map((h) => h.date)).not.toContain('2020-05-04');
  });

  it('computes far-future years from the rules (8 a year, none at a weekend)', () => {
    const h = bankHolidays(2041);
    expect(h).toHaveLength(8);
    for (const d of h) expect([0, 6]).not.toContain(new Date(`${d.date}T00:00:00Z`).getUTCDay());
  });
});

describe('bankHolidaysTable', () => {
  it('produces plain data a workflow can receive, stamped with its coverage', () => {
    const t = bankHolidaysTable(2026, 2027);
    expect(bankHolidayTableSchema.parse(JSON.parse(JSON.stringify(t)))).toEqual(t);
    expect(t).toMatchObject({ region: 'england-and-wales', fromYear: 2026, toYear: 2027 });
    expect(t.dates).toHaveLength(16);
    expect(t.dates).toEqual([...t.dates].sort());
  });

  it('accepts configured extra days inside its range only', () => {
    const t = bankHolidaysTable(2026, 2026, ['2026-07-01']);
    expect(t.dates).toContain('2026-07-01');
    expect(t.source).toContain('1 added by configuration');
    expect(() => bankHolidaysTable(2026, 2026, ['2027-01-05'])).toThrow(/outside/);
    expect(() => bankHolidaysTable(2027, 2026)).toThrow(RangeError);
  });
});
