import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { countOf, fingerprint, number, plural, roleWords, stageTitle, statusWords, ukDate, ukDateTime, type StatusKind } from '../../domain/wording';

const VIEWS_DIR = path.join(__dirname, '..', 'views');
const hbs = Handlebars.create();
hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
hbs.registerHelper('gt', (a: number, b: number) => a > b);
// plain English in every view (domain/wording.ts): {{date d}}, {{dateTime t}}, {{number n}},
// {{count n total "practice"}}, {{status "stage" s}}, {{fingerprint sha}}, {{stageTitle key}}.
// A bare {{number}} or {{status}} still reads the field of that name, as it did before these helpers.
function wordingHelper(name: string, fn: (...args: never[]) => string) {
  hbs.registerHelper(name, function (this: Record<string, unknown>, ...args: unknown[]) {
    if (args.length <= 1) return this?.[name];
    return fn(...(args.slice(0, -1) as never[]));
  });
}
wordingHelper('date', (v: unknown) => (typeof v === 'string' && v ? ukDate(v) : ''));
wordingHelper('dateTime', (v: unknown) => (typeof v === 'string' && v ? ukDateTime(v) : ''));
wordingHelper('number', (n: unknown) => (typeof n === 'number' ? number(n) : ''));
wordingHelper('count', (n: number, total: number, singular: string) => countOf(n, total, singular));
wordingHelper('status', (kind: StatusKind, value: string) => statusWords(kind, value));
wordingHelper('fingerprint', (v: unknown) => (typeof v === 'string' ? fingerprint(v) : ''));
wordingHelper('stageTitle', (key: string) => stageTitle(key));
// {{roles list}} → "Partner, Caldicott guardian"; {{plural n "practice"}} → "3 practices"
hbs.registerHelper('roles', (list: unknown) => (Array.isArray(list) ? roleWords(list.map(String)) : ''));
hbs.registerHelper('inc', (n: unknown) => Number(n) + 1);
hbs.registerHelper('dec', (n: unknown) => Number(n) - 1);
hbs.registerHelper('concat', (...parts: unknown[]) => parts.slice(0, -1).map(String).join(''));
hbs.registerHelper('plural', (n: number, singular: string, ...rest: unknown[]) => plural(n, singular, typeof rest[0] === 'string' ? rest[0] : undefined));
// the NHS error summary and a field's error message, shared by every form:
// {{> errorSummary}} over `errors: [{ field, message }]`, {{> fieldError id="x" message=errorsByField.x}}
hbs.registerPartial('errorSummary', fs.readFileSync(path.join(VIEWS_DIR, 'partials', 'error-summary.hbs'), 'utf8'));
hbs.registerPartial('fieldError', fs.readFileSync(path.join(VIEWS_DIR, 'partials', 'field-error.hbs'), 'utf8'));
// {{> textInput id="name" label="Name" value=values.name error=fieldErrors.name hint="…" width="10" inputmode="numeric"}}
hbs.registerPartial('roleCheckboxes', fs.readFileSync(path.join(VIEWS_DIR, 'partials', 'role-checkboxes.hbs'), 'utf8'));
hbs.registerPartial('programmeSettings', fs.readFileSync(path.join(VIEWS_DIR, 'partials', 'programme-settings.hbs'), 'utf8'));
hbs.registerPartial('textInput', fs.readFileSync(path.join(VIEWS_DIR, 'partials', 'text-input.hbs'), 'utf8'));
// shared pieces of views: server/views/partials/<name>.hbs is {{> name}}
const PARTIALS_DIR = path.join(VIEWS_DIR, 'partials');
for (const file of fs.existsSync(PARTIALS_DIR) ? fs.readdirSync(PARTIALS_DIR) : []) {
  if (file.endsWith('.hbs')) hbs.registerPartial(file.slice(0, -4), fs.readFileSync(path.join(PARTIALS_DIR, file), 'utf8'));
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

/** One step of a page's breadcrumb trail. */
export interface Crumb {
  href: string;
  text: string;
}

/**
 * Renders a view inside the NHS.UK layout. Handlebars escapes every value. `data.breadcrumbs` (the
 * pages above this one, home first) becomes the breadcrumb trail, shown as a back link to the last
 * of them on a phone.
 */
export function renderPage(name: string, title: string, data: Record<string, unknown>, account?: Account): string {
  const body = template(name)(data);
  const breadcrumbs = Array.isArray(data.breadcrumbs) ? (data.breadcrumbs as Crumb[]) : [];
  return template('layout')({ title, body, account, breadcrumbs, back: breadcrumbs.at(-1) });
}

/** An instant in UK time, in words (kept for the views that call it by this name). */
export function ukTime(iso: string): string {
  return ukDateTime(iso);
}
