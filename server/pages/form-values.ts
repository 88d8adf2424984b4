/**
 * The values of a generated form (schema-form.ts) in the three shapes they take: the stored data
 * (what the API accepts), the form's state (input name → what is in the box, exactly as typed) and
 * a submitted body. A failed submission re-renders from its state, so nothing typed is lost.
 *
 * Input names are the data's path joined with dots: `leadership.chair`, `streams.0.name`,
 * `votingRules.ordinary.basis`; a date is three boxes, `censusDate.day|month|year`.
 */
import type { FieldNode } from './schema-form';

export type FormState = Record<string, string | string[]>;

const last = (f: FieldNode) => f.path[f.path.length - 1];
const join = (prefix: string, key: string) => (prefix ? `${prefix}.${key}` : key);
const asRecord = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

// ---- data → state ------------------------------------------------------------------------------

function put(state: FormState, f: FieldNode, name: string, value: unknown, blank: boolean): void {
  // a blank row shows no defaults, so an untouched row stays empty and is dropped
  const v = value === undefined && !blank ? f.defaultValue : value;
  switch (f.kind) {
    case 'text':
      state[name] = typeof v === 'string' ? v : '';
      return;
    case 'date': {
      const m = typeof v === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(v) : null;
      state[`${name}.day`] = m ? String(Number(m[3])) : '';
      state[`${name}.month`] = m ? String(Number(m[2])) : '';
      state[`${name}.year`] = m ? m[1] : '';
      return;
    }
    case 'number':
      state[name] = typeof v === 'number' ? String(v) : '';
      return;
    case 'boolean':
      state[name] = v === true ? 'yes' : v === false ? 'no' : '';
      return;
    case 'choice':
      state[name] = typeof v === 'string' ? v : '';
      return;
    case 'lines':
      state[name] = Array.isArray(v) ? v.map(String).join('\n') : '';
      return;
    case 'checkboxes':
      state[name] = Array.isArray(v) ? v.map(String) : [];
      return;
    case 'group':
      for (const child of f.fields) put(state, child, join(name, last(child)), asRecord(v)[last(child)], blank);
      return;
    case 'rows': {
      const rows = Array.isArray(v) ? v : [];
      rows.forEach((row, i) => {
        for (const child of f.fields) put(state, child, join(name, `${i}.${last(child)}`), asRecord(row)[last(child)], false);
      });
      return;
    }
    case 'keyed':
      for (const key of f.keys) put(state, f.value, join(name, key.value), asRecord(v)[key.value], blank);
  }
}

/** The form's state for stored data: what is stored, else each field's default. */
export function stateFromData(fields: readonly FieldNode[], data: unknown): FormState {
  const state: FormState = {};
  for (const f of fields) put(state, f, last(f), asRecord(data)[last(f)], false);
  return state;
}

// ---- body → state ------------------------------------------------------------------------------

function leafNames(f: FieldNode, name: string): string[] {
  switch (f.kind) {
    case 'date':
      return [`${name}.day`, `${name}.month`, `${name}.year`];
    case 'group':
      return f.fields.flatMap((c) => leafNames(c, join(name, last(c))));
    case 'keyed':
      return f.keys.flatMap((k) => leafNames(f.value, join(name, k.value)));
    case 'rows':
      return [];
    default:
      return [name];
  }
}

const isBlank = (v: string | string[] | undefined) => v === undefined || (Array.isArray(v) ? v.length === 0 : v.trim() === '');

/** Row indices a body holds for a rows field, in order. */
function rowIndices(body: FormState, name: string): number[] {
  const found = new Set<number>();
  const prefix = `${name}.`;
  for (const key of Object.keys(body)) {
    if (!key.startsWith(prefix)) continue;
    const n = Number(key.slice(prefix.length).split('.')[0]);
    if (Number.isInteger(n) && n >= 0 && n < 1000) found.add(n);
  }
  return [...found].sort((a, b) => a - b);
}

