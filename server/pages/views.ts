import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { countOf, fingerprint, number, stageTitle, statusWords, ukDate, ukDateTime, type StatusKind } from '../../domain/wording';

const VIEWS_DIR = path.join(__dirname, '..', 'views');
const hbs = Handlebars.create();
hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
hbs.registerHelper('gt', (a: number, b: number) => a > b);
hbs.registerHelper('lastCrumb', (list: unknown) => (Array.isArray(list) ? list[list.length - 1] : undefined));
// plain English in every view (domain/wording.ts): {{date d}}, {{dateTime t}}, {{number n}},
// {{count n total "practice"}}, {{status "stage" s}}, {{fingerprint sha}}, {{stageTitle key}}
hbs.registerHelper('date', (v: unknown) => (typeof v === 'string' && v ? ukDate(v) : ''));
hbs.registerHelper('dateTime', (v: unknown) => (typeof v === 'string' && v ? ukDateTime(v) : ''));
hbs.registerHelper('number', (n: unknown) => (typeof n === 'number' ? number(n) : ''));
hbs.registerHelper('count', (n: number, total: number, singular: string) => countOf(n, total, singular));
hbs.registerHelper('status', (kind: StatusKind, value: string) => statusWords(kind, value));
hbs.registerHelper('fingerprint', (v: unknown) => (typeof v === 'string' ? fingerprint(v) : ''));
hbs.registerHelper('stageTitle', (key: string) => stageTitle(key));
// views/partials/<name>.hbs is the partial {{> name}} (e.g. the generated form's form-field)
const PARTIALS_DIR = path.join(VIEWS_DIR, 'partials');
if (fs.existsSync(PARTIALS_DIR)) {
  for (const file of fs.readdirSync(PARTIALS_DIR).filter((f) => f.endsWith('.hbs'))) hbs.registerPartial(file.slice(0, -4), fs.readFileSync(path.join(PARTIALS_DIR, file), 'utf8'));
}
const cache = new Map<string, Handlebars.TemplateDelegate>();

function template(name: string): Handlebars.TemplateDelegate {
  let t = cache.get(name);
  if (!t) {
    t = hbs.compile(fs.readFileSync(path.join(VIEWS_DIR, `${name}.hbs`), 'utf8'), { strict: false });
    cache.set(name, t);
  }
  return t;
}

/** The signed-in person's header: their name, "My actions", and a sign-out form. */
export interface Account {
  name: string;
  csrf: string;
}

/** Renders a view inside the NHS.UK layout. Handlebars escapes every value. */
export function renderPage(name: string, title: string, data: Record<string, unknown>, account?: Account): string {
  const body = template(name)(data);
  return template('layout')({ title, body, account });
}

/** An instant in UK time, in words (kept for the views that call it by this name). */
export function ukTime(iso: string): string {
  return ukDateTime(iso);
}
