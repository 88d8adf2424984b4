import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countStv, drawLots, fnv1a32, lotKey, usablePreferences, type StvResult } from '../../../../domain/voting/stv';
import { stvInputSchema } from '../../../../domain/voting/voting.schema';

const cands = (...ids: string[]) => ids.map((id) => ({ id, name: `Candidate ${id}` }));
const rep = (n: number, prefs: string[]) => Array.from({ length: n }, () => prefs);
const step = (r: StvResult, n: number) => r.rounds[n - 1];

describe('Scottish STV: published and hand-worked examples', () => {
  it('reproduces the food election example (20 guests, 3 to choose)', () => {
    // Oranges, Pears, Chocolate, Strawberries, Hamburgers: the classic worked example. With the
    // fractional transfer the chocolate surplus splits 4 / 2, exactly as in the published rounds.
    const r = countStv({
      seats: 3,
      candidates: cands('O', 'P', 'C', 'S', 'H'),
      seed: 'food',
      ballots: [...rep(4, ['O']), ...rep(2, ['P', 'O']), ...rep(8, ['C', 'S']), ...rep(4, ['C', 'H']), ...rep(1, ['S']), ...rep(1, ['H'])],
    });
    expect(r.quota).toBe(6);
    expect(r.firstPreferences).toEqual({ O: 4, P: 2, C: 12, S: 1, H: 1 });
    expect(r.elected).toEqual(['C', 'O', 'S']);
    expect(r.rounds.map((x) => [x.action, x.candidate])).toEqual([
      ['elect', 'C'],
      ['transfer-surplus', 'C'],
      ['exclude', 'P'],
      ['elect', 'O'],
      ['exclude', 'H'],
      ['elect', 'S'],
    ]);
    expect(step(r, 2).transferValues).toEqual([0.5]);
    expect(step(r, 2).transfers).toEqual({ O: 0, P: 0, S: 4, H: 2 });
    expect(step(r, 2).totals).toEqual({ O: 4, P: 2, C: 6, S: 5, H: 3 });
    expect(step(r, 3).totals).toEqual({ O: 6, P: 0, C: 6, S: 5, H: 3 });
    // Hamburgers' 1 own vote and 4 half-votes from chocolate have nowhere to go.
    expect(step(r, 5).nonTransferable).toBe(3);
    expect(step(r, 6).note).toContain('r.52');
  });

  it('truncates a one-third transfer value to 0.33333 (hand-worked, 2 seats, 17 papers)', () => {
    // Quota floor(17/3)+1 = 6. A has 9: surplus 3, transfer value 3×1/9 = 0.33333 (remainder ignored).
    // B: 3 + 7×0.33333 = 5.33331; C: 2 + 2×0.33333 = 2.66666; 0.00003 lost to truncation.
    // C excluded: all 2.66666 non-transferable. D excluded: 3 to B → 8.33331, elected.
    const r = countStv({
      seats: 2,
      candidates: cands('A', 'B', 'C', 'D'),
      seed: 's',
      ballots: [...rep(7, ['A', 'B']), ...rep(2, ['A', 'C']), ...rep(3, ['B']), ...rep(2, ['C']), ...rep(3, ['D', 'B'])],
    });
    expect(r.quota).toBe(6);
    expect(step(r, 2)).toMatchObject({
      action: 'transfer-surplus',
      candidate: 'A',
      transferValues: [0.33333],
      transfers: { B: 2.33331, C: 0.66666, D: 0 },
      roundingLoss: 0.00003,
    });
    expect(step(r, 2).totals).toEqual({ A: 6, B: 5.33331, C: 2.66666, D: 3 });
    expect(step(r, 3)).toMatchObject({ action: 'exclude', candidate: 'C', nonTransferable: 2.66666 });
    expect(step(r, 4)).toMatchObject({ action: 'exclude', candidate: 'D', transfers: { B: 3 } });
    expect(step(r, 4).totals.B).toBe(8.33331);
    expect(step(r, 5)).toMatchObject({ action: 'elect', candidate: 'B' });
    expect(r.elected).toEqual(['A', 'B']);
  });

  it('applies r.48(3) to papers already carrying a transfer value (hand-worked, 3 seats, 23 papers)', () => {
    // Quota floor(23/4)+1 = 6. A 10 → surplus 4 at 4×1/10 = 0.4 → B 3+4 = 7, elected, surplus 1.
    // B's papers: 10 at 0.4 → 1×0.4/7 = 0.05714 each to C (0.5714); 3 at 1 → 1×1/7 = 0.14285 each to D
    // (0.42855). Then D (3.42855) is excluded: 3 to C (6.5714, elected); 0.42855 non-transferable.
    const r = countStv({
      seats: 3,
      candidates: cands('A', 'B', 'C', 'D', 'E'),
      seed: 's',
      ballots: [...rep(10, ['A', 'B', 'C']), ...rep(3, ['B', 'D']), ...rep(3, ['C', 'D']), ...rep(3, ['D', 'C']), ...rep(4, ['E'])],
    });
    expect(r.quota).toBe(6);
    expect(r.rounds.map((x) => [x.stage, x.action, x.candidate])).toEqual([
      [1, 'elect', 'A'],
      [2, 'transfer-surplus', 'A'],
      [2, 'elect', 'B'],
      [3, 'transfer-surplus', 'B'],
      [4, 'exclude', 'D'],
      [4, 'elect', 'C'],
    ]);
    expect(step(r, 2)).toMatchObject({ transferValues: [0.4], transfers: { B: 4 } });
    expect(step(r, 4)).toMatchObject({
      transferValues: [0.14285, 0.05714],
      transfers: { C: 0.5714, D: 0.42855, E: 0 },
      roundingLoss: 0.00005,
      nonTransferable: 0,
    });
    expect(step(r, 4).totals).toEqual({ A: 6, B: 6, C: 3.5714, D: 3.42855, E: 4 });
    expect(step(r, 5)).toMatchObject({ transfers: { C: 3, E: 0 }, nonTransferable: 0.42855 });
    expect(step(r, 5).totals.C).toBe(6.5714);
    expect(r.elected).toEqual(['A', 'B', 'C']);
  });
});

