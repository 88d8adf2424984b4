/**
 * Handlebars over Markdown, strict.
 *
 * Handlebars' own strict mode stops at the first missing variable. A facilitator fixing stage data
 * wants the whole list, so the strict lookup is routed to our own function, which records every
 * missing value (with its path and template line) and lets the render finish; the caller then
 * throws one TemplateContextError naming them all. Nothing missing ever renders as an empty string.
 *
 * Values from the context are Markdown-escaped before rendering, so a practice called
 * "Smith_Jones | Partners" cannot turn into emphasis, a table cell or a heading.
 */
import Handlebars from 'handlebars';
import { ContextIssue, TemplateContextError } from './types';
import {
  formatDate,
  formatDateTimeLondon,
  formatDateTimeUtc,
  formatNumber,
  formatPence,
  formatPercent,
  formatPounds,
  listAnd,
  numberWord,
  ordinal,
  ordinalWord,
  plural,
} from './format';

interface RenderScope {
  missing: ContextIssue[];
  paths: WeakMap<object, string>;
  locIndex: Map<string, { path: string; params: string[] }>;
}

// Rendering a compiled template is synchronous, so one slot for the render in progress is enough.
let scope: RenderScope | null = null;

const hb = Handlebars.create();

type HelperOptions = Handlebars.HelperOptions & { loc?: { start: { line: number; column: number } } };

function locKey(loc: { start: { line: number; column: number } } | undefined): string {
  return loc ? `${loc.start.line}:${loc.start.column}` : '';
}

function recordMissing(path: string, line: number | undefined, what = 'is required by the template but has no value'): void {
  if (!scope) return;
  const message = line ? `${what} (template line ${line})` : what;
  if (!scope.missing.some((m) => m.path === path && m.message === message)) scope.missing.push({ path, message });
}

// Called by compiled templates instead of Handlebars' container.strict (see CollectingCompiler).
function strictLookup(obj: unknown, name: string, locLike: unknown): unknown {
  if (obj !== null && typeof obj === 'object' && Object.prototype.hasOwnProperty.call(obj, name)) {
    const value = (obj as Record<string, unknown>)[name];
    if (value !== undefined && value !== null) return value;
  }
  const loc = locLike as { start?: { line: number; column: number } } | undefined;
  const start = loc?.start;
  const prefix = obj !== null && typeof obj === 'object' ? scope?.paths.get(obj) : undefined;
  const fromTemplate = start ? scope?.locIndex.get(`${start.line}:${start.column}`)?.path : undefined;
  const path = prefix !== undefined ? (prefix ? `${prefix}.${name}` : name) : (fromTemplate ?? name);
  recordMissing(path, start?.line);
  return '';
}

/* eslint-disable @typescript-eslint/no-explicit-any -- Handlebars' compiler internals are untyped */
const Base = (hb as any).JavaScriptCompiler;
function CollectingCompiler(this: any, ...args: unknown[]) {
  Base.apply(this, args);
}
CollectingCompiler.prototype = Object.create(Base.prototype);
CollectingCompiler.prototype.compiler = CollectingCompiler;
CollectingCompiler.prototype.aliasable = function aliasable(name: string) {
  return Base.prototype.aliasable.call(this, name === 'container.strict' ? 'helpers.__strictLookup' : name);
};
(hb as any).JavaScriptCompiler = CollectingCompiler;
/* eslint-enable @typescript-eslint/no-explicit-any */

// Handlebars wraps helpers and replaces their last argument with an options object that still
// carries the original fields, so the location arrives intact.
hb.registerHelper('__strictLookup', (obj: unknown, name: string, loc: unknown) => strictLookup(obj, name, loc));

/** A helper argument that must be present; records it as missing otherwise. */
function need<T>(value: T | undefined | null, options: HelperOptions, index: number, helper: string, self: unknown): T | undefined {
  if (value !== undefined && value !== null) return value;
  const entry = scope?.locIndex.get(locKey(options.loc));
  let path = entry?.params[index] ?? `(argument ${index + 1} of ${helper})`;
  // A plain relative path is relative to the helper's `this`, whose own path we know.
  const prefix = self !== null && typeof self === 'object' ? scope?.paths.get(self) : undefined;
  if (prefix && /^(this\.)?[A-Za-z_][\w.]*$/.test(path)) path = `${prefix}.${path.replace(/^this\./, '')}`;
  recordMissing(path, options.loc?.start.line, `is required by the "${helper}" helper but has no value`);
  return undefined;
}

