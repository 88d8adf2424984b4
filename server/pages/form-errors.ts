/**
 * zod's issues on a generated form's data, as NHS-style error messages on the fields they belong
 * to: the issue's path is the data's path, which is the input's name (form-values.ts), so each
 * message lands beside the box that caused it and the error summary links to that box.
 */
import type { z } from 'zod';
import { choiceAsSelect, type FieldNode } from './schema-form';

export interface FieldError {
  /** the input's name: the message is shown beside this field */
  name: string;
  /** the id of the input the error summary links to */
  href: string;
  message: string;
}

/** The id of an input: its name with dots as dashes, prefixed so it never clashes with the page's ids. */
export function inputId(name: string): string {
  return `f-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

const lowerFirst = (s: string) => (/^[A-Z][a-z]/.test(s) ? s.charAt(0).toLowerCase() + s.slice(1) : s);
const number = (n: number) => n.toLocaleString('en-GB');

/** Where the error summary should take the reader for a field: its first box. */
function firstInput(f: FieldNode, name: string): string {
  switch (f.kind) {
    case 'date':
      return inputId(`${name}.day`);
    case 'boolean':
      return inputId(`${name}.yes`);
    case 'choice':
      return choiceAsSelect(f) ? inputId(name) : inputId(`${name}.${f.options[0]?.value ?? ''}`);
    case 'checkboxes':
      return inputId(`${name}.${f.options[0]?.value ?? ''}`);
    case 'group':
      return f.fields[0] ? firstInput(f.fields[0], `${name}.${f.fields[0].path.at(-1)}`) : inputId(name);
    case 'rows':
      return f.fields[0] ? firstInput(f.fields[0], `${name}.0.${f.fields[0].path.at(-1)}`) : inputId(name);
    case 'keyed':
      return f.keys[0] ? firstInput(f.value, `${name}.${f.keys[0].value}`) : inputId(name);
    default:
      return inputId(name);
  }
}

type Issue = z.core.$ZodIssue;

/** The message for an issue on a field; `given` says whether the person typed anything there. */
function message(f: FieldNode, issue: Issue, context: string, line: number | null, given: boolean): string {
  const what = line !== null ? `${f.label}, line ${line}` : f.label;
  const core = coreMessage(f, issue, what, given);
  return context ? `${context}: ${lowerFirst(core)}` : core;
}

function coreMessage(f: FieldNode, issue: Issue, what: string, given: boolean): string {
  const i = issue as Issue & { minimum?: number | bigint; maximum?: number | bigint; expected?: string; origin?: string; inclusive?: boolean };
  const min = Number(i.minimum);
  const max = Number(i.maximum);
  const pick = f.kind === 'choice' || f.kind === 'boolean' || f.kind === 'checkboxes';
  switch (i.code) {
    case 'invalid_type':
      if (!given) return pick ? `Select ${lowerFirst(what)}` : `Enter ${lowerFirst(what)}`;
      if (f.kind === 'number') return i.expected === 'int' ? `${what} must be a whole number` : `${what} must be a number, like 12 or 2.5`;
      return pick ? `Select ${lowerFirst(what)} from the list` : `Enter ${lowerFirst(what)}`;
    case 'too_small':
      if (i.origin === 'array')
        return `${what}: enter at least ${number(min)} ${f.kind === 'rows' ? (min === 1 ? f.itemTitle : `${f.itemTitle}s`) : min === 1 ? 'line' : 'lines'}`;
      if (i.origin === 'string') return min <= 1 ? `Enter ${lowerFirst(what)}` : `${what} must be at least ${number(min)} characters`;
      return i.inclusive === false ? `${what} must be more than ${number(min)}` : `${what} must be ${number(min)} or more`;
    case 'too_big':
      if (i.origin === 'array') return `${what} can have at most ${number(max)} ${f.kind === 'rows' ? `${f.itemTitle}s` : 'lines'}`;
      if (i.origin === 'string') return `${what} must be ${number(max)} characters or fewer`;
      return i.inclusive === false ? `${what} must be less than ${number(max)}` : `${what} must be ${number(max)} or less`;
    case 'invalid_value':
    case 'invalid_union':
      return `Select ${lowerFirst(what)} from the list`;
    case 'invalid_format':
      return f.kind === 'date' ? `${what} must be a real date, like 16 3 2027` : `${what} is not in the right format`;
    case 'not_multiple_of':
      return `${what} must be a whole number`;
    case 'custom':
      return /^contains /.test(i.message) ? `${what} ${i.message}` : `${what}: ${i.message}`;
    default:
      return `${what}: ${i.message}`;
  }
}

/**
 * Resolves an issue's path against the fields: the field it is about, its input name, the words
 * that place it (a row number, a key), and the line of a one-per-line list.
 */
function locate(fields: readonly FieldNode[], path: readonly PropertyKey[]): { field: FieldNode; name: string; context: string; line: number | null } | null {
  let level = fields;
  let name = '';
  let context = '';
  let found: FieldNode | null = null;
  let line: number | null = null;
  let i = 0;
  while (i < path.length) {
    const key = String(path[i]);
    const f = level.find((x) => x.path.at(-1) === key);
    if (!f) break;
    found = f;
    name = name ? `${name}.${key}` : key;
    i += 1;
    if (f.kind === 'group') {
      level = f.fields;
      continue;
    }
    if (f.kind === 'rows' && i < path.length) {
      const row = Number(path[i]);
      name = `${name}.${row}`;
      context = `${f.itemTitle.charAt(0).toUpperCase()}${f.itemTitle.slice(1)} ${row + 1}`;
      i += 1;
      level = f.fields;
      continue;
    }
    if (f.kind === 'keyed' && i < path.length) {
      const k = String(path[i]);
      const keyLabel = f.keys.find((x) => x.value === k)?.label ?? k;
      name = `${name}.${k}`;
      context = keyLabel;
      i += 1;
      found = f.value;
      if (f.value.kind === 'group') level = f.value.fields;
      else break;
      continue;
    }
    if (f.kind === 'lines' && i < path.length) line = Number(path[i]) + 1;
    break;
  }
  return found ? { field: found, name, context, line } : null;
}

/** The value at a path of the data that was checked. */
function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v = data;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key as string];
  }
  return v;
}

/**
 * Field errors for a zod error on a generated form's data (`data`: what was checked), in the order of the issues. An issue no
 * field owns (there should be none) is returned with an empty name, for the summary alone.
 */
export function fieldErrors(fields: readonly FieldNode[], error: z.ZodError, data: unknown): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of error.issues) {
    const at = locate(fields, issue.path);
    if (!at) {
      out.push({ name: '', href: '', message: issue.message });
      continue;
    }
    const text = message(at.field, issue, at.context, at.line, valueAt(data, issue.path) !== undefined);
    // one message per field: the first problem is the one to fix first
    if (!out.some((e) => e.name === at.name)) out.push({ name: at.name, href: firstInput(at.field, at.name), message: text });
  }
  return out;
}
