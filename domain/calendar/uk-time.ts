/**
 * Wall-clock times in the UK (Europe/London) and the instants they name. People type a closing time
 * as they read it on the office clock; the clock is GMT in winter and BST (UTC+1) from the last
 * Sunday of March to the last Sunday of October, so the same "17:00" is a different instant in
 * January and in July. Offsets come from the platform's time-zone data (Intl), never a hand-kept
 * table. Pure: no clock is read here.
 */

export interface UkWallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

export type UkTimeProblem = 'not-a-date' | 'not-a-time' | 'skipped';

const zoneParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
  hourCycle: 'h23',
});

/** The UK wall clock at an instant (milliseconds since the epoch). */
function wallAt(ms: number): UkWallClock & { second: number } {
  const parts = zoneParts.formatToParts(new Date(ms));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute'), second: get('second') };
}

/** Minutes the UK clock is ahead of UTC at an instant: 0 in GMT, 60 in BST. */
function offsetMinutesAt(ms: number): number {
  const w = wallAt(ms);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
}

/** Whether the parts are a real calendar day and a real time of day. */
function wellFormed(c: UkWallClock): UkTimeProblem | null {
  const ints = [c.year, c.month, c.day].every((n) => Number.isInteger(n));
  if (!ints || c.year < 1970 || c.year > 9999 || c.month < 1 || c.month > 12 || c.day < 1) return 'not-a-date';
  if (c.day > new Date(Date.UTC(c.year, c.month, 0)).getUTCDate()) return 'not-a-date';
  if (!Number.isInteger(c.hour) || !Number.isInteger(c.minute) || c.hour < 0 || c.hour > 23 || c.minute < 0 || c.minute > 59) return 'not-a-time';
  return null;
}

/**
 * The instant a UK wall-clock time names, as an ISO string in UTC. A time the clocks skip (01:00 to
 * 01:59 on the last Sunday of March) names no instant and is refused; a time that happens twice
 * (01:00 to 01:59 on the last Sunday of October) is taken the first time, in BST, so a deadline
 * typed for that hour is never later than the person meant.
 */
export function ukWallClockToInstant(c: UkWallClock): { instant: string } | { problem: UkTimeProblem } {
  const problem = wellFormed(c);
  if (problem) return { problem };
  const naive = Date.UTC(c.year, c.month - 1, c.day, c.hour, c.minute);
  // the two offsets the UK uses around this day; try the earlier instant (the larger offset) first
  const candidates = [...new Set([offsetMinutesAt(naive - 86_400_000), offsetMinutesAt(naive + 86_400_000), offsetMinutesAt(naive)])].sort((a, b) => b - a);
  for (const offset of candidates) {
    const ms = naive - offset * 60_000;
    const w = wallAt(ms);
    if (w.year === c.year && w.month === c.month && w.day === c.day && w.hour === c.hour && w.minute === c.minute)
      return { instant: new Date(ms).toISOString() };
  }
  return { problem: 'skipped' };
}

/** The UK wall clock of an ISO instant, for filling in a form with a time already chosen. */
export function instantToUkWallClock(iso: string): UkWallClock {
  const { second: _second, ...clock } = wallAt(Date.parse(iso));
  return clock;
}

/**
 * Reads the day, month, year and "HH:MM" (or "H.MM", "5pm", "5:30pm") a person typed. Returns the
 * numbers, or NaN where a part cannot be read, for `ukWallClockToInstant` to refuse.
 */
export function readWallClock(input: { day: string; month: string; year: string; time: string }): UkWallClock {
  const num = (s: string) => (/^\s*\d{1,4}\s*$/.test(s) ? Number(s) : Number.NaN);
  const time = /^\s*(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?\s*$/i.exec(input.time);
  let hour = Number.NaN;
  let minute = Number.NaN;
  if (time) {
    hour = Number(time[1]);
    minute = time[2] === undefined ? 0 : Number(time[2]);
    const meridiem = time[3]?.toLowerCase();
    if (meridiem) {
      // 12am is midnight, 12pm is noon; "13pm" is no time at all
      if (hour < 1 || hour > 12) hour = Number.NaN;
      else hour = (hour % 12) + (meridiem === 'pm' ? 12 : 0);
    } else if (time[2] === undefined) {
      // a bare number is ambiguous ("5": 5am or 5pm?), so it is not a time
      hour = Number.NaN;
    }
  }
  return { year: num(input.year), month: num(input.month), day: num(input.day), hour, minute };
}
