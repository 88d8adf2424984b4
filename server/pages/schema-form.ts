/**
 * A form generated from a zod schema, so every stage's data can be entered in a page without a page
 * written per stage: the schema stays the one statement of what a stage takes (STYLE 10), and a new
 * field in it appears in the form by itself.
 *
 * The walk understands what stage data is made of: objects, strings (one line, a paragraph, a
 * date), numbers, booleans, enums, arrays of strings (one per line), arrays of enums (checkboxes),
 * arrays of objects (rows), records keyed by an enum or by a named key set (e.g. the network's
 * practices), unions (the first plain choice: deprecated spellings are never offered) and the
 * optional / default / prefault wrappers. Labels and hints come from `.meta({ title, description })`
 * on the field, option labels from `.meta({ options })`, a record's keys from `.meta({ keys })`.
 * A field without a title gets its key in words, so nothing is ever unlabelled.
 *
 * Reading a submitted form back (form-values.ts) gives the object the API accepts; zod's issues map
 * back to the fields by path (form-errors.ts).
 */
import { z } from 'zod';

export interface Option {
  value: string;
  label: string;
}

interface Base {
  /** path of the field in the data, e.g. ["streams", "0", "name"] for a row's field (rows use "#") */
  path: string[];
  label: string;
  /** the label is the schema's own title (not the key in words) */
  titled: boolean;
  hint?: string;
  /** the value the schema supplies when the field is left out */
  defaultValue?: unknown;
  /** a value must be given (no optional, default or prefault wrapper) */
  required: boolean;
}

export type FieldNode =
  | (Base & { kind: 'text'; multiline: boolean; maxLength?: number })
  | (Base & { kind: 'date' })
  | (Base & { kind: 'number'; integer: boolean; min?: number; max?: number })
  | (Base & { kind: 'boolean' })
  | (Base & { kind: 'choice'; options: Option[] })
  | (Base & { kind: 'lines'; minItems: number; maxItems?: number; itemMaxLength?: number })
  | (Base & { kind: 'checkboxes'; options: Option[]; maxItems?: number })
  | (Base & { kind: 'group'; fields: FieldNode[] })
  | (Base & { kind: 'rows'; itemTitle: string; fields: FieldNode[]; minItems: number; maxItems?: number })
  | (Base & { kind: 'keyed'; keys: Option[]; value: FieldNode });

/** Named key sets a record may be keyed by (`.meta({ keys: 'practices' })`), supplied by the page. */
export type KeySets = Record<string, Option[]>;

interface Def {
  type: string;
  innerType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  entries?: Record<string, string>;
  options?: z.ZodType[];
  keyType?: z.ZodType;
  valueType?: z.ZodType;
  checks?: { _zod: { def: { check: string; minimum?: number; maximum?: number; value?: number; inclusive?: boolean; format?: string; pattern?: RegExp } } }[];
  defaultValue?: unknown;
  in?: z.ZodType;
}

const def = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

interface Meta {
  title?: string;
  description?: string;
  options?: Record<string, string>;
  keys?: string;
  input?: 'date' | 'paragraph';
  itemTitle?: string;
}

/** Peels optional/default/prefault/nullable wrappers, collecting the meta of every layer (outermost wins) and the default. */
function unwrap(schema: z.ZodType): { inner: z.ZodType; meta: Meta; required: boolean; defaultValue?: unknown } {
  let meta: Meta = {};
  let required = true;
  let defaultValue: unknown;
  let current = schema;
  for (;;) {
    meta = { ...((z.globalRegistry.get(current) as Meta | undefined) ?? {}), ...meta };
    const d = def(current);
    if (d.type === 'optional' || d.type === 'nullable') required = false;
    else if (d.type === 'default' || d.type === 'prefault') {
      required = false;
      if (defaultValue === undefined) defaultValue = structuredClone(d.defaultValue);
    } else break;
    current = d.innerType!;
  }
  return { inner: current, meta, required, defaultValue };
}

/** "egmRequestPercent" → "Egm request percent": a last resort, every stage field has a title. */
export function words(key: string): string {
  const spaced = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[-_]/g, ' ')
    .toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

function check(d: Def, name: string) {
  return d.checks?.map((c) => c._zod.def).find((c) => c.check === name);
}

function optionsOf(d: Def, meta: Meta): Option[] {
  const upper = (t: string) => t.charAt(0).toUpperCase() + t.slice(1);
  return Object.values(d.entries ?? {}).map((value) => ({ value, label: upper(meta.options?.[value] ?? words(value)) }));
}