function opts(args: unknown[]): { params: unknown[]; options: HelperOptions } {
  return { params: args.slice(0, -1), options: args[args.length - 1] as HelperOptions };
}

function valueHelper(name: string, format: (...values: never[]) => string, arity = 1): void {
  hb.registerHelper(name, function (this: unknown, ...args: unknown[]) {
    const { params, options } = opts(args);
    if (params.length < arity) {
      // e.g. {{share}} meant as a context value but resolved to the helper of that name
      recordMissing(`(helper "${name}")`, options.loc?.start.line, `needs ${arity} ${arity === 1 ? 'argument' : 'arguments'} but was given ${params.length}`);
      return '';
    }
    const required = params.slice(0, arity).map((p, i) => need(p, options, i, name, this));
    if (required.some((v) => v === undefined)) return '';
    const rest = params.slice(arity).filter((p) => p !== undefined);
    return (format as (...v: unknown[]) => string)(...required, ...rest);
  });
}

valueHelper('date', (v: string) => formatDate(v));
valueHelper('datetimeUtc', (v: string) => formatDateTimeUtc(v));
valueHelper('datetimeLondon', (v: string) => formatDateTimeLondon(v));
valueHelper('pounds', (v: number) => formatPounds(Number(v)));
valueHelper('pence', (v: number) => formatPence(Number(v)));
valueHelper('number', (v: number, decimals?: number) => formatNumber(Number(v), typeof decimals === 'number' ? decimals : 0));
valueHelper('percent', (v: number, decimals?: number) => formatPercent(Number(v), typeof decimals === 'number' ? decimals : 0));
valueHelper('ordinal', (v: number) => ordinal(Number(v)));
valueHelper('ordinalWord', (v: number) => ordinalWord(Number(v)));
valueHelper('numberWord', (v: number) => numberWord(Number(v)));
valueHelper(
  'plural',
  (n: number, singular: string, pluralForm?: string) => plural(Number(n), singular, typeof pluralForm === 'string' ? pluralForm : undefined),
  2,
);
/** {{count 5 "practice"}} → "five practices" */
valueHelper(
  'count',
  (n: number, singular: string, pluralForm?: string) =>
    `${numberWord(Number(n))} ${plural(Number(n), singular, typeof pluralForm === 'string' ? pluralForm : undefined)}`,
  2,
);
valueHelper('listAnd', (items: unknown[], conjunction?: string) => listAnd((items ?? []).map(String), typeof conjunction === 'string' ? conjunction : 'and'));
/** {{shareOf part whole 1}} → "23.4%" */
valueHelper(
  'shareOf',
  (part: number, whole: number, decimals?: number) =>
    formatPercent(Number(whole) > 0 ? (Number(part) / Number(whole)) * 100 : 0, typeof decimals === 'number' ? decimals : 0),
  2,
);
valueHelper('inc', (n: number) => String(Number(n) + 1));
valueHelper('upper', (s: string) => String(s).toUpperCase());
valueHelper('lowerFirst', (s: string) => String(s).charAt(0).toLowerCase() + String(s).slice(1));
valueHelper('upperFirst', (s: string) => String(s).charAt(0).toUpperCase() + String(s).slice(1));

// Comparison helpers for {{#if (eq a "b")}}; absent values are legitimately compared, so no `need`.
hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
hb.registerHelper('ne', (a: unknown, b: unknown) => a !== b);
hb.registerHelper('gt', (a: unknown, b: unknown) => Number(a) > Number(b));
hb.registerHelper('gte', (a: unknown, b: unknown) => Number(a) >= Number(b));
hb.registerHelper('lt', (a: unknown, b: unknown) => Number(a) < Number(b));
hb.registerHelper('and', (...args: unknown[]) => opts(args).params.every(Boolean));
hb.registerHelper('or', (...args: unknown[]) => opts(args).params.some(Boolean));
hb.registerHelper('not', (a: unknown) => !a);
hb.registerHelper('includes', (list: unknown, item: unknown) => Array.isArray(list) && list.includes(item));
hb.registerHelper('names', (list: unknown) =>
  Array.isArray(list) ? list.map((x) => (x as { name?: unknown }).name).filter((n) => typeof n === 'string') : [],
);
hb.registerHelper('length', (list: unknown) => (Array.isArray(list) ? list.length : 0));

