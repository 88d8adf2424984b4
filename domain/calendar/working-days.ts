import type { BankHolidayTable } from './working-days.schema';

/**
 * Working-day arithmetic for England and Wales: weekends and bank holidays are not working days.
 *
 * This file is pure and safe in workflow code. The holidays come in as a value: a
 * `BankHolidayTable` computed by `bankHolidaysTable()` in ./bank-holidays (which wraps the
 * maintained `date-holidays` data set and is too heavy for the workflow bundle), passed to the
 * workflow by an activity. A table knows which years it covers, and arithmetic that strays outside
 * them throws instead of silently treating every day as an ordinary day.
 *
 * Dates are calendar dates in England, written 'YYYY-MM-DD'. Where an instant (epoch ms) is
 * accepted, it is read as its date in Europe/London (BST from 01:00 UTC on the last Sunday in March
 * to 01:00 UTC on the last Sunday in October, the rule in force since 1996).
 */

export type IsoDate = string;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export type { BankHolidayTable } from './working-days.schema';

/** A table (coverage-checked) or a bare set of holiday dates (no coverage check). */
export type Holidays = BankHolidayTable | ReadonlySet<string>;

export type DateInput = IsoDate | number;

/** The day number (days since 1970-01-01) of a 'YYYY-MM-DD' date, or undefined when it is no real date. */
export function parseIsoDate(s: string): number | undefined {
  const m = ISO_DATE.exec(s);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // setUTCFullYear, not Date.UTC: Date.UTC reads the years 0–99 as 1900–1999
  const back = new Date(0);
  back.setUTCFullYear(y, mo - 1, d);
  const ms = back.getTime();
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return undefined;
  return ms / DAY_MS;
}

/** Days since 1970-01-01 of a calendar date. */
export function dayNumber(date: IsoDate): number {
  const n = parseIsoDate(date);
  if (n === undefined) throw new RangeError(`Not a calendar date (YYYY-MM-DD): ${JSON.stringify(date)}`);
  return n;
}

