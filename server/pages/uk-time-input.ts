/**
 * A date and time typed in UK time (the date-input boxes and a time box of the `uk-time-field`
 * partial), read into an instant across GMT and BST (domain/calendar/uk-time.ts), with NHS-style
 * messages for what cannot be read.
 */
import { instantToUkWallClock, readWallClock, ukWallClockToInstant } from '../../domain/calendar/uk-time';

export interface UkTimeValue {
  day: string;
  month: string;
  year: string;
  time: string;
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** The boxes as typed, for showing again. */
export function ukTimeValue(body: Record<string, unknown>, name: string): UkTimeValue {
  return { day: str(body[`${name}.day`]), month: str(body[`${name}.month`]), year: str(body[`${name}.year`]), time: str(body[`${name}.time`]) };
}

/** The boxes filled in for an instant: its UK date and 24-hour time. */
export function ukTimeBoxes(iso: string): UkTimeValue {
  const c = instantToUkWallClock(iso);
  return { day: String(c.day), month: String(c.month), year: String(c.year), time: `${String(c.hour).padStart(2, '0')}:${String(c.minute).padStart(2, '0')}` };
}

/** The instant typed, or the message to show beside the boxes. `what` names the field: "the closing time". */
export function readUkTime(value: UkTimeValue, what: string): { instant: string } | { error: string } {
  if (![value.day, value.month, value.year, value.time].some((v) => v.trim())) return { error: `Enter ${what}` };
  const read = ukWallClockToInstant(readWallClock(value));
  if ('instant' in read) return read;
  if (read.problem === 'not-a-date') return { error: `${what.charAt(0).toUpperCase()}${what.slice(1)} must be a real date, like 16 3 2027` };
  if (read.problem === 'not-a-time') return { error: 'Enter the time as hours and minutes, like 17:00 or 5pm' };
  return { error: 'The clocks go forward at 1am that day, so that time does not happen in the UK: choose another time' };
}
