import Holidays from 'date-holidays';
import { dayOfWeek, type BankHolidayTable, type IsoDate } from './working-days';
import { isoDateSchema } from './working-days.schema';

/**
 * England and Wales bank holidays from the maintained `date-holidays` data set (country GB, region
 * ENG, type public; Wales observes the same days). The data are rule-based (Easter, "first Monday
 * in May", substitute days) plus the one-off days proclaimed so far, so any year can be computed
 * offline, and a package update brings newly proclaimed days.
 *
 * Not for workflow code: the package carries calendars for every country. An activity calls
 * `bankHolidaysTable()` and hands the (plain data) table to the workflow, which does its arithmetic
 * with ./working-days.
 */

export interface BankHoliday {
  date: IsoDate;
  name: string;
}

const SOURCE = 'date-holidays: GB/ENG public holidays';

let calendar: Holidays | undefined;
function englandAndWales(): Holidays {
  calendar ??= new Holidays('GB', 'ENG', { types: ['public'] });
  return calendar;
}

/**
 * Each year's holidays, computed once: the rules engine behind them costs milliseconds a year, and
 * every signing round asks for five years. A year's holidays never change while a process runs.
 */
const byYear = new Map<number, readonly BankHoliday[]>();

/**
 * Observed bank holidays of a year, in date order. A holiday that falls at a weekend is listed on
 * its weekday substitute only (as GOV.UK lists them), since the weekend day was not a working day.
 */
export function bankHolidays(year: number): BankHoliday[] {
  if (!Number.isInteger(year) || year < 1000 || year > 9999) throw new RangeError(`Not a year: ${year}`);
  let found = byYear.get(year);
  if (!found) {
    found = computeYear(year);
    byYear.set(year, found);
  }
  return found.map((h) => ({ ...h }));
}

function computeYear(year: number): BankHoliday[] {
  return englandAndWales()
    .getHolidays(year, 'en')
    .filter((h) => h.type === 'public')
    .map((h) => ({ date: h.date.slice(0, 10), name: h.name }))
    .filter((h) => {
      const dow = dayOfWeek(h.date);
      return dow !== 0 && dow !== 6;
    })
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

/**
 * A coverage-stamped table for `fromYear`..`toYear` inclusive, for passing into workflows.
 * `extraDates` adds days proclaimed after the installed data were published (e.g. a state occasion
 * announced at short notice), so the calendar can be corrected without waiting for a release.
 */
export function bankHolidaysTable(fromYear: number, toYear: number, extraDates: readonly IsoDate[] = []): BankHolidayTable {
  if (!Number.isInteger(fromYear) || !Number.isInteger(toYear) || toYear < fromYear) {
    throw new RangeError(`Invalid year range ${fromYear}–${toYear}`);
  }
  const dates = new Set<IsoDate>();
  for (let y = fromYear; y <= toYear; y++) for (const h of bankHolidays(y)) dates.add(h.date);
  for (const d of extraDates) {
    isoDateSchema.parse(d);
    const y = Number(d.slice(0, 4));
    if (y < fromYear || y > toYear) throw new RangeError(`Extra bank holiday ${d} is outside ${fromYear}–${toYear}.`);
    dates.add(d);
  }
  return {
    region: 'england-and-wales',
    fromYear,
    toYear,
    dates: [...dates].sort(),
    source: extraDates.length > 0 ? `${SOURCE}, plus ${extraDates.length} added by configuration` : SOURCE,
  };
}
