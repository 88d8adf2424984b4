import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AllocationError, allocateEnvelope, largestRemainder, poundsToPence, splitUpfrontOutcome } from '../../../domain/allocation';

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('largestRemainder', () => {
  it('gives the leftover pennies to the largest remainders', () => {
    // 100p in thirds: 33.33 each, the spare penny goes to the first of the tied (equal weights)
    expect(largestRemainder(100, [1, 1, 1])).toEqual([34, 33, 33]);
    // 10p split 1:2:3 → 1.67, 3.33, 5 → floors 1, 3, 5; the spare penny goes to the .67
    expect(largestRemainder(10, [1, 2, 3])).toEqual([2, 3, 5]);
  });

  it('breaks ties in the remainder towards the larger weight', () => {
    // 1p between weights 1 and 3 → 0.25 and 0.75: the larger remainder wins
    expect(largestRemainder(1, [1, 3])).toEqual([0, 1]);
    // 2p between 1, 1, 2 → 0.5, 0.5, 1: remainders tie at .5, so the earlier equal weight wins
    expect(largestRemainder(2, [1, 1, 2])).toEqual([1, 0, 1]);
  });

  it('handles fractional weights such as percentages without float drift', () => {
    expect(largestRemainder(100_000, [33.33, 33.33, 33.34])).toEqual([33_330, 33_330, 33_340]);
    expect(sum(largestRemainder(1, [0.1, 0.2]))).toBe(1);
  });

  it('allocates nothing from a zero amount, even with zero weights', () => {
    expect(largestRemainder(0, [0, 0])).toEqual([0, 0]);
    expect(largestRemainder(0, [])).toEqual([]);
  });

  it('refuses what cannot be shared, saying why', () => {
    expect(() => largestRemainder(100, [0, 0])).toThrow(/every weight is zero/);
    expect(() => largestRemainder(100, [])).toThrow(/nobody/);
    expect(() => largestRemainder(-1, [1])).toThrow(AllocationError);
    expect(() => largestRemainder(1.5, [1])).toThrow(/whole, non-negative number of pence/);
    expect(() => largestRemainder(100, [1, -2])).toThrow(/weight 2/);
    expect(() => largestRemainder(100, [Number.NaN])).toThrow(/weight 1/);
  });

  it('always sums exactly to the amount and never moves more than a penny from the exact share (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000_000 }),
        fc.array(fc.integer({ min: 0, max: 500_000 }), { minLength: 1, maxLength: 40 }),
        (total, weights) => {
          fc.pre(sum(weights) > 0);
          const parts = largestRemainder(total, weights);
          expect(sum(parts)).toBe(total);
          const w = sum(weights);
          parts.forEach((p, i) => {
            expect(Number.isInteger(p)).toBe(true);
            expect(Math.abs(p - (total * weights[i]) / w)).toBeLessThan(1 + 1e-6);
          });
        },
      ),
    );
  });

  it('is monotone in weight: a larger weight never gets less (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000_000 }),
        fc.array(fc.integer({ min: 1, max: 100_000 }), { minLength: 2, maxLength: 20 }),
        (total, weights) => {
          const parts = largestRemainder(total, weights);
          for (let i = 0; i < weights.length; i++)
            for (let j = 0; j < weights.length; j++) if (weights[i] > weights[j]) expect(parts[i]).toBeGreaterThanOrEqual(parts[j]);
        },
      ),
    );
  });
});

describe('splitUpfrontOutcome', () => {
  it('splits 70/30 by default, exactly', () => {
    expect(splitUpfrontOutcome(4_000_000)).toEqual({ upfrontPence: 2_800_000, outcomePence: 1_200_000 });
    expect(splitUpfrontOutcome(1)).toEqual({ upfrontPence: 1, outcomePence: 0 });
    expect(splitUpfrontOutcome(333, 70)).toEqual({ upfrontPence: 233, outcomePence: 100 });
  });
  it('accepts any split from 0 to 100 and rejects others', () => {
    expect(splitUpfrontOutcome(1000, 100)).toEqual({ upfrontPence: 1000, outcomePence: 0 });
    expect(splitUpfrontOutcome(1000, 0)).toEqual({ upfrontPence: 0, outcomePence: 1000 });
    expect(() => splitUpfrontOutcome(1000, 101)).toThrow(/between 0 and 100/);
  });
});

