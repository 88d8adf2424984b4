/**
 * Plain English for everything people read: statuses as words, dates as "16 March 2009", times in
 * UK time, numbers with separators, counts that read ("31 of 61 practices"), hashes as a short
 * fingerprint. Pages, mail and readiness all word things through here, so a status reads the same
 * everywhere and no page shows a raw code, an ISO date or an id.
 */
import { STAGES } from './stages';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** A calendar day ("2009-03-16") or an instant, as "16 March 2009" (an instant's day in UK time). */
export function ukDate(value: string): string {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (day) return `${Number(day[3])} ${MONTHS[Number(day[2]) - 1]} ${day[1]}`;
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', day: 'numeric', month: 'long', year: 'numeric' }).formatToParts(new Date(value));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('day')} ${get('month')} ${get('year')}`;
}

/** An instant in UK time: "16 March 2009 at 2:05pm". */
export function ukDateTime(value: string): string {
  // 24-hour parts, worded here: en-GB's 12-hour clock writes midnight as "0:15 am"
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(
    new Date(value),
  );
  const hour = Number(parts.find((p) => p.type === 'hour')?.value ?? 0);
  const minute = parts.find((p) => p.type === 'minute')?.value ?? '00';
  return `${ukDate(value)} at ${hour % 12 === 0 ? 12 : hour % 12}:${minute}${hour < 12 ? 'am' : 'pm'}`;
}

/** 23627 → "23,627". */
export function number(n: number): string {
  return n.toLocaleString('en-GB');
}

/** plural(1, 'practice') → "1 practice"; plural(3, 'practice') → "3 practices". */
export function plural(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${number(n)} ${n === 1 ? singular : pluralForm}`;
}

/** countOf(31, 61, 'practice') → "31 of 61 practices". */
export function countOf(n: number, total: number, singular: string, pluralForm = `${singular}s`): string {
  return `${number(n)} of ${number(total)} ${total === 1 ? singular : pluralForm}`;
}

/** A SHA-256 (or any long hex) as a short fingerprint people can compare: "3f2a 91c0 7be4". */
export function fingerprint(hex: string): string {
  return (hex.slice(0, 12).match(/.{1,4}/g) ?? []).join(' ');
}

/**
 * A record's id (a signature, a decline) as a short reference people can quote: the first twelve
 * hex digits, grouped like a fingerprint ("3f2a 91c0 7be4"). Enough to find the record; no UUID on a page.
 */
export function reference(id: string): string {
  return fingerprint(id.replace(/[^0-9a-f]/gi, '').toLowerCase());
}

const STAGE_TITLES = new Map<string, string>(STAGES.map((s) => [s.key, s.title]));

/** A stage key as its title: "terms-of-reference" → "Terms of reference". */
export function stageTitle(key: string): string {
  return STAGE_TITLES.get(key) ?? key;
}

/** The words for each status a person may see, by what it is the status of. */
export const STATUS_WORDS = {
  stage: {
    pending: 'Not started',
    drafting: 'Drafting',
    issuing: 'Being issued',
    voting: 'Being voted on',
    'awaiting-signatures': 'Awaiting signatures',
    'awaiting-outcome': "Awaiting the panel's outcome",
    completed: 'Completed',
  },
  formation: { 'not-started': 'Not started', running: 'In progress', completed: 'Complete' },
  round: {
    opening: 'Opening',
    open: 'Open for signatures',
    expired: 'Expired',
    signed: 'Signed by everyone',
    declined: 'Declined',
    voided: 'Replaced by a newer version',
  },
  signature: {
    pending: 'Waiting for you',
    signed: 'Signed',
    declined: 'Declined',
    'signed-by-colleague': 'Signed by a colleague',
    delegated: 'Handed to a colleague',
    superseded: 'Replaced by a newer version',
    closed: 'Closed',
    expired: 'Expired',
  },
  document: { issued: 'Issued', signed: 'Signed', declined: 'Declined', superseded: 'Replaced by a newer version', sealed: 'Sealed' },
  motion: { open: 'Open for votes', closed: 'Closed' },
  decision: {
    ordinary: 'Ordinary decision',
    allocation: 'Allocating funds',
    constitutional: 'Changing the constitution',
    admission: 'Admitting a practice',
    expulsion: 'Expelling a practice',
    'legal-form': 'Choosing the legal form',
    appointment: 'An appointment',
    dissolution: 'Dissolving the network',
  },
  result: { carried: 'Carried', lost: 'Lost', inquorate: 'Not quorate' },
  election: { opening: 'Opening', nominations: 'Taking nominations', ballot: 'Voting', counting: 'Counting', counted: 'Counted' },
  case: { opening: 'Opening', open: 'Open', resolved: 'Resolved', withdrawn: 'Withdrawn', determined: 'Determined' },
  panelOutcome: { pass: 'Passed', conditional: 'Passed with conditions', defer: 'Deferred to the next wave' },
  recommendation: { pass: 'Pass', conditional: 'Pass with conditions', defer: 'Defer to the next wave' },
  rag: { red: 'Red', amber: 'Amber', green: 'Green' },
  delivery: { outbox: 'Recorded (no mail server)', pending: 'Waiting to send', sent: 'Sent', failed: 'Not sent yet (will retry)' },
} as const satisfies Record<string, Record<string, string>>;

export type StatusKind = keyof typeof STATUS_WORDS;

/** A status as words; an unknown one is still shown as words ("awaiting-thing" → "Awaiting thing"), never as a code. */
export function statusWords(kind: StatusKind, status: string): string {
  const words = (STATUS_WORDS[kind] as Record<string, string>)[status];
  if (words) return words;
  const plain = status.replace(/[-_]/g, ' ');
  return plain.charAt(0).toUpperCase() + plain.slice(1);
}

/** A person's roles in a practice, in words (the codes are what the API and the data hold). */
export const ROLE_WORDS = {
  partner: 'Partner',
  'caldicott-guardian': 'Caldicott guardian',
  'practice-manager': 'Practice manager',
  'board-member': 'Board member',
  'clinical-director': 'Clinical director',
  chair: 'Chair',
  'patient-representative': 'Patient representative',
  'network-manager': 'Network manager',
  dpo: 'Data protection officer',
} as const satisfies Record<string, string>;

/** A staff role over programmes, in words. */
export const STAFF_ROLE_WORDS = { facilitator: 'Facilitator', commissioner: 'Commissioner', 'panel-member': 'Panel member' } as const satisfies Record<
  string,
  string
>;

/** Roles as a list of words: ["partner", "caldicott-guardian"] → "Partner, Caldicott guardian". */
export function roleWords(roles: readonly string[]): string {
  return roles.map((r) => (ROLE_WORDS as Record<string, string>)[r] ?? (STAFF_ROLE_WORDS as Record<string, string>)[r] ?? statusWords('stage', r)).join(', ');
}

/** The kinds of emailed link whose page says, when reopened, what became of it. */
export type OutcomeLinkKind = 'sign' | 'vote' | 'ballot' | 'score';

/**
 * What a reopened link says at the top: what happened and when (UK time). `at` is an instant;
 * `who` names the colleague a request went to or who signed instead; `version` the newer version;
 * `reason` why a panel member stands aside.
 * Null for a link still waiting for its holder.
 */
export function linkOutcome(
  kind: OutcomeLinkKind,
  o: { status: string; at?: string | null; who?: string | null; version?: number | null; reason?: string | null },
): { title: string; text: string } | null {
  const on = o.at ? ` on ${ukDateTime(o.at)} (UK time)` : '';
  const expired = { title: 'This link has expired', text: `It expired${on}. Ask the facilitator to send a new one.` };
  if (kind === 'sign') {
    switch (o.status) {
      case 'signed':
        return { title: 'You have signed', text: `You signed this document${on}. Your signature counts once.` };
      case 'declined':
        return { title: 'You declined to sign', text: `You declined to sign this version${on}. The facilitator has been told.` };
      case 'delegated':
        return {
          title: 'You handed this request over',
          text: `You asked ${o.who ?? 'a colleague'} to sign in your place${on}. Nothing more is needed from you.`,
        };
      case 'signed-by-colleague':
        return { title: 'Your practice has signed', text: `${o.who ?? 'Another partner'} signed for your practice${on}. Nothing more is needed from you.` };
      case 'superseded':
        return {
          title: 'A newer version has been issued',
          text: `This version was replaced${o.version ? ` by version ${o.version}` : ''}${on}. Use the link in the newer email.`,
        };
      case 'closed':
        return { title: 'Signing has finished', text: `This signing round finished${on}.` };
      case 'expired':
        return expired;
      default:
        return null;
    }
  }
  if (kind === 'score') {
    switch (o.status) {
      case 'scored':
        return { title: 'You have scored this presentation', text: `You sent your scores${on}. A panel member scores once.` };
      case 'closed':
        return { title: 'Scoring has closed', text: `The panel's outcome has been recorded, or the network has moved to another wave${on}.` };
      case 'excluded':
        return {
          title: 'You will not score this network',
          text: o.reason ? `${o.reason.charAt(0).toUpperCase()}${o.reason.slice(1)}.` : 'You stand aside from scoring this network.',
        };
      case 'expired':
        return expired;
      default:
        return null;
    }
  }
  // vote and ballot: when a practice voted is not kept (the turnout of a secret ballot carries no time)
  switch (o.status) {
    case 'voted':
      return kind === 'vote'
        ? {
            title: 'Your practice has voted',
            text: 'Its vote will be counted once. Keep the receipt code you were shown: it lets you check your vote was counted.',
          }
        : {
            title: 'Your practice has voted',
            text: 'Its ballot will be counted once. Keep the receipt code you were shown: it lets you check your ballot was counted.',
          };
    case 'not-open':
      return { title: 'The ballot is not open yet', text: 'Voting opens when nominations close. This link will work then.' };
    case 'closed':
      return {
        title: kind === 'vote' ? 'Voting has closed' : 'The ballot has closed',
        text: kind === 'vote' ? `Voting closed${on}.` : `The ballot closed${on}; the votes are being counted.`,
      };
    case 'counted':
      return { title: 'The votes have been counted', text: `The result is below${on ? `; the ballot closed${on}` : ''}.` };
    case 'expired':
      return expired;
    default:
      return null;
  }
}
