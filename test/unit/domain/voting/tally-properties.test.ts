import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { VotingRule } from '../../../../domain/voting/rule';
import { validateBallot, type Ballot, type Choice, type Voter } from '../../../../domain/voting/ballot';
import { tallyVotes } from '../../../../domain/voting/tally';
import { makeElectorate, makeRule } from './fixtures';

/** Ballot validation, and the properties every tally keeps whatever the rule and the ballots. */
describe('validateBallot', () => {
  const electorate = makeElectorate(3);
  const rule = makeRule('ordinary');

  it('accepts a first ballot and explains each refusal', () => {
    expect(validateBallot(electorate, [], { voterId: 'v1', choice: 'for' }, rule)).toEqual({ ok: true });
    const cases: [Ballot[], Ballot, VotingRule, string][] = [
      [[], { voterId: 'stranger', choice: 'for' }, rule, 'NOT_IN_ELECTORATE'],
      [[{ voterId: 'v1', choice: 'for' }], { voterId: 'v1', choice: 'against' }, rule, 'ALREADY_VOTED'],
      [[{ voterId: 'v2', choice: 'for', proxyFor: 'v1' }], { voterId: 'v1', choice: 'against' }, rule, 'ALREADY_VOTED'],
      [[], { voterId: 'v1', choice: 'for', proxyFor: 'v2' }, { ...rule, proxies: false }, 'PROXY_NOT_ALLOWED'],
      [[], { voterId: 'v1', choice: 'for', proxyFor: 'v1' }, rule, 'PROXY_FOR_SELF'],
      [[], { voterId: 'v1', choice: 'for', proxyFor: 'ghost' }, rule, 'PROXY_PRINCIPAL_NOT_IN_ELECTORATE'],
    ];
    for (const [soFar, ballot, r, reason] of cases) {
      const v = validateBallot(electorate, soFar, ballot, r);
      expect(v.ok).toBe(false);
      if (!v.ok) {
        expect(v.reason).toBe(reason);
        expect(v.message.length).toBeGreaterThan(10);
      }
    }
  });

  it('refuses the subject practice only under unanimous-excluding-subject', () => {
    expect(validateBallot(electorate, [], { voterId: 'v1', choice: 'for' }, makeRule('expulsion'), { subjectPracticeId: 'p1' })).toMatchObject({
      ok: false,
      reason: 'SUBJECT_EXCLUDED',
    });
    expect(validateBallot(electorate, [], { voterId: 'v1', choice: 'for' }, rule, { subjectPracticeId: 'p1' })).toEqual({ ok: true });
  });
});

// ---------------------------------------------------------------- properties

const ruleArb: fc.Arbitrary<VotingRule> = fc.record({
  version: fc.constant('prop'),
  decisionType: fc.constant('ordinary' as const),
  basis: fc.constantFrom('per-practice' as const, 'per-partner' as const, 'list-size' as const, 'dual' as const),
  threshold: fc.constantFrom('simple' as const, 'two-thirds' as const, 'special-75' as const, 'unanimous' as const),
  abstentions: fc.constantFrom('ignored' as const, 'count-as-against' as const, 'count-towards-quorum-only' as const),
  quorum: fc.record({ minShareOfEligibleWeight: fc.constantFrom(0, 0.25, 0.5, 2 / 3, 0.75, 1), requiredOffices: fc.constant([] as string[]) }),
  proxies: fc.boolean(),
  castingVote: fc.boolean(),
  ballot: fc.constant('open' as const),
});

const scenarioArb = fc
  .array(
    fc.record({
      listSize: fc.integer({ min: 0, max: 60000 }),
      partnerCount: fc.integer({ min: 0, max: 12 }),
      choice: fc.constantFrom<Choice | null>('for', 'against', 'abstain', null),
    }),
    { minLength: 1, maxLength: 25 },
  )
  .map((rows) => ({
    electorate: rows.map((r, k): Voter => ({ voterId: `v${k}`, practiceId: `p${k}`, listSize: r.listSize, partnerCount: r.partnerCount, offices: [] })),
    choices: rows.map((r) => r.choice),
  }));

function ballotsOf(choices: (Choice | null)[]): Ballot[] {
  return choices.flatMap((c, k) => (c === null ? [] : [{ voterId: `v${k}`, choice: c }]));
}