describe('allocateEnvelope', () => {
  const practices = [
    { id: 'a', listSize: 23_627, weightedListSize: 25_000.5, customShare: 50 },
    { id: 'b', listSize: 2_500, weightedListSize: 2_100, customShare: 20 },
    { id: 'c', listSize: 3_086, weightedListSize: 3_300, customShare: 15 },
    { id: 'd', listSize: 3_758, weightedListSize: 4_000, customShare: 15 },
  ];

  it('allocates per registered patient with every column summing exactly', () => {
    const a = allocateEnvelope({ envelopePence: 4_000_000, method: 'per-patient', practices });
    expect(a.upfrontPence + a.outcomePence).toBe(4_000_000);
    expect(sum(a.lines.map((l) => l.upfrontPence))).toBe(a.upfrontPence);
    expect(sum(a.lines.map((l) => l.outcomePence))).toBe(a.outcomePence);
    expect(sum(a.lines.map((l) => l.totalPence))).toBe(4_000_000);
    expect(a.lines.map((l) => l.basis)).toEqual([23_627, 2_500, 3_086, 3_758]);
    // 23,627 / 32,971 of £40,000 is £28,663.98 (to the penny, up to the remainder rule)
    expect(Math.abs(a.lines[0].totalPence - (4_000_000 * 23_627) / 32_971)).toBeLessThanOrEqual(2);
    expect(a.totalBasis).toBe(32_971);
  });

  it('supports weighted, equal and custom methods', () => {
    expect(allocateEnvelope({ envelopePence: 100, method: 'equal', practices, upfrontPercent: 100 }).lines.map((l) => l.totalPence)).toEqual([25, 25, 25, 25]);
    expect(allocateEnvelope({ envelopePence: 10_000, method: 'custom', practices }).lines.map((l) => l.totalPence)).toEqual([5_000, 2_000, 1_500, 1_500]);
    const weighted = allocateEnvelope({ envelopePence: 1_000_000, method: 'per-weighted-patient', practices });
    expect(weighted.lines[0].basis).toBe(25_000.5);
    expect(sum(weighted.lines.map((l) => l.totalPence))).toBe(1_000_000);
  });

  it('produces an all-zero table for a £0 envelope', () => {
    const a = allocateEnvelope({ envelopePence: 0, method: 'per-patient', practices });
    expect(a.lines.every((l) => l.totalPence === 0 && l.upfrontPence === 0 && l.outcomePence === 0)).toBe(true);
  });

  it('needs the data its method uses', () => {
    expect(() => allocateEnvelope({ envelopePence: 100, method: 'per-weighted-patient', practices: [{ id: 'x', listSize: 10 }] })).toThrow(
      /x has no weighted list size/,
    );
    expect(() => allocateEnvelope({ envelopePence: 100, method: 'custom', practices: [{ id: 'x', listSize: 10 }] })).toThrow(/x has no custom share/);
    expect(() =>
      allocateEnvelope({
        envelopePence: 100,
        method: 'equal',
        practices: [
          { id: 'x', listSize: 1 },
          { id: 'x', listSize: 2 },
        ],
      }),
    ).toThrow(/appears twice/);
  });

  it('sums exactly for any envelope, split and list sizes (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5_000_000_000 }),
        fc.integer({ min: 0, max: 100 }),
        fc.array(fc.integer({ min: 1, max: 60_000 }), { minLength: 1, maxLength: 12 }),
        fc.constantFrom('per-patient' as const, 'equal' as const),
        (envelopePence, upfrontPercent, lists, method) => {
          const a = allocateEnvelope({ envelopePence, method, upfrontPercent, practices: lists.map((listSize, i) => ({ id: `p${i}`, listSize })) });
          expect(sum(a.lines.map((l) => l.totalPence))).toBe(envelopePence);
          expect(sum(a.lines.map((l) => l.upfrontPence))).toBe(a.upfrontPence);
          expect(sum(a.lines.map((l) => l.outcomePence))).toBe(a.outcomePence);
          expect(a.lines.every((l) => l.totalPence === l.upfrontPence + l.outcomePence && l.totalPence >= 0)).toBe(true);
        },
      ),
    );
  });
});

describe('poundsToPence', () => {
  it('converts typed pounds without float drift', () => {
    expect(poundsToPence(40_000)).toBe(4_000_000);
    expect(poundsToPence(0.1 + 0.2)).toBe(30);
    expect(poundsToPence(1234.5)).toBe(123_450);
    expect(() => poundsToPence(-1)).toThrow(AllocationError);
  });
});