function take(state: FormState, body: FormState, f: FieldNode, name: string): void {
  if (f.kind === 'group') {
    for (const child of f.fields) take(state, body, child, join(name, last(child)));
    return;
  }
  if (f.kind === 'keyed') {
    for (const key of f.keys) take(state, body, f.value, join(name, key.value));
    return;
  }
  if (f.kind === 'rows') {
    // rows left blank are dropped and the rest renumbered, so a row's index in the state is its index in the data
    let out = 0;
    for (const i of rowIndices(body, name)) {
      const row: FormState = {};
      for (const child of f.fields) take(row, body, child, join(name, `${i}.${last(child)}`));
      if (Object.values(row).every(isBlank)) continue;
      for (const [key, value] of Object.entries(row)) state[`${name}.${out}.${key.slice(`${name}.${i}.`.length)}`] = value;
      out += 1;
      if (f.maxItems !== undefined && out >= f.maxItems) break;
    }
    return;
  }
  for (const leaf of leafNames(f, name)) {
    const v = body[leaf];
    if (f.kind === 'checkboxes') state[leaf] = v === undefined ? [] : ([] as string[]).concat(v).map(String);
    else state[leaf] = typeof v === 'string' ? v : Array.isArray(v) ? String(v[0] ?? '') : '';
  }
}

/** The state of a submitted form: only the form's own inputs, blank rows dropped. */
export function stateFromBody(fields: readonly FieldNode[], body: Record<string, unknown>): FormState {
  const clean: FormState = {};
  for (const [k, v] of Object.entries(body)) {
    if (typeof v === 'string') clean[k] = v;
    else if (Array.isArray(v)) clean[k] = v.map(String);
  }
  const state: FormState = {};
  for (const f of fields) take(state, clean, f, last(f));
  return state;
}

/** How many rows a rows field holds in a state. */
export function rowCount(state: FormState, name: string): number {
  const indices = rowIndices(state, name);
  return indices.length ? indices[indices.length - 1] + 1 : 0;
}

// ---- state → data ------------------------------------------------------------------------------

const text = (v: string | string[] | undefined) => (typeof v === 'string' ? v : Array.isArray(v) ? String(v[0] ?? '') : '');

function read(f: FieldNode, name: string, state: FormState): unknown {
  switch (f.kind) {
    case 'text': {
      const v = text(state[name]);
      // the schema trims; a box left empty is "not given", so the default or the standard wording applies
      return v.trim() === '' ? undefined : v;
    }
    case 'date': {
      const [d, m, y] = ['day', 'month', 'year'].map((p) => text(state[`${name}.${p}`]).trim());
      if (!d && !m && !y) return undefined;
      // an impossible date is passed on as typed, for the schema to refuse with the field named
      const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
      const ok = /^\d{4}$/.test(y) && /^\d{1,2}$/.test(m) && /^\d{1,2}$/.test(d) && date.getUTCDate() === Number(d) && date.getUTCMonth() === Number(m) - 1;
      return ok ? `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}` : `${d}/${m}/${y}`;
    }
    case 'number': {
      const v = text(state[name]).trim().replace(/,/g, '');
      if (v === '') return undefined;
      // a number that cannot be read goes on as text, so the schema says it must be a number
      return /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
    }
    case 'boolean': {
      const v = text(state[name]);
      return v === 'yes' ? true : v === 'no' ? false : undefined;
    }
    case 'choice': {
      const v = text(state[name]);
      return v === '' ? undefined : v;
    }
    case 'lines': {
      const items = text(state[name])
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter(Boolean);
      // an emptied list is "none" where the schema allows none, else "not given" (the default applies)
      return items.length ? items : f.minItems === 0 && f.defaultValue !== undefined ? [] : undefined;
    }
    case 'checkboxes':
      return ([] as string[]).concat(state[name] ?? []);
    case 'group': {
      const out: Record<string, unknown> = {};
      for (const child of f.fields) {
        const v = read(child, join(name, last(child)), state);
        if (v !== undefined) out[last(child)] = v;
      }
      return Object.keys(out).length ? out : undefined;
    }
    case 'rows': {
      const rows: unknown[] = [];
      for (let i = 0; i < rowCount(state, name); i++) {
        const row: Record<string, unknown> = {};
        for (const child of f.fields) {
          const v = read(child, join(name, `${i}.${last(child)}`), state);
          if (v !== undefined) row[last(child)] = v;
        }
        rows.push(row);
      }
      return rows.length ? rows : f.minItems === 0 && f.defaultValue !== undefined ? [] : undefined;
    }
    case 'keyed': {
      const out: Record<string, unknown> = {};
      for (const key of f.keys) {
        const v = read(f.value, join(name, key.value), state);
        if (v !== undefined) out[key.value] = v;
      }
      return Object.keys(out).length ? out : undefined;
    }
  }
}

/** The object the API accepts for a form's state: fields left empty are left out. */
export function dataFromState(fields: readonly FieldNode[], state: FormState): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const v = read(f, last(f), state);
    if (v !== undefined) out[last(f)] = v;
  }
  return out;
}
