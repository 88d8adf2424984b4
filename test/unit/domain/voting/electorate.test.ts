import { describe, expect, it } from 'vitest';
import { ballotsForTally, ballotWeights, electorateOf, representatives, takesPart, toVoters } from '../../../../domain/voting/electorate';
import { tallyVotes } from '../../../../domain/voting/tally';
import { makeRule } from './fixtures';

const person = (id: string, roles: string[]) => ({ id, name: id, email: `${id}@example.org`, roles });
const practices = [
  {
    id: 'p1',
    name: 'One',
    listSize: 5000,
    people: [person('a', ['partner']), person('b', ['partner', 'caldicott-guardian']), person('c', ['practice-manager'])],
  },
  { id: 'p2', name: 'Two', listSize: 9000, people: [person('d', ['practice-manager'])] },
  { id: 'p3', name: 'Three', listSize: 7000, people: [person('e', ['partner'])] },
];

describe('electorate', () => {
  it('is one voter per practice carrying its list size, partner count and roles', () => {
    expect(electorateOf(practices)).toEqual([
      { voterId: 'p1', practiceId: 'p1', practiceName: 'One', listSize: 5000, partnerCount: 2, offices: ['caldicott-guardian', 'partner', 'practice-manager'] },
      { voterId: 'p2', practiceId: 'p2', practiceName: 'Two', listSize: 9000, partnerCount: 0, offices: ['practice-manager'] },
      { voterId: 'p3', practiceId: 'p3', practiceName: 'Three', listSize: 7000, partnerCount: 1, offices: ['partner'] },
    ]);
  });

  it('sends a practice’s link to its partners, or to everyone in a practice with none', () => {
    expect(representatives(practices[0]).map((p) => p.id)).toEqual(['a', 'b']);
    expect(representatives(practices[1]).map((p) => p.id)).toEqual(['d']);
  });

  it('leaves out the practice a motion concerns only under unanimity excluding the subject', () => {
    expect(takesPart(makeRule('expulsion'), 'p2', 'p2')).toBe(false);
    expect(takesPart(makeRule('expulsion'), 'p2', 'p1')).toBe(true);
    expect(takesPart(makeRule('admission'), 'p2', 'p2')).toBe(true);
    expect(takesPart(makeRule('expulsion'), null, 'p2')).toBe(true);
  });

  it('masks ballot weights to what the basis needs, so a secret one-practice-one-vote row points at no practice', () => {
    const v = { partnerCount: 4, listSize: 6000 };
    expect(ballotWeights(makeRule('ordinary'), v)).toEqual({ weightPartners: 0, weightList: 0 });
    expect(ballotWeights(makeRule('ordinary', { basis: 'per-partner' }), v)).toEqual({ weightPartners: 4, weightList: 0 });
    expect(ballotWeights(makeRule('allocation'), v)).toEqual({ weightPartners: 0, weightList: 6000 });
  });

  it('rebuilds a secret list-size vote from unlinked rows with the true result', () => {
    const rule = makeRule('allocation', { basis: 'list-size', ballot: 'secret' });
    const electorate = electorateOf(practices);
    const turnout = [
      { voterId: 'p1', castBy: 'p1', byProxy: false },
      { voterId: 'p2', castBy: 'p3', byProxy: true },
      { voterId: 'p3', castBy: 'p3', byProxy: false },
    ];
    // stored in no particular order and naming nobody
    const rows = [
      { choice: 'against' as const, weightPartners: 0, weightList: 9000, voterId: null },
      { choice: 'for' as const, weightPartners: 0, weightList: 7000, voterId: null },
      { choice: 'for' as const, weightPartners: 0, weightList: 5000, voterId: null },
    ];
    const ballots = ballotsForTally(rule, electorate, turnout, rows);
    expect(ballots).toHaveLength(3);
    expect(ballots.find((b) => b.proxyFor === 'p2')).toMatchObject({ voterId: 'p3', choice: 'against' });
    const tally = tallyVotes({ electorate: toVoters(electorate), ballots, rule });
    expect(tally.perBasis[0]).toMatchObject({ measure: 'list-size', for: 12000, against: 9000 });
    expect(tally.result).toBe('carried');
  });

  it('pairs an open vote’s rows with its turnout by voter', () => {
    const rule = makeRule('ordinary');
    const ballots = ballotsForTally(
      rule,
      electorateOf(practices),
      [{ voterId: 'p2', castBy: 'p2', byProxy: false }],
      [{ choice: 'abstain', weightPartners: 0, weightList: 0, voterId: 'p2' }],
    );
    expect(ballots).toEqual([{ voterId: 'p2', choice: 'abstain' }]);
  });
});
