import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';

const VIEWS_DIR = path.join(__dirname, '..', 'views');
const hbs = Handlebars.create();
hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
hbs.registerHelper('gt', (a: number, b: number) => a > b);
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

export function ukTime(iso: string): string {
  return new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeStyle: 'medium', timeZone: 'Europe/London' }).format(new Date(iso));
}