export function fromDayNumber(n: number): IsoDate {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(date: IsoDate): number {
  return (((dayNumber(date) + 4) % 7) + 7) % 7;
}

function lastSundayUtc(year: number, monthIndex: number): number {
  const lastDay = Date.UTC(year, monthIndex + 1, 0) / DAY_MS;
  const dow = (((lastDay + 4) % 7) + 7) % 7;
  return lastDay - dow;
}

/** Whether an instant falls in British Summer Time. */
export function isBritishSummerTime(epochMs: number): boolean {
  const year = new Date(epochMs).getUTCFullYear();
  const start = lastSundayUtc(year, 2) * DAY_MS + HOUR_MS;
  const end = lastSundayUtc(year, 9) * DAY_MS + HOUR_MS;
  return epochMs >= start && epochMs < end;
}

/** The calendar date in England of an instant. */
export function londonDate(epochMs: number): IsoDate {
  const offset = isBritishSummerTime(epochMs) ? HOUR_MS : 0;
  return new Date(epochMs + offset).toISOString().slice(0, 10);
}

/** Milliseconds since local midnight in England of an instant. */
export function londonTimeOfDay(epochMs: number): number {
  const offset = isBritishSummerTime(epochMs) ? HOUR_MS : 0;
  return (((epochMs + offset) % DAY_MS) + DAY_MS) % DAY_MS;
}

/**
 * The instant of a local time in England. In the hour skipped in spring the time moves forward an
 * hour; in the hour repeated in autumn the first (BST) occurrence is taken.
 */
export function londonInstant(date: IsoDate, msOfDay: number): number {
  const local = dayNumber(date) * DAY_MS + msOfDay;
  const asBst = local - HOUR_MS;
  if (isBritishSummerTime(asBst)) return asBst;
  return local;
}

function toDate(d: DateInput): IsoDate {
  if (typeof d === 'number') {
    if (!Number.isFinite(d)) throw new RangeError(`Not an instant: ${d}`);
    return londonDate(d);
  }
  dayNumber(d);
  return d;
}

interface HolidayLookup {
  has(date: IsoDate): boolean;
}

const lookups = new WeakMap<object, HolidayLookup>();

function lookup(holidays: Holidays): HolidayLookup {
  if (isTable(holidays)) {
    let l = lookups.get(holidays);
    if (!l) {
      const set = new Set(holidays.dates);
      const { fromYear, toYear } = holidays;
      l = {
        has(date) {
          const year = Number(date.slice(0, 4));
          if (year < fromYear || year > toYear) {
            throw new RangeError(`The bank holiday table covers ${fromYear}–${toYear}; ${date} is outside it. Compute a table that covers it.`);
          }
          return set.has(date);
        },
      };
      lookups.set(holidays, l);
    }
    return l;
  }
  return holidays;
}

function isTable(h: Holidays): h is BankHolidayTable {
  return !(h instanceof Set) && typeof (h as BankHolidayTable).fromYear === 'number';
}

function working(date: IsoDate, l: HolidayLookup): boolean {
  const dow = dayOfWeek(date);
  if (dow === 0 || dow === 6) return false;
  return !l.has(date);
}

export function isWorkingDay(date: DateInput, holidays: Holidays): boolean {
  return working(toDate(date), lookup(holidays));
}

/**
 * The date `n` working days after `date` (before it, for negative `n`). The start date itself is
 * never counted, so adding 1 to a Friday gives the next Monday (or Tuesday after a bank holiday).
 * `n = 0` returns the date unchanged.
 */
export function addWorkingDays(date: DateInput, n: number, holidays: Holidays): IsoDate {
  if (!Number.isInteger(n)) throw new RangeError(`Working days must be a whole number: ${n}`);
  const l = lookup(holidays);
  let day = dayNumber(toDate(date));
  const step = n < 0 ? -1 : 1;
  let left = Math.abs(n);
  while (left > 0) {
    day += step;
    if (working(fromDayNumber(day), l)) left--;
  }
  return fromDayNumber(day);
}

/**
 * The signed number of working days to add to `a` to reach `b`: for b after a, the working days d
 * with a < d <= b; for b before a, minus the working days d with b <= d < a. So for a working day
 * b, addWorkingDays(a, workingDaysBetween(a, b)) === b, and workingDaysBetween(a, addWorkingDays(a, n)) === n.
 */
export function workingDaysBetween(a: DateInput, b: DateInput, holidays: Holidays): number {
  const l = lookup(holidays);
  const from = dayNumber(toDate(a));
  const to = dayNumber(toDate(b));
  let count = 0;
  if (to >= from) {
    for (let d = from + 1; d <= to; d++) if (working(fromDayNumber(d), l)) count++;
    return count;
  }
  for (let d = to; d < from; d++) if (working(fromDayNumber(d), l)) count++;
  return -count;
}

/** The first working day on or after `date`. */
export function nextWorkingDayOnOrAfter(date: DateInput, holidays: Holidays): IsoDate {
  const l = lookup(holidays);
  let day = dayNumber(toDate(date));
  while (!working(fromDayNumber(day), l)) day++;
  return fromDayNumber(day);
}

export function addCalendarDays(date: DateInput, n: number): IsoDate {
  return fromDayNumber(dayNumber(toDate(date)) + n);
}

export interface ReminderPolicy {
  /** Epoch ms when the request (e.g. to e-sign) was sent. */
  sentAt: number;
  firstAfterWorkingDays: number;
  everyWorkingDays: number;
  /** Calendar days after sending when the request expires. */
  expireAfterDays: number;
}

export const DEFAULT_REMINDER_POLICY: Omit<ReminderPolicy, 'sentAt'> = { firstAfterWorkingDays: 3, everyWorkingDays: 5, expireAfterDays: 30 };

export interface ReminderSchedule {
  /** Reminder instants (epoch ms), each on a working day at the local time of day the request was sent. */
  reminders: number[];
  reminderDates: IsoDate[];
  /** Expiry instant: `expireAfterDays` calendar days after sending, at the same local time. */
  expiresAt: number;
  expiresOn: IsoDate;
}

/**
 * When to remind and when to expire a request. Reminders fall only on working days and only strictly
 * before expiry; the workflow sleeps until each instant, measured by workflow time.
 */
export function reminderSchedule(policy: Partial<Omit<ReminderPolicy, 'sentAt'>> & { sentAt: number }, holidays: Holidays): ReminderSchedule {
  const p = { ...DEFAULT_REMINDER_POLICY, ...policy };
  if (p.firstAfterWorkingDays < 1 || p.everyWorkingDays < 1) throw new RangeError('Reminder intervals must be at least one working day.');
  const sentOn = londonDate(p.sentAt);
  const timeOfDay = londonTimeOfDay(p.sentAt);
  const expiresOn = addCalendarDays(sentOn, p.expireAfterDays);
  const expiresAt = londonInstant(expiresOn, timeOfDay);
  const reminders: number[] = [];
  const reminderDates: IsoDate[] = [];
  let on = addWorkingDays(sentOn, p.firstAfterWorkingDays, holidays);
  for (;;) {
    const at = londonInstant(on, timeOfDay);
    if (at >= expiresAt) break;
    reminders.push(at);
    reminderDates.push(on);
    on = addWorkingDays(on, p.everyWorkingDays, holidays);
  }
  return { reminders, reminderDates, expiresAt, expiresOn };
}

/** Steps of the dispute procedure that carry a time limit (DOMAIN.md §3.5). */
export const DISPUTE_STEPS = ['informal-discussion', 'board-hearing', 'lmc-referral', 'lmc-view', 'mediation'] as const;
export type DisputeStep = (typeof DISPUTE_STEPS)[number];

export interface Timescale {
  amount: number;
  unit: 'working-days' | 'days';
  description: string;
}

/** Design-option defaults from DOMAIN.md §3.5; a network's dispute procedure may set its own. */
export const DEFAULT_DISPUTE_TIMESCALES: Record<DisputeStep, Timescale> = {
  'informal-discussion': {
    amount: 10,
    unit: 'working-days',
    description: 'Informal discussion between the practice leads, from written notice of the dispute',
  },
  'board-hearing': { amount: 20, unit: 'working-days', description: 'Hearing by the network board or chair, from escalation' },
  'lmc-referral': { amount: 10, unit: 'working-days', description: 'Referral to the LMC, from the failure of stage 2' },
  'lmc-view': { amount: 28, unit: 'days', description: 'The LMC’s view, from referral' },
  mediation: { amount: 30, unit: 'days', description: 'Independent mediation, from referral to mediation' },
};

export interface DisputeDeadline {
  step: DisputeStep;
  from: IsoDate;
  due: IsoDate;
  amount: number;
  unit: Timescale['unit'];
  explanation: string;
}

/**
 * The deadline of a dispute step counted from `fromDate` (the day of the triggering event, which is
 * not itself counted). Working-day limits skip weekends and bank holidays; calendar-day limits do
 * not, and are not moved off a weekend.
 */
export function disputeDeadline(
  step: DisputeStep,
  fromDate: DateInput,
  holidays: Holidays,
  timescales: Record<DisputeStep, Timescale> = DEFAULT_DISPUTE_TIMESCALES,
): DisputeDeadline {
  const t = timescales[step];
  const from = toDate(fromDate);
  const due = t.unit === 'working-days' ? addWorkingDays(from, t.amount, holidays) : addCalendarDays(from, t.amount);
  const unitText = t.unit === 'working-days' ? 'working days (weekends and bank holidays in England and Wales excluded)' : 'calendar days';
  return { step, from, due, amount: t.amount, unit: t.unit, explanation: `${t.description}: within ${t.amount} ${unitText} of ${from}, so by ${due}.` };
}
