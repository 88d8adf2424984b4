import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { STAGE_KEYS } from '../../domain/stages';
import { zodDetails } from '../../server/errors';
import { strictDeep, unstorableText } from '../../server/strict';
import { STAGE_TEMPLATES } from '../../templates';

const issues = (schema: z.ZodType, value: unknown) => {
  const result = schema.safeParse(value);
  return result.success ? [] : zodDetails(result.error);
};

describe('strictDeep: unknown keys are refused at any depth, not dropped', () => {
  const schema = strictDeep(
    z.object({
      name: z.string(),
      rule: z.object({ partners: z.enum(['one', 'all']).default('one') }).optional(),
      rows: z.array(z.object({ n: z.number() })).default([]),
      pick: z.union([z.object({ a: z.string() }), z.object({ b: z.string() })]).optional(),
      meta: z.object({ any: z.string() }).loose().optional(),
      counts: z.record(z.string(), z.object({ n: z.number() })).optional(),
    }),
  );

  it('names a misspelt key where it is, instead of letting its default stand', () => {
    expect(issues(schema, { name: 'x', rule: { partnes: 'all' } })).toEqual([{ path: 'rule.partnes', message: expect.stringContaining('not a field here') }]);
    expect(issues(schema, { name: 'x', signingRul: {} }).map((d) => d.path)).toEqual(['signingRul']);
    expect(issues(schema, { name: 'x', rows: [{ n: 1 }, { n: 2, m: 3 }] }).map((d) => d.path)).toEqual(['rows.1.m']);
    expect(issues(schema, { name: 'x', pick: { a: 'x', c: 1 } })).not.toEqual([]);
    expect(issues(schema, { name: 'x', counts: { k: { n: 1, extra: true } } }).map((d) => d.path)).toEqual(['counts.k.extra']);
  });

  it('keeps what the schema allows: defaults, records of any key, and objects that say they take any key', () => {
    expect(schema.parse({ name: 'x', rule: {} })).toEqual({ name: 'x', rule: { partners: 'one' }, rows: [] });
    expect(schema.parse({ name: 'x', meta: { any: 'y', more: 1 }, counts: { k: { n: 1 } } })).toMatchObject({
      meta: { any: 'y', more: 1 },
      counts: { k: { n: 1 } },
    });
  });

  it('keeps refinements and descriptions of the schema it rebuilds', () => {
    const refined = strictDeep(
      z
        .object({ lo: z.number(), hi: z.number() })
        .refine((v) => v.lo <= v.hi, { message: 'lo above hi', path: ['lo'] })
        .describe('a range'),
    );
    expect(issues(refined, { lo: 2, hi: 1 })).toEqual([{ path: 'lo', message: 'lo above hi' }]);
    expect(z.toJSONSchema(refined, { io: 'input' })).toMatchObject({ description: 'a range', additionalProperties: false });
  });

  it('makes every stage data schema strict and still takes {} (every field has a default)', () => {
    for (const stage of STAGE_KEYS) {
      const strict = strictDeep(STAGE_TEMPLATES[stage].stageDataSchema);
      expect(strict.safeParse({}).success, stage).toBe(true);
      expect(
        issues(strict, { notAField: 1 }).map((d) => d.path),
        stage,
      ).toEqual(['notAField']);
    }
  });

  it("keeps the terms of reference's deprecated spellings, which are values, not keys", () => {
    const tor = strictDeep(STAGE_TEMPLATES['terms-of-reference'].stageDataSchema);
    const parsed = tor.parse({ votingRules: { allocation: { basis: 'per-list', threshold: 'three-quarters' } } }) as { votingRules: Record<string, unknown> };
    expect(parsed.votingRules.allocation).toEqual({ basis: 'list-size', threshold: 'special-75' });
    expect(issues(tor, { votingRules: { allocation: { basiss: 'dual' } } }).map((d) => d.path)).toEqual(['votingRules.allocation.basiss']);
  });
});

describe('unstorableText', () => {
  it('finds NUL and lone surrogates in any string of a request, keys included, and passes the rest', () => {
    expect(unstorableText({ a: ['fine', 'nul\u0000here'] })).toEqual({ path: 'a.1', message: expect.stringContaining('NUL character') });
    expect(unstorableText({ name: 'x\uD800y' })).toEqual({ path: 'name', message: expect.stringContaining('lone surrogate U+D800') });
    expect(unstorableText({ ['k\uDC00']: 1 })?.message).toMatch(/^the field name contains half of a character/);
    expect(unstorableText({ emoji: 'sign 👍 here', tab: 'a\tb', text: 'Ünïcødé' })).toBeNull();
    let deep: unknown = 'x';
    for (let i = 0; i < 70; i++) deep = [deep];
    expect(unstorableText(deep)?.message).toMatch(/nested more than 64 levels/);
  });
});