const MD_INLINE = /[\\`*_[\]<>|~]/g;
const MD_LINE_START = /^(\s*)([#>+=-]|\d+[.)])/gm;

/** Escapes Markdown so a value renders as the literal text it is. */
export function escapeMarkdown(text: string): string {
  return text.replace(MD_INLINE, (c) => `\\${c}`).replace(MD_LINE_START, (_m, ws: string, mark: string) => `${ws}${mark.replace(/([#>+=.)-])/, '\\$1')}`);
}

/** Reverses escapeMarkdown (used where Markdown is not interpreted, e.g. signature blocks). */
export function unescapeMarkdown(text: string): string {
  return text.replace(/\\([\\`*_[\]<>|~#>+=.)-])/g, '$1');
}

/** Deep copy with every string Markdown-escaped; records each object's path for error messages. */
function prepareContext(value: unknown, path: string, paths: WeakMap<object, string>): unknown {
  if (typeof value === 'string') return escapeMarkdown(value);
  if (Array.isArray(value)) {
    const out = value.map((v, i) => prepareContext(v, path ? `${path}.${i}` : String(i), paths));
    paths.set(out, path);
    return out;
  }
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = prepareContext(v, path ? `${path}.${k}` : k, paths);
    paths.set(out, path);
    return out;
  }
  return value;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- walking Handlebars' AST */
function indexLocations(source: string): Map<string, { path: string; params: string[] }> {
  const index = new Map<string, { path: string; params: string[] }>();
  const describe = (node: any): string => {
    if (!node) return '';
    if (node.type === 'PathExpression') return node.original;
    if (node.type === 'SubExpression') return `(${describe(node.path)} ${node.params.map(describe).join(' ')})`;
    if (node.type === 'StringLiteral') return JSON.stringify(node.value);
    return String(node.original ?? node.value ?? node.type);
  };
  const visit = (node: any): void => {
    if (!node || typeof node !== 'object') return;
    if (node.type === 'MustacheStatement' || node.type === 'BlockStatement' || node.type === 'SubExpression') {
      if (node.loc) index.set(locKey(node.loc), { path: describe(node.path), params: (node.params ?? []).map(describe) });
      // The strict lookup reports the location of the path itself, which starts after the braces.
      if (node.path?.loc && !index.has(locKey(node.path.loc))) index.set(locKey(node.path.loc), { path: describe(node.path), params: [] });
    }
    for (const key of ['body', 'program', 'inverse', 'params']) {
      const child = node[key];
      if (Array.isArray(child)) child.forEach(visit);
      else if (child) visit(child);
    }
    if (node.path?.type === 'SubExpression') visit(node.path);
  };
  visit(hb.parse(source));
  return index;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

export interface CompiledTemplate {
  render(context: Record<string, unknown>): string;
}

/**
 * Compiles a template source. Throws TemplateContextError (path "template") when the source does
 * not parse, so a bad override is rejected before it is stored.
 */
export function compileTemplate(source: string): CompiledTemplate {
  let fn: HandlebarsTemplateDelegate;
  let locIndex: Map<string, { path: string; params: string[] }>;
  try {
    locIndex = indexLocations(source);
    // Handlebars compiles lazily on first use; precompiling surfaces every compile error now.
    hb.precompile(source, { strict: true, noEscape: true });
    fn = hb.compile(source, { strict: true, noEscape: true });
  } catch (err) {
    if (err instanceof TemplateContextError) throw err;
    throw new TemplateContextError([{ path: 'template', message: (err as Error).message }], 'template source');
  }
  return {
    render(context) {
      const paths = new WeakMap<object, string>();
      const prepared = prepareContext(context, '', paths) as Record<string, unknown>;
      const previous = scope;
      scope = { missing: [], paths, locIndex };
      try {
        const out = fn(prepared, { allowProtoPropertiesByDefault: false });
        if (scope.missing.length > 0) throw new TemplateContextError(scope.missing);
        return out;
      } finally {
        scope = previous;
      }
    },
  };
}