describe('tally properties', () => {
  it('does not depend on the order of voters or ballots', () => {
    fc.assert(
      fc.property(
        scenarioArb,
        ruleArb,
        fc.constantFrom<'for' | 'against' | undefined>('for', 'against', undefined),
        fc.integer(),
        (s, rule, chairCasting, seed) => {
          const ballots = ballotsOf(s.choices);
          const base = tallyVotes({ electorate: s.electorate, ballots, rule, chairCasting });
          const shuffle = <T>(xs: T[]) =>
            xs
              .map((x, i) => ({ x, k: (i * 7919 + seed) % 104729 }))
              .sort((a, b) => a.k - b.k)
              .map((p) => p.x);
          const permuted = tallyVotes({ electorate: shuffle([...s.electorate].reverse()), ballots: shuffle([...ballots].reverse()), rule, chairCasting });
          expect(permuted.result).toBe(base.result);
          expect(permuted.perBasis.map(({ explanation: _e, ...m }) => m)).toEqual(base.perBasis.map(({ explanation: _e, ...m }) => m));
        },
      ),
    );
  });

  it('gives the same list-size result when every list size is scaled by k', () => {
    fc.assert(
      fc.property(scenarioArb, ruleArb, fc.integer({ min: 2, max: 1000 }), (s, r, k) => {
        const rule = { ...r, basis: 'list-size' as const };
        const ballots = ballotsOf(s.choices);
        const base = tallyVotes({ electorate: s.electorate, ballots, rule });
        const scaled = tallyVotes({ electorate: s.electorate.map((v) => ({ ...v, listSize: v.listSize * k })), ballots, rule });
        expect(scaled.result).toBe(base.result);
        expect(scaled.quorum.met).toBe(base.quorum.met);
        expect(scaled.tallies.for).toBe(base.tallies.for * k);
      }),
    );
  });

  it('never turns carried into lost when one more voter votes for', () => {
    fc.assert(
      fc.property(scenarioArb, ruleArb, fc.nat(), (s, rule, pick) => {
        const before = tallyVotes({ electorate: s.electorate, ballots: ballotsOf(s.choices), rule });
        const changeable = s.choices.map((c, i) => (c === 'for' ? -1 : i)).filter((i) => i >= 0);
        fc.pre(changeable.length > 0);
        const i = changeable[pick % changeable.length];
        const choices = s.choices.map((c, k) => (k === i ? 'for' : c));
        const after = tallyVotes({ electorate: s.electorate, ballots: ballotsOf(choices), rule });
        if (before.result === 'carried') expect(after.result).toBe('carried');
      }),
    );
  });

  it('carries a unanimous motion exactly when every counted vote is for', () => {
    fc.assert(
      fc.property(scenarioArb, ruleArb, (s, r) => {
        const rule = { ...r, threshold: 'unanimous' as const, quorum: { minShareOfEligibleWeight: 0, requiredOffices: [] } };
        const res = tallyVotes({ electorate: s.electorate, ballots: ballotsOf(s.choices), rule });
        const expected = res.perBasis.every((m) => m.counted > 0 && m.for === m.counted);
        expect(res.result === 'carried').toBe(expected);
      }),
    );
  });

  it('agrees with a rational reference for every threshold', () => {
    fc.assert(
      fc.property(scenarioArb, ruleArb, (s, r) => {
        const rule = { ...r, basis: 'per-partner' as const, castingVote: false, quorum: { minShareOfEligibleWeight: 0, requiredOffices: [] } };
        const res = tallyVotes({ electorate: s.electorate, ballots: ballotsOf(s.choices), rule });
        const m = res.perBasis[0];
        const against = m.against + (rule.abstentions === 'count-as-against' ? m.abstain : 0);
        const total = m.for + against;
        const expected =
          total > 0 &&
          {
            simple: m.for * 2 > total,
            'two-thirds': m.for * 3 >= total * 2,
            'special-75': m.for * 4 >= total * 3,
            unanimous: against === 0,
            'unanimous-excluding-subject': against === 0,
          }[rule.threshold];
        expect(res.result === 'carried').toBe(expected);
      }),
    );
  });

  it('accepts exactly the ballots validateBallot accepts, one per voter', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            voter: fc.integer({ min: 0, max: 5 }),
            proxy: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
            choice: fc.constantFrom<Choice>('for', 'against', 'abstain'),
          }),
          { maxLength: 15 },
        ),
        fc.boolean(),
        (rows, proxies) => {
          const electorate = makeElectorate(4);
          const rule = makeRule('ordinary', { proxies });
          const ballots: Ballot[] = rows.map((r) => ({
            voterId: `v${r.voter}`,
            choice: r.choice,
            ...(r.proxy === undefined ? {} : { proxyFor: `v${r.proxy}` }),
          }));
          const res = tallyVotes({ electorate, ballots, rule });
          expect(res.accepted.length + res.rejected.length).toBe(ballots.length);
          expect(new Set(res.accepted.map((a) => a.principalId)).size).toBe(res.accepted.length);
          if (!proxies) expect(res.accepted.every((a) => !a.byProxy)).toBe(true);
        },
      ),
    );
  });
});
