/**
 * The clock of a dispute step. A step with a limit of N is due on the Nth working day after the day
 * it started (weekends and England and Wales bank holidays skipped), or N calendar days after it
 * where the procedure says days. The day a step starts is never counted.
 *
 * Pausing (e.g. awaiting information) freezes the days left; resuming counts them again from the day
 * of the resumption, which is itself not counted, like a start. So a pause and a resume never lose or
 * gain a day: the days left after the resumption are exactly those left at the pause.
 *
 * Two working days before the due date everyone concerned is reminded (at 08:00 UK time); at the end
 * of the due date an unresolved step escalates. Pure: dates are 'YYYY-MM-DD' in England, instants are
 * epoch ms, and the holidays come in as a table.
 */
import { addCalendarDays, addWorkingDays, dayNumber, type Holidays, type IsoDate, londonInstant, workingDaysBetween } from '../calendar/working-days';
import type { LimitUnit, StepLimit } from './ladder';

const HOUR_MS = 3_600_000;
/** Reminders go out at the start of the working day. */
export const REMINDER_TIME_OF_DAY_MS = 8 * HOUR_MS;
/** Working days before the due date that the reminder is sent. */
export const REMINDER_WORKING_DAYS_BEFORE = 2;

export interface StepClock {
  /** the day the step started */
  startedOn: IsoDate;
  /** the day the clock last started counting: the start, or the last resumption */
  countingFrom: IsoDate;
  /** the unit of the step's limit; null for a step without one */
  unit: LimitUnit | null;
  /** the due date while running (the due date as it stood when paused); null without a limit */
  dueOn: IsoDate | null;
  /** set while the clock is stopped */
  paused: { on: IsoDate; daysLeft: number } | null;
}

/** `n` units after `date`. */
export function addUnits(date: IsoDate, n: number, unit: LimitUnit, holidays: Holidays): IsoDate {
  return unit === 'working-days' ? addWorkingDays(date, n, holidays) : addCalendarDays(date, n);
}

/** Units from `from` to `to`: negative when `to` is before `from`. */
export function unitsBetween(from: IsoDate, to: IsoDate, unit: LimitUnit, holidays: Holidays): number {
  return unit === 'working-days' ? workingDaysBetween(from, to, holidays) : dayNumber(to) - dayNumber(from);
}

/** The clock of a step that starts on `on`. */
export function startClock(limit: StepLimit | null, on: IsoDate, holidays: Holidays): StepClock {
  return { startedOn: on, countingFrom: on, unit: limit?.unit ?? null, dueOn: limit ? addUnits(on, limit.amount, limit.unit, holidays) : null, paused: null };
}

/**
 * Days (of the step's unit) left on `on`: those after `on` up to and including the due date. Zero on
 * the due date itself, negative once it has passed; frozen while paused; null without a limit.
 */
export function daysLeft(clock: StepClock, on: IsoDate, holidays: Holidays): number | null {
  if (clock.paused) return clock.paused.daysLeft;
  if (!clock.dueOn || !clock.unit) return null;
  return unitsBetween(on, clock.dueOn, clock.unit, holidays);
}

/** Stops the clock on `on`, keeping the days left. */
export function pauseClock(clock: StepClock, on: IsoDate, holidays: Holidays): StepClock {
  if (clock.paused) throw new RangeError('The clock is already paused.');
  const left = daysLeft(clock, on, holidays);
  if (left === null) throw new RangeError('A step without a time limit has no clock to pause.');
  return { ...clock, paused: { on, daysLeft: Math.max(0, left) } };
}

/** Starts the clock again on `on`: due once the days left at the pause have passed again. */
export function resumeClock(clock: StepClock, on: IsoDate, holidays: Holidays): StepClock {
  if (!clock.paused) throw new RangeError('The clock is not paused.');
  if (!clock.unit) throw new RangeError('A step without a time limit has no clock to resume.');
  return { ...clock, countingFrom: on, dueOn: addUnits(on, clock.paused.daysLeft, clock.unit, holidays), paused: null };
}

/** Moves the due date `days` units later (by agreement); while paused, adds them to the days left. */
export function extendClock(clock: StepClock, days: number, holidays: Holidays): StepClock {
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`An extension must be a whole number of at least 1 (got ${days}).`);
  if (!clock.dueOn || !clock.unit) throw new RangeError('A step without a time limit cannot be extended.');
  if (clock.paused) return { ...clock, paused: { ...clock.paused, daysLeft: clock.paused.daysLeft + days } };
  return { ...clock, dueOn: addUnits(clock.dueOn, days, clock.unit, holidays) };
}

/** The day of the reminder: two working days before the due date. */
export function reminderOn(dueOn: IsoDate, holidays: Holidays): IsoDate {
  return addWorkingDays(dueOn, -REMINDER_WORKING_DAYS_BEFORE, holidays);
}

export interface ClockTimers {
  /** when to remind (null when the reminder day is not after the day the clock started counting) */
  remindAt: number | null;
  /** when the step escalates: the end of its due date (midnight UK time) */
  escalateAt: number;
}

/**
 * The instants a running clock wakes at. None while paused or without a limit. A clock that started
 * counting on or after its reminder day (two working days or fewer to go) sends no reminder.
 */
export function clockTimers(clock: StepClock, holidays: Holidays): ClockTimers | null {
  if (clock.paused || !clock.dueOn) return null;
  const remindOn = reminderOn(clock.dueOn, holidays);
  return {
    remindAt: dayNumber(remindOn) > dayNumber(clock.countingFrom) ? londonInstant(remindOn, REMINDER_TIME_OF_DAY_MS) : null,
    escalateAt: londonInstant(addCalendarDays(clock.dueOn, 1), 0),
  };
}