describe('Scottish STV: quota, ballots and edge cases', () => {
  it('uses the Droop quota floor(valid/(seats+1))+1 over valid papers only', () => {
    const ballots = (n: number) => rep(n, ['A']);
    expect(countStv({ seats: 3, candidates: cands('A', 'B', 'C', 'D'), ballots: ballots(100), seed: '' }).quota).toBe(26);
    expect(countStv({ seats: 3, candidates: cands('A', 'B', 'C', 'D'), ballots: ballots(99), seed: '' }).quota).toBe(25);
    const withInvalid = countStv({ seats: 1, candidates: cands('A', 'B'), ballots: [...ballots(10), [], ['Z', 'A']], seed: '' });
    expect(withInvalid).toMatchObject({ validBallots: 10, invalidBallots: 2, quota: 6 });
  });

  it('follows a paper only up to its first unknown or repeated preference', () => {
    const known = new Set(['A', 'B', 'C']);
    expect(usablePreferences(['A', 'B', 'A', 'C'], known)).toEqual(['A', 'B']);
    expect(usablePreferences(['A', 'X', 'C'], known)).toEqual(['A']);
    expect(usablePreferences(['X', 'A'], known)).toEqual([]);
  });

  it('elects everyone when there are fewer candidates than seats, leaving seats unfilled', () => {
    const r = countStv({ seats: 3, candidates: cands('A', 'B'), ballots: [...rep(3, ['A']), ...rep(1, ['B'])], seed: '' });
    expect(r.elected).toEqual(['A', 'B']);
    expect(r.rounds.at(-1)!.note).toContain('stay unfilled');
  });

  it('counts an election with no valid papers by lot, deterministically', () => {
    const a = countStv({ seats: 1, candidates: cands('A', 'B', 'C'), ballots: [], seed: 'empty' });
    expect(a.quota).toBe(1);
    expect(a.elected).toHaveLength(1);
    expect(countStv({ seats: 1, candidates: cands('A', 'B', 'C'), ballots: [], seed: 'empty' })).toEqual(a);
  });

  it('sets exhausted papers aside as non-transferable', () => {
    const r = countStv({ seats: 1, candidates: cands('A', 'B', 'C'), ballots: [...rep(4, ['A']), ...rep(3, ['B']), ...rep(2, ['C'])], seed: '' });
    const exclusion = r.rounds.find((x) => x.action === 'exclude' && x.candidate === 'C')!;
    expect(exclusion.nonTransferable).toBe(2);
    expect(exclusion.transfers).toEqual({ A: 0, B: 0 });
  });

  it('validates its input schema', () => {
    expect(stvInputSchema.safeParse({ seats: 0, candidates: cands('A'), ballots: [], seed: '' }).success).toBe(false);
    expect(stvInputSchema.safeParse({ seats: 1, candidates: cands('A', 'A'), ballots: [], seed: '' }).success).toBe(false);
  });
});

