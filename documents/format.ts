/**
 * English (en-GB) wording for documents: dates, money, percentages, ordinals and plurals.
 * Used by the Handlebars helpers and by context builders that need the same wording.
 */

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function toDate(value: string | Date): Date {
  if (value instanceof Date) return value;
  // A bare ISO date is a calendar day, not an instant: read it as UTC so no timezone can shift it.
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : new Date(value);
  if (Number.isNaN(d.getTime())) throw new RangeError(`not a date: ${value}`);
  return d;
}

/** "16 March 2009" */
export function formatDate(value: string | Date): string {
  const d = toDate(value);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

/** "16 March 2009, 14:05:09 UTC" */
export function formatDateTimeUtc(value: string | Date): string {
  const d = toDate(value);
  const hh = String(d.getUTCHours()).padStart(2, '0');
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  const ss = String(d.getUTCSeconds()).padStart(2, '0');
  return `${formatDate(d)}, ${hh}:${mm}:${ss} UTC`;
}

const londonFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
  timeZoneName: 'short',
});

/** "16 March 2009, 15:05:09 BST" in Europe/London. */
export function formatDateTimeLondon(value: string | Date): string {
  const parts = londonFormat.formatToParts(toDate(value));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('day')} ${get('month')} ${get('year')}, ${get('hour')}:${get('minute')}:${get('second')} ${get('timeZoneName')}`;
}

/** Thousands separators: 23627 → "23,627". */
export function formatNumber(value: number, decimals = 0): string {
  return value.toLocaleString('en-GB', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** Integer pence → "£1,234.50". */
export function formatPence(pence: number): string {
  if (!Number.isInteger(pence)) throw new RangeError(`pence must be a whole number (got ${pence})`);
  const sign = pence < 0 ? '−' : '';
  const abs = Math.abs(pence);
  const pounds = Math.floor(abs / 100);
  const p = String(abs % 100).padStart(2, '0');
  return `${sign}£${formatNumber(pounds)}.${p}`;
}

/** Pounds → "£1,234.50" (rounded to the penny). */
export function formatPounds(pounds: number): string {
  return formatPence(Math.round(pounds * 100));
}

/** 70 → "70%"; 33.333, 1 → "33.3%". */
export function formatPercent(value: number, decimals = 0): string {
  return `${formatNumber(value, decimals)}%`;
}

/** 1 → "1st", 22 → "22nd", 13 → "13th". */
export function ordinal(n: number): string {
  const mod100 = n % 100;
  if (mod100 >= 11 && mod100 <= 13) return `${n}th`;
  switch (n % 10) {
    case 1:
      return `${n}st`;
    case 2:
      return `${n}nd`;
    case 3:
      return `${n}rd`;
    default:
      return `${n}th`;
  }
}

const WORDS = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
  'twenty',
];
const ORDINAL_WORDS = [
  'zeroth',
  'first',
  'second',
  'third',
  'fourth',
  'fifth',
  'sixth',
  'seventh',
  'eighth',
  'ninth',
  'tenth',
  'eleventh',
  'twelfth',
  'thirteenth',
  'fourteenth',
  'fifteenth',
  'sixteenth',
  'seventeenth',
  'eighteenth',
  'nineteenth',
  'twentieth',
];

/** 5 → "five" up to twenty, digits after that (house style for legal text). */
export function numberWord(n: number): string {
  return Number.isInteger(n) && n >= 0 && n <= 20 ? WORDS[n] : formatNumber(n);
}

/** 2 → "second" up to twentieth, "21st" after that. */
export function ordinalWord(n: number): string {
  return Number.isInteger(n) && n >= 0 && n <= 20 ? ORDINAL_WORDS[n] : ordinal(n);
}

/** plural(1, 'practice') → "practice"; plural(2, 'practice') → "practices". */
export function plural(n: number, singular: string, pluralForm?: string): string {
  return n === 1 ? singular : (pluralForm ?? `${singular}s`);
}

/** ["A", "B", "C"] → "A, B and C". */
export function listAnd(items: readonly string[], conjunction = 'and'): string {
  if (items.length === 0) return '';
  if (items.length === 1) return items[0];
  return `${items.slice(0, -1).join(', ')} ${conjunction} ${items[items.length - 1]}`;
}

/**
 * The lines under a document's title: the network's name (unless the title already says it, as
 * "Terms of Reference and Constitution of Highway Network" does), then version, issue date and id.
 */
export function titleBlockLines(title: string, meta: { networkName: string; version: number; issuedOn: string; documentId: string }): string[] {
  const issue = `Version ${meta.version} \u00b7 Issued ${formatDate(meta.issuedOn)} \u00b7 Document ${meta.documentId}`;
  return title.includes(meta.networkName) ? [issue] : [meta.networkName, issue];
}