/** The plain choice inside a union (an enum), leaving out deprecated spellings that transform into it. */
function choiceInUnion(d: Def): z.ZodType | null {
  return d.options?.find((o) => def(o).type === 'enum') ?? null;
}

function field(key: string, path: string[], schema: z.ZodType, keySets: KeySets): FieldNode | null {
  const { inner, meta, required, defaultValue } = unwrap(schema);
  let d = def(inner);
  const base: Base = {
    path,
    label: meta.title ?? words(key),
    titled: meta.title !== undefined,
    hint: meta.description,
    required,
    ...(defaultValue !== undefined ? { defaultValue } : {}),
  };
  if (d.type === 'union') {
    const choice = choiceInUnion(d);
    if (!choice) return null;
    d = def(choice);
  }
  switch (d.type) {
    case 'string': {
      const max = check(d, 'max_length')?.maximum;
      if (
        meta.input === 'date' ||
        check(d, 'string_format')?.format === 'date' ||
        String(check(d, 'string_format')?.pattern ?? '').includes('\\d{4}-\\d{2}-\\d{2}')
      )
        return { ...base, kind: 'date' };
      return { ...base, kind: 'text', multiline: meta.input === 'paragraph' || (max !== undefined && max > 1000), maxLength: max };
    }
    case 'number': {
      const min = check(d, 'greater_than');
      const max = check(d, 'less_than');
      return {
        ...base,
        kind: 'number',
        integer: check(d, 'number_format')?.format?.includes('int') ?? false,
        ...(min ? { min: min.value } : {}),
        ...(max ? { max: max.value } : {}),
      };
    }
    case 'boolean':
      return { ...base, kind: 'boolean' };
    case 'enum':
      return { ...base, kind: 'choice', options: optionsOf(d, meta) };
    case 'array': {
      const element = unwrap(d.element!);
      const ed = def(element.inner);
      const minItems = check(d, 'min_length')?.minimum ?? 0;
      const maxItems = check(d, 'max_length')?.maximum;
      if (ed.type === 'string') return { ...base, kind: 'lines', minItems, maxItems, itemMaxLength: check(ed, 'max_length')?.maximum };
      if (ed.type === 'enum') return { ...base, kind: 'checkboxes', options: optionsOf(ed, { ...element.meta, ...meta }), maxItems };
      if (ed.type === 'object') {
        const fields = objectFields(element.inner, [...path, '#'], keySets);
        return { ...base, kind: 'rows', itemTitle: meta.itemTitle ?? element.meta.title ?? 'item', fields, minItems, maxItems };
      }
      return null;
    }
    case 'object':
      return { ...base, kind: 'group', fields: objectFields(inner, path, keySets) };
    case 'record': {
      const kd = def(d.keyType!);
      const keys = kd.type === 'enum' ? optionsOf(kd, { options: meta.options }) : meta.keys ? keySets[meta.keys] : undefined;
      // a record keyed by free text has no fields to show until its key set is known
      if (!keys) return null;
      const value = field('value', [...path, '*'], d.valueType!, keySets);
      return value ? { ...base, kind: 'keyed', keys, value } : null;
    }
    default:
      return null;
  }
}

function objectFields(schema: z.ZodType, path: string[], keySets: KeySets): FieldNode[] {
  const shape = def(schema).shape ?? {};
  return Object.entries(shape)
    .map(([key, s]) => field(key, [...path, key], s, keySets))
    .filter((f): f is FieldNode => f !== null);
}

/**
 * The fields of an object schema, in the schema's order. `keySets` supplies the keys of records
 * keyed by something only the page knows (`.meta({ keys: 'practices' })`); such a record is left
 * out when its key set is not given.
 */
export function formFields(schema: z.ZodType, keySets: KeySets = {}): FieldNode[] {
  const { inner } = unwrap(schema);
  if (def(inner).type !== 'object') throw new Error('A form is generated from an object schema.');
  return objectFields(inner, [], keySets);
}

/** A choice of five or more is a drop-down list; fewer are radios. */
export function choiceAsSelect(f: FieldNode & { kind: 'choice' }): boolean {
  return f.options.length >= 5;
}

/** Every field, depth first, including those inside groups, rows and keyed records. */
export function allFields(fields: readonly FieldNode[]): FieldNode[] {
  return fields.flatMap((f) => [f, ...(f.kind === 'group' || f.kind === 'rows' ? allFields(f.fields) : f.kind === 'keyed' ? allFields([f.value]) : [])]);
}