describe('Scottish STV: ties', () => {
  it('breaks an exclusion tie by the most recent earlier stage at which the candidates differed (r.51)', () => {
    // Stage 1: A5 B2 C3 D1. D excluded → B3. Stage 2: B and C tie on 3; at stage 1 B had fewer.
    const input = { seats: 1, candidates: cands('A', 'B', 'C', 'D'), ballots: [...rep(5, ['A']), ...rep(2, ['B']), ...rep(3, ['C']), ...rep(1, ['D', 'B'])] };
    for (const seed of ['one', 'two', 'three', 'four']) {
      const r = countStv({ ...input, seed });
      expect(r.rounds.filter((x) => x.action === 'exclude').map((x) => x.candidate)).toEqual(['D', 'B', 'C']);
      expect(r.tieBreaks).toEqual([expect.objectContaining({ purpose: 'exclusion', tied: ['B', 'C'], chosen: 'B', method: 'earlier-stage' })]);
      expect(r.elected).toEqual(['A']);
    }
  });

  it('draws lots with the documented seeded key when the tie goes back to the first stage', () => {
    const input = { seats: 1, candidates: cands('A', 'B', 'C'), ballots: [['A'], ['B'], ['C']] };
    const outcomes = new Set<string>();
    for (const seed of ['s1', 's2', 's3', 's4', 's5', 's6', 's7', 's8']) {
      const r = countStv({ ...input, seed });
      const first = r.tieBreaks[0];
      expect(first).toMatchObject({ method: 'lot', purpose: 'exclusion', tied: ['A', 'B', 'C'] });
      expect(first.chosen).toBe(drawLots(seed, ['A', 'B', 'C'])[0]);
      expect(countStv({ ...input, seed })).toEqual(r);
      outcomes.add(r.elected[0]);
    }
    // the seed matters: not every seed draws the same way
    expect(outcomes.size).toBeGreaterThan(1);
  });

  it('uses FNV-1a 32-bit, so anyone can repeat the draw', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
    expect(lotKey('seed', 'cand')).toBe(fnv1a32('seed\u0000cand'));
    const order = drawLots('seed', ['x', 'y', 'z']);
    expect([...order].sort()).toEqual(['x', 'y', 'z']);
    expect(order.map((id) => lotKey('seed', id))).toEqual([...order.map((id) => lotKey('seed', id))].sort((a, b) => a - b));
  });
});

describe('Scottish STV: properties', () => {
  const electionArb = fc
    .record({ n: fc.integer({ min: 1, max: 7 }), seats: fc.integer({ min: 1, max: 4 }), seed: fc.string({ maxLength: 6 }) })
    .chain(({ n, seats, seed }) => {
      const ids = Array.from({ length: n }, (_, i) => `c${i}`);
      return fc.record({
        seats: fc.constant(seats),
        seed: fc.constant(seed),
        candidates: fc.constant(ids.map((id) => ({ id, name: id }))),
        ballots: fc.array(fc.shuffledSubarray(ids, { minLength: 0, maxLength: n }), { maxLength: 60 }),
      });
    });

  it('elects min(seats, candidates) distinct candidates and is deterministic', () => {
    fc.assert(
      fc.property(electionArb, (input) => {
        const r = countStv(input);
        expect(r.elected).toHaveLength(Math.min(input.seats, input.candidates.length));
        expect(new Set(r.elected).size).toBe(r.elected.length);
        expect(countStv(input)).toEqual(r);
      }),
    );
  });

  it('conserves value: totals + non-transferable + truncation losses = valid papers, after every step', () => {
    fc.assert(
      fc.property(electionArb, (input) => {
        const r = countStv(input);
        let set = 0;
        for (const round of r.rounds) {
          set += Math.round(round.nonTransferable * 1e5) + Math.round(round.roundingLoss * 1e5);
          const held = Object.values(round.totals).reduce((a, v) => a + Math.round(v * 1e5), 0);
          expect(held + set).toBe(r.validBallots * 1e5);
        }
      }),
    );
  });

  it('elects anyone with a quota of first preferences', () => {
    fc.assert(
      fc.property(electionArb, (input) => {
        const r = countStv(input);
        for (const [id, votes] of Object.entries(r.firstPreferences)) if (votes >= r.quota) expect(r.elected).toContain(id);
      }),
    );
  });
});
