import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { formatDate, formatDateTimeLondon, formatNumber, listAnd, plural } from '../documents/format';

/** Mail bodies live beside the document templates, one file per message: `templates/mail/<name>.hbs`. */
export const MAIL_TEMPLATES_DIR = path.join(__dirname, '..', 'templates', 'mail');

/**
 * What each message says is data; its wording is a template. The first line of a template is
 * `Subject: …`, then a blank line, then the plain-text body. Rendering is strict: a value the
 * template names but the data lacks is an error, never an empty string in someone's inbox.
 */
export interface MailData {
  /** a signing request, a reminder of one, or a resend */
  'signature-request': {
    name: string;
    networkName: string;
    documentTitle: string;
    documentVersion: number;
    practiceName: string;
    rule: string;
    link: string;
    expiresAt: string;
    reminder: boolean;
  };
  /** a request handed to a colleague */
  'signature-delegated': { name: string; fromName: string; documentTitle: string; documentVersion: number; practiceName: string; link: string };
  /** the one-time code a programme may ask signers for */
  'signing-code': { code: string; documentTitle: string; documentVersion: number; practiceName: string };
  /** a decline, told to the network's facilitators */
  'signature-declined': { signerName: string; practiceName: string; documentTitle: string; documentVersion: number; reason: string };
  /** an expired round, told to the network's facilitators */
  'round-expired': { networkName: string; documentTitle: string; documentVersion: number; owedBy: string[] };
  /** the sealed copy of a completed round, to each signer */
  'sealed-copy': { name: string; networkName: string; documentTitle: string; documentVersion: number; link: string; sealedSha256: string; expiresAt: string };
  /** a motion's ballot link */
  'motion-ballot': { name: string; networkName: string; practiceName: string; title: string; ruleDescription: string; closesAt: string; link: string };
  /** a reminder to practices that have not voted */
  'motion-reminder': { name: string; practiceName: string; title: string; closesAt: string; link: string };
  /** a one-time link to sign in to the pages, asked for at /signin */
  'signin-link': { name: string; link: string; expiresAt: string };
  /** a staff grant, with a one-time sign-in link */
  'staff-invitation': { name: string; role: string; programmes: string[]; invitedBy: string; link: string; expiresAt: string; signinUrl: string };
  /** an election's ballot link */
  'election-ballot': {
    name: string;
    networkName: string;
    practiceName: string;
    title: string;
    constituency: string;
    seats: number;
    candidates: string[];
    closesAt: string;
    link: string;
  };
  /** a dispute case opened, to everyone concerned */
  'dispute-opened': {
    name: string;
    networkName: string;
    title: string;
    summary: string;
    parties: string[];
    stepName: string;
    dueOn: string | null;
    limit: string;
    link: string;
  };
  /** two working days before a step's due date, to everyone concerned */
  'dispute-reminder': { name: string; networkName: string; title: string; stepName: string; dueOn: string; link: string };
  /** a case moved to its next step: by itself at a due date (a breach), or when asked to */
  'dispute-escalated': {
    name: string;
    networkName: string;
    title: string;
    fromStep: string;
    toStep: string;
    breach: boolean;
    dueOn: string | null;
    link: string;
  };
  /** a case closed: resolved, withdrawn or determined */
  'dispute-closed': { name: string; networkName: string; title: string; outcome: string; text: string; link: string };
  /** the LMC officer, mediator or arbitrator appointed for a step */
  'dispute-external': {
    name: string;
    networkName: string;
    title: string;
    role: string;
    stepName: string;
    parties: string[];
    summary: string;
    dueOn: string | null;
    mayDetermine: boolean;
    link: string;
  };
  /** a risk due (or overdue) for review, to its owner and the facilitators */
  'risk-review': { name: string; networkName: string; title: string; score: number; rating: string; reviewOn: string; overdue: boolean; link: string };
  /** a panel member's link to score a network's presentation */
  'panel-score-request': { name: string; networkName: string; waveNumber: number; panelDate: string; criteria: string[]; link: string; expiresAt: string };
  /** a panel member told they may not score a network, and why */
  'panel-member-excluded': { name: string; networkName: string; waveNumber: number; reason: string };
  /** the panel's outcome letter, to the people of each member practice */
  'panel-outcome': {
    name: string;
    practiceName: string;
    networkName: string;
    outcome: 'pass' | 'conditional' | 'defer';
    outcomeWords: string;
    reason: string;
    /** numbered: "1. …" */ conditions: string[];
    toWaveNumber: number | null;
    toWavePanelDate: string | null;
    link: string;
    expiresAt: string;
  };
}

export type MailTemplate = keyof MailData;

export interface ComposedMail {
  subject: string;
  text: string;
}

const hbs = Handlebars.create();
hbs.registerHelper('date', (iso: string) => formatDate(iso));
hbs.registerHelper('ukTime', (iso: string) => formatDateTimeLondon(iso));
hbs.registerHelper('number', (n: number) => formatNumber(n));
hbs.registerHelper('list', (items: string[]) => listAnd(items));
hbs.registerHelper('plural', (n: number, singular: string, pluralForm: unknown) =>
  plural(n, singular, typeof pluralForm === 'string' ? pluralForm : undefined),
);

const compiled = new Map<MailTemplate, { subject: Handlebars.TemplateDelegate; body: Handlebars.TemplateDelegate }>();

function load(name: MailTemplate) {
  let t = compiled.get(name);
  if (!t) {
    const source = fs.readFileSync(path.join(MAIL_TEMPLATES_DIR, `${name}.hbs`), 'utf8');
    const match = /^Subject: (.*)\r?\n\r?\n([\s\S]*)$/.exec(source);
    if (!match) throw new Error(`mail template ${name} must start with "Subject: …" and a blank line`);
    const options = { strict: true, noEscape: true } as const;
    t = { subject: hbs.compile(match[1], options), body: hbs.compile(match[2], options) };
    compiled.set(name, t);
  }
  return t;
}

/** Renders one message from its template. Plain text: nothing is HTML-escaped. */
export function composeMail<T extends MailTemplate>(name: T, data: MailData[T]): ComposedMail {
  const t = load(name);
  return {
    subject: t.subject(data).replace(/\s+/g, ' ').trim(),
    text: t
      .body(data)
      .replace(/\n{3,}/g, '\n\n')
      .trimEnd(),
  };
}

/** Every mail template there is (for tests that render each one). */
export function mailTemplateNames(): MailTemplate[] {
  return fs
    .readdirSync(MAIL_TEMPLATES_DIR)
    .filter((f) => f.endsWith('.hbs'))
    .map((f) => f.slice(0, -4) as MailTemplate);
}
