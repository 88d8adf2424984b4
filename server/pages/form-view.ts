/**
 * What the `form-field` partial renders for a generated form: each field with its input name, id,
 * label, hint, the value as typed and its error, in NHS.UK markup terms (text input, textarea, date
 * input, radios, checkboxes, select, fieldsets for groups and rows).
 */
import { type FieldError, inputId } from './form-errors';
import { type FormState, rowCount } from './form-values';
import { choiceAsSelect, type FieldNode, type Option } from './schema-form';

export interface FieldView {
  id: string;
  name: string;
  label: string;
  hint?: string;
  hintId?: string;
  error?: string;
  errorId?: string;
  /** ids of the hint and error, for aria-describedby */
  describedBy?: string;
  value?: string;
  date?: { day: string; month: string; year: string; dayId: string; monthId: string; yearId: string };
  options?: (Option & { id: string; checked: boolean })[];
  /** a choice with many options is a select */
  select?: boolean;
  multiline?: boolean;
  rows?: number;
  inputmode?: string;
  widthClass?: string;
  children?: FieldView[];
  items?: { legend: string; children: FieldView[] }[];
  isText?: boolean;
  isDate?: boolean;
  isChoice?: boolean;
  isCheckboxes?: boolean;
  isGroup?: boolean;
  isRows?: boolean;
  /** the name of the "add another" button's value for rows */
  addName?: string;
  addLabel?: string;
}

const last = (f: FieldNode) => String(f.path[f.path.length - 1]);
const str = (v: string | string[] | undefined) => (typeof v === 'string' ? v : Array.isArray(v) ? String(v[0] ?? '') : '');

function hintFor(f: FieldNode): string | undefined {
  const parts = [f.hint];
  if (f.kind === 'lines') parts.push('One per line.');
  if (f.kind === 'number' && (f.min !== undefined || f.max !== undefined)) {
    parts.push(f.min !== undefined && f.max !== undefined ? `From ${f.min} to ${f.max}.` : f.min !== undefined ? `${f.min} or more.` : `Up to ${f.max}.`);
  }
  if (f.kind === 'date') parts.push('For example, 16 3 2027.');
  const text = parts.filter(Boolean).join(' ');
  return text || undefined;
}

/** Builds the view of one field under its input name. */
function view(f: FieldNode, name: string, state: FormState, errors: Map<string, string>, extraRows: Record<string, number>, blankRow = false): FieldView {
  const id = inputId(name);
  const hint = hintFor(f);
  const error = errors.get(name);
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const base: FieldView = { id, name, label: f.label, hint, hintId, error, errorId, describedBy: [hintId, errorId].filter(Boolean).join(' ') || undefined };
  const optionsOf = (options: Option[], chosen: string[]) =>
    options.map((o) => ({ ...o, id: inputId(`${name}.${o.value}`), checked: chosen.includes(o.value) }));
  switch (f.kind) {
    case 'text': {
      const long = f.multiline;
      return {
        ...base,
        isText: true,
        value: str(state[name]),
        multiline: long,
        rows: long ? 5 : undefined,
        widthClass: !long && (f.maxLength ?? 1000) <= 200 ? 'nhsuk-u-width-two-thirds' : undefined,
      };
    }
    case 'number':
      return { ...base, isText: true, value: str(state[name]), inputmode: f.integer ? 'numeric' : 'decimal', widthClass: 'nhsuk-input--width-10' };
    case 'date':
      return {
        ...base,
        isDate: true,
        date: {
          day: str(state[`${name}.day`]),
          month: str(state[`${name}.month`]),
          year: str(state[`${name}.year`]),
          dayId: inputId(`${name}.day`),
          monthId: inputId(`${name}.month`),
          yearId: inputId(`${name}.year`),
        },
      };
    case 'lines':
      return { ...base, isText: true, multiline: true, rows: 5, value: str(state[name]) };
    case 'boolean': {
      const options = [
        { value: 'yes', label: 'Yes' },
        { value: 'no', label: 'No' },
        // an optional yes/no without a default may be left unstated
        ...(f.required || f.defaultValue !== undefined || blankRow ? [] : [{ value: '', label: 'Not stated' }]),
      ];
      return { ...base, isChoice: true, options: optionsOf(options, [str(state[name])]) };
    }
    case 'choice': {
      const unset =
        f.required && f.defaultValue === undefined && !blankRow
          ? []
          : [
              {
                value: '',
                label:
                  f.defaultValue !== undefined ? `Not stated (${f.options.find((o) => o.value === f.defaultValue)?.label ?? 'the default'})` : 'Not stated',
              },
            ];
      const options = f.defaultValue !== undefined && !blankRow ? f.options : [...f.options, ...unset];
      return { ...base, isChoice: true, select: choiceAsSelect(f), options: optionsOf(options, [str(state[name])]) };
    }
    case 'checkboxes': {
      const chosen = ([] as string[]).concat(state[name] ?? []);
      return { ...base, isCheckboxes: true, options: optionsOf(f.options, chosen) };
    }
    case 'group':
      return { ...base, isGroup: true, children: f.fields.map((c) => view(c, `${name}.${last(c)}`, state, errors, extraRows, blankRow)) };
    case 'keyed':
      return {
        ...base,
        isGroup: true,
        children: f.keys.map((k) => {
          const child = view(f.value, `${name}.${k.value}`, state, errors, extraRows, blankRow);
          return { ...child, label: k.label };
        }),
      };
    case 'rows': {
      const filled = rowCount(state, name);
      const wanted = filled + 1 + (extraRows[name] ?? 0);
      const count = f.maxItems !== undefined ? Math.min(wanted, f.maxItems) : wanted;
      const title = f.itemTitle.charAt(0).toUpperCase() + f.itemTitle.slice(1);
      const items = Array.from({ length: count }, (_, i) => ({
        legend: `${title} ${i + 1}`,
        children: f.fields.map((c) => view(c, `${name}.${i}.${last(c)}`, state, errors, extraRows, i >= filled)),
      }));
      return {
        ...base,
        hint: [hint, `Leave a ${f.itemTitle} empty to remove it.`].filter(Boolean).join(' '),
        hintId: `${id}-hint`,
        describedBy: [`${id}-hint`, errorId].filter(Boolean).join(' '),
        isRows: true,
        items,
        addName: f.maxItems === undefined || count < f.maxItems ? name : undefined,
        addLabel: `Add another ${f.itemTitle}`,
      };
    }
  }
}

/** The views of a form's fields for its state and errors; `extraRows` asks for more blank rows. */
export function formView(
  fields: readonly FieldNode[],
  state: FormState,
  errors: { name: string; message: string }[] | FieldError[],
  extraRows: Record<string, number> = {},
): FieldView[] {
  const byName = new Map<string, string>();
  for (const e of errors) if (e.name && !byName.has(e.name)) byName.set(e.name, e.message);
  return fields.map((f) => view(f, last(f), state, byName, extraRows));
}
