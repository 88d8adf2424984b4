import { describe, expect, it } from 'vitest';
import { describeCount, tieRuleWords } from '../../../../domain/voting/count-words';
import { countFptp } from '../../../../domain/voting/fptp';
import { countStv } from '../../../../domain/voting/stv';

const NAMES: Record<string, string> = { c1: 'Dr Ann Ali', c2: 'Dr Ben Bose', c3: 'Dr Cat Cole', c4: 'Dr Dev Dey' };
const name = (id: string) => NAMES[id] ?? `unknown ${id}`;
const rep = (n: number, prefs: string[]) => Array.from({ length: n }, () => prefs);
const cands = (...ids: string[]) => ids.map((id) => ({ id, name: NAMES[id] }));
const ID = /\bc[1-4]\b/;

describe('an STV count in words', () => {
  const count = countStv({
    seats: 2,
    candidates: cands('c1', 'c2', 'c3', 'c4'),
    seed: 'seed',
    ballots: [...rep(5, ['c1', 'c3']), ...rep(2, ['c2']), ...rep(1, ['c4', 'c2'])],
  });
  const words = describeCount(count, name);

  it('names every candidate and never their ids', () => {
    const text = JSON.stringify(words);
    expect(text).not.toMatch(ID);
    expect(words.elected).toEqual(count.elected.map(name));
  });

  it('says round by round who was elected, whose surplus moved and who was excluded, with the transfers', () => {
    expect(words.summary[1]).toMatch(/^Quota: 3 votes\./);
    expect(words.rounds.map((r) => r.heading)).toEqual([
      'Round 1: Dr Ann Ali elected',
      'Round 2: Dr Ann Ali’s surplus passed on',
      'Round 3: Dr Dev Dey excluded',
      'Round 4: Dr Ben Bose elected',
    ]);
    expect(words.rounds[0].text).toBe('Dr Ann Ali reached the quota with 5 votes and is elected, with a surplus of 2 votes to pass on.');
    const surplus = words.rounds.find((r) => r.heading.includes('surplus'))!;
    // Dr Ann Ali had 5 against a quota of 3: a surplus of 2, all to Dr Cat Cole at 0.4 a ballot
    expect(surplus.text).toContain('surplus of 2 votes');
    expect(surplus.text).toContain('value of 0.4');
    expect(surplus.transfers).toEqual([{ name: 'Dr Cat Cole', votes: '2' }]);
    const excluded = words.rounds.find((r) => r.heading.includes('excluded'))!;
    expect(excluded.text).toMatch(/had the fewest votes \(1\) and is excluded/);
  });

  it('says a tie is a tie and how it was broken: by an earlier stage, else by lot', () => {
    // Dr Ben Bose and Dr Cat Cole have one first preference each, at every stage: only a lot can part them
    const tied = countStv({
      seats: 1,
      candidates: cands('c1', 'c2', 'c3'),
      seed: 'seed',
      ballots: [...rep(2, ['c1']), ...rep(1, ['c2', 'c1']), ...rep(1, ['c3', 'c1'])],
    });
    expect(tied.tieBreaks).toHaveLength(1);
    const text = describeCount(tied, name).ties[0];
    expect(text).toContain('Dr Ben Bose and Dr Cat Cole were level with the fewest votes');
    expect(text).toContain('settled by lot');
    expect(text).toContain(`${name(tied.tieBreaks[0].chosen)} was excluded`);
    expect(text).not.toMatch(ID);
  });
});

describe('an FPTP count in words', () => {
  it('ranks by name and says how a tie for the last seat was drawn', () => {
    const count = countFptp({ seats: 1, candidates: cands('c1', 'c2'), seed: 'seed', ballots: [['c1'], ['c2']] });
    const words = describeCount(count, name);
    expect(words.tally.map((t) => t.name).sort()).toEqual(['Dr Ann Ali', 'Dr Ben Bose']);
    expect(words.ties).toHaveLength(1);
    expect(words.ties[0]).toMatch(/^Tie: Dr (Ann Ali|Ben Bose) and Dr (Ann Ali|Ben Bose) each had 1 vote for the last seat\. It was settled by lot/);
    expect(words.ties[0]).toContain(`${name(count.elected[0])} was drawn and elected`);
    expect(words.rounds).toEqual([]);
  });

  it('says nothing of ties when there was none', () => {
    const words = describeCount(countFptp({ seats: 1, candidates: cands('c1', 'c2'), seed: 'seed', ballots: [['c1'], ['c1'], ['c2']] }), name);
    expect(words.ties).toEqual([]);
    expect(words.tally).toEqual([
      { name: 'Dr Ann Ali', votes: '2', elected: true },
      { name: 'Dr Ben Bose', votes: '1', elected: false },
    ]);
  });
});

it('words the tie rule without any reference number', () => {
  expect(tieRuleWords()).toContain('by lot');
  expect(tieRuleWords()).not.toMatch(/[0-9a-f]{8}-/);
});
