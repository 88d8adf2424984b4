import { z } from 'zod';

/**
 * Unknown keys are refused, not dropped. zod's `z.object` strips keys it does not know, so a
 * misspelt field (`signingRul`) would vanish and the request go ahead on defaults; `strictDeep`
 * rebuilds a schema with every plain object inside it strict. It is applied once, where input
 * arrives: to every route's query and body (server/route.ts) and to the per-stage data and dispute
 * procedure options the services validate. An object that deliberately takes any keys says so
 * with `.loose()` (or `.catchall(…)`), which is kept; records keep taking any key of their key type.
 *
 * Stored data is re-read with the schemas as they are (tolerant), so a field removed from a schema
 * never makes an older record unreadable.
 */
export function strictDeep<T extends z.ZodType>(schema: T): T {
  return convert(schema, new Map()) as T;
}

type Def = Record<string, unknown> & { type: string };
type Cloneable = z.ZodType & { clone(def: unknown, params?: { parent: boolean }): z.ZodType };

function convert(schema: z.ZodType, seen: Map<z.ZodType, z.ZodType>): z.ZodType {
  const done = seen.get(schema);
  if (done) return done;
  const def = schema._zod.def as unknown as Def;
  const again = (s: unknown) => convert(s as z.ZodType, seen);
  const rebuild = (changes: Record<string, unknown>) => (schema as Cloneable).clone({ ...def, ...changes }, { parent: true });
  let out: z.ZodType;
  switch (def.type) {
    case 'object': {
      const shape = Object.fromEntries(Object.entries((schema as z.ZodObject).shape).map(([k, v]) => [k, again(v)]));
      out = rebuild({ shape, catchall: def.catchall === undefined ? z.never() : def.catchall });
      break;
    }
    case 'array':
      out = rebuild({ element: again(def.element) });
      break;
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'nonoptional':
    case 'readonly':
    case 'catch':
      out = rebuild({ innerType: again(def.innerType) });
      break;
    case 'union':
      out = rebuild({ options: (def.options as z.ZodType[]).map(again) });
      break;
    case 'intersection':
      out = rebuild({ left: again(def.left), right: again(def.right) });
      break;
    case 'pipe':
      out = rebuild({ in: again(def.in), out: again(def.out) });
      break;
    case 'record':
      out = rebuild({ valueType: again(def.valueType) });
      break;
    case 'tuple':
      out = rebuild({ items: (def.items as z.ZodType[]).map(again), rest: def.rest ? again(def.rest) : def.rest });
      break;
    case 'lazy': {
      const getter = def.getter as () => z.ZodType;
      out = z.lazy(() => again(getter()));
      break;
    }
    default:
      out = schema;
  }
  seen.set(schema, out);
  return out;
}

/**
 * Characters no store can keep: NUL (PostgreSQL text refuses it) and a lone UTF-16 surrogate (half
 * a character: no encoding holds it, so it would be stored as U+FFFD). Checked in every string of
 * a request, keys included, whatever the route's schema says, so nothing is stored mangled.
 */
// eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Where in `value` a string holds a character no store can keep, with what it is; null when none does. */
export function unstorableText(value: unknown, path: (string | number)[] = [], depth = 0): { path: string; message: string } | null {
  if (depth > 64) return { path: path.join('.'), message: 'is nested more than 64 levels deep' };
  if (typeof value === 'string') {
    const m = UNSTORABLE.exec(value);
    if (!m) return null;
    const what = m[0] === '\u0000' ? 'a NUL character (U+0000)' : `half of a character (lone surrogate U+${m[0].charCodeAt(0).toString(16).toUpperCase()})`;
    return { path: path.join('.'), message: `contains ${what} at position ${m.index + 1}, which cannot be stored` };
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = unstorableText(value[i], [...path, i], depth + 1);
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const inKey = unstorableText(k, [...path, k], depth + 1);
      if (inKey) return { path: inKey.path, message: `the field name ${inKey.message}` };
      const found = unstorableText(v, [...path, k], depth + 1);
      if (found) return found;
    }
  }
  return null;
}
