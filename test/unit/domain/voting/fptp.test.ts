import { describe, expect, it } from 'vitest';
import { countFptp, fptpBallotProblem } from '../../../../domain/voting/fptp';
import { drawLots } from '../../../../domain/voting/stv';

const cands = (...ids: string[]) => ids.map((id) => ({ id, name: id }));
const rep = (n: number, marks: string[]) => Array.from({ length: n }, () => marks);

describe('countFptp', () => {
  it('elects the candidates with most marks, counting each mark as one vote', () => {
    const r = countFptp({
      seats: 2,
      candidates: cands('A', 'B', 'C', 'D'),
      seed: 's',
      ballots: [...rep(5, ['A', 'B']), ...rep(3, ['C']), ...rep(2, ['C', 'D']), ...rep(1, ['B'])],
    });
    expect(r.totals).toEqual({ A: 5, B: 6, C: 5, D: 2 });
    expect(r.elected[0]).toBe('B');
    // A and C tie on 5 for the second seat: the lot decides
    expect(r.tieBreak!.tied.slice().sort()).toEqual(['A', 'C']);
    expect(r.tieBreak!.seatsAmongTied).toBe(1);
    expect(r.elected[1]).toBe(drawLots('s', ['A', 'C'])[0]);
    expect(r.explanationLines.some((l) => l.includes('drawn by lot'))).toBe(true);
  });

  it('has no tie-break when the last seat is clear', () => {
    const r = countFptp({ seats: 1, candidates: cands('A', 'B'), seed: 's', ballots: [...rep(3, ['A']), ...rep(2, ['B'])] });
    expect(r.elected).toEqual(['A']);
    expect(r.tieBreak).toBeUndefined();
  });

  it('is deterministic for a seed and can draw differently for another', () => {
    const input = { seats: 1, candidates: cands('A', 'B', 'C', 'D'), ballots: [['A'], ['B'], ['C'], ['D']] };
    const winners = new Set<string>();
    for (const seed of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']) {
      const r = countFptp({ ...input, seed });
      expect(countFptp({ ...input, seed })).toEqual(r);
      winners.add(r.elected[0]);
    }
    expect(winners.size).toBeGreaterThan(1);
  });

  it('spoils blank, over-marked, duplicated and unknown ballots', () => {
    const ids = new Set(['A', 'B', 'C']);
    expect(fptpBallotProblem([], 2, ids)).toBe('BLANK');
    expect(fptpBallotProblem(['A', 'B', 'C'], 2, ids)).toBe('TOO_MANY_MARKS');
    expect(fptpBallotProblem(['A', 'A'], 2, ids)).toBe('DUPLICATE_MARK');
    expect(fptpBallotProblem(['Z'], 2, ids)).toBe('UNKNOWN_CANDIDATE');
    expect(fptpBallotProblem(['A', 'C'], 2, ids)).toBeUndefined();
    const r = countFptp({ seats: 2, candidates: cands('A', 'B', 'C'), seed: '', ballots: [[], ['A', 'B', 'C'], ['A', 'A'], ['A', 'B']] });
    expect(r).toMatchObject({ validBallots: 1, invalidBallots: 3, totals: { A: 1, B: 1, C: 0 } });
  });

  it('leaves seats unfilled when fewer candidates stand', () => {
    const r = countFptp({ seats: 3, candidates: cands('A', 'B'), seed: '', ballots: [['A']] });
    expect(r.elected).toEqual(['A', 'B']);
    expect(r.explanationLines.at(-1)).toContain('1 stay unfilled');
  });
});
