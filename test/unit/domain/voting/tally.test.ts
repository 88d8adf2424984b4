import { describe, expect, it } from 'vitest';
import { type Ballot, type Choice } from '../../../../domain/voting/ballot';
import { tallyVotes, TallyInputError } from '../../../../domain/voting/tally';
import { ballotsFrom, makeElectorate, makeRule } from './fixtures';

const noQuorum = { minShareOfEligibleWeight: 0, requiredOffices: [] };

describe('tallyVotes: thresholds', () => {
  it('writes out the arithmetic of a special resolution that is carried', () => {
    const r = tallyVotes({ electorate: makeElectorate(5), ballots: ballotsFrom(['for', 'for', 'for', 'for', 'against']), rule: makeRule('constitutional') });
    expect(r.result).toBe('carried');
    expect(r.tallies).toEqual({ for: 4, against: 1, abstain: 0, eligible: 5 });
    expect(r.explanationLines).toContain('Votes for: 4 of 5 practices cast (80.0%); against: 1. A special resolution needs at least 75%. Threshold met.');
    expect(r.explanationLines.at(-1)).toBe('Result: carried.');
    expect(r.ruleVersion).toBe('programme-default-1');
  });

  it('carries a special resolution at exactly 75% and loses it just below', () => {
    const at = tallyVotes({ electorate: makeElectorate(4), ballots: ballotsFrom(['for', 'for', 'for', 'against']), rule: makeRule('constitutional') });
    expect(at.result).toBe('carried');
    const below = tallyVotes({
      electorate: makeElectorate(7),
      ballots: ballotsFrom(['for', 'for', 'for', 'for', 'for', 'against', 'against']),
      rule: makeRule('constitutional'),
    });
    // 5/7 = 71.4%
    expect(below.result).toBe('lost');
    expect(below.thresholdExplanation).toContain('(71.4%)');
    expect(below.thresholdExplanation).toContain('Threshold not met');
  });

  it('decides 75% of large list sizes exactly, where floating point would not', () => {
    // 0.75 * 3 * 100000003 in floating point is not an integer; the integer comparison is exact.
    const electorate = [
      { voterId: 'a', practiceId: 'pa', listSize: 3 * 100000003, partnerCount: 1, offices: [] },
      { voterId: 'b', practiceId: 'pb', listSize: 100000003, partnerCount: 1, offices: [] },
    ];
    const rule = makeRule('constitutional', { basis: 'list-size' });
    const r = tallyVotes({
      electorate,
      ballots: [
        { voterId: 'a', choice: 'for' },
        { voterId: 'b', choice: 'against' },
      ],
      rule,
    });
    expect(r.result).toBe('carried');
    const electorate2 = [{ ...electorate[0], listSize: 3 * 100000003 - 1 }, electorate[1]];
    expect(
      tallyVotes({
        electorate: electorate2,
        ballots: [
          { voterId: 'a', choice: 'for' },
          { voterId: 'b', choice: 'against' },
        ],
        rule,
      }).result,
    ).toBe('lost');
  });

  it('needs at least two thirds for two-thirds', () => {
    const rule = makeRule('ordinary', { threshold: 'two-thirds' });
    expect(tallyVotes({ electorate: makeElectorate(3), ballots: ballotsFrom(['for', 'for', 'against']), rule }).result).toBe('carried');
    expect(tallyVotes({ electorate: makeElectorate(5), ballots: ballotsFrom(['for', 'for', 'for', 'against', 'against']), rule }).result).toBe('lost');
  });

  it('needs more than half for a simple majority', () => {
    const rule = makeRule('ordinary', { castingVote: false });
    expect(tallyVotes({ electorate: makeElectorate(3), ballots: ballotsFrom(['for', 'for', 'against']), rule }).result).toBe('carried');
    const tie = tallyVotes({ electorate: makeElectorate(4), ballots: ballotsFrom(['for', 'for', 'against', 'against']), rule });
    expect(tie.result).toBe('lost');
    expect(tie.tie).toBe(true);
    expect(tie.thresholdExplanation).toContain('the rule gives no casting vote');
  });

  it('weights by partners under per-partner', () => {
    const electorate = makeElectorate(3, (i) => ({ partnerCount: i === 1 ? 5 : 2 }));
    const r = tallyVotes({ electorate, ballots: ballotsFrom(['for', 'against', 'against']), rule: makeRule('ordinary', { basis: 'per-partner' }) });
    expect(r.tallies).toEqual({ for: 5, against: 4, abstain: 0, eligible: 9 });
    expect(r.result).toBe('carried');
  });

  it('counts nothing as lost, not carried', () => {
    const r = tallyVotes({
      electorate: makeElectorate(3),
      ballots: ballotsFrom(['abstain', 'abstain', null]),
      rule: makeRule('ordinary', { quorum: noQuorum }),
    });
    expect(r.result).toBe('lost');
    expect(r.thresholdExplanation).toContain('No votes were counted');
  });
});

describe('tallyVotes: abstentions', () => {
  const electorate = makeElectorate(5);
  const choices: (Choice | null)[] = ['for', 'for', 'against', 'abstain', 'abstain'];

  it('ignored: abstainers neither count nor make a quorum', () => {
    const rule = makeRule('ordinary', { abstentions: 'ignored', quorum: { minShareOfEligibleWeight: 0.6, requiredOffices: [] } });
    const r = tallyVotes({ electorate, ballots: ballotsFrom(choices), rule });
    expect(r.quorum.present).toBe(3);
    expect(r.quorum.met).toBe(true);
    expect(r.result).toBe('carried');
    const strict = tallyVotes({ electorate, ballots: ballotsFrom(choices), rule: { ...rule, quorum: { minShareOfEligibleWeight: 0.8, requiredOffices: [] } } });
    expect(strict.result).toBe('inquorate');
    expect(strict.quorum.explanation).toContain('abstentions do not count towards it');
  });

  it('count-towards-quorum-only: abstainers make the quorum but are not counted', () => {
    const rule = makeRule('ordinary', { abstentions: 'count-towards-quorum-only', quorum: { minShareOfEligibleWeight: 1, requiredOffices: [] } });
    const r = tallyVotes({ electorate, ballots: ballotsFrom(choices), rule });
    expect(r.quorum.present).toBe(5);
    expect(r.perBasis[0].counted).toBe(3);
    expect(r.result).toBe('carried');
  });

  it('count-as-against: an abstention defeats a simple majority that would otherwise pass', () => {
    const rule = makeRule('ordinary', { abstentions: 'count-as-against' });
    const r = tallyVotes({ electorate, ballots: ballotsFrom(choices), rule });
    expect(r.perBasis[0].counted).toBe(5);
    expect(r.result).toBe('lost');
    expect(r.thresholdExplanation).toContain('Abstentions (2) count as votes against');
  });
});

describe('tallyVotes: quorum', () => {
  it('is met exactly at the quorum share and not one vote below', () => {
    const rule = makeRule('ordinary', { quorum: { minShareOfEligibleWeight: 0.6, requiredOffices: [] } });
    const at = tallyVotes({ electorate: makeElectorate(10), ballots: ballotsFrom(['for', 'for', 'for', 'for', 'for', 'against']), rule });
    expect(at.quorum).toMatchObject({ required: 6, present: 6, met: true });
    expect(at.result).toBe('carried');
    const below = tallyVotes({ electorate: makeElectorate(10), ballots: ballotsFrom(['for', 'for', 'for', 'for', 'for']), rule });
    expect(below.quorum).toMatchObject({ required: 6, present: 5, met: false });
    expect(below.result).toBe('inquorate');
    expect(below.explanationLines.at(-1)).toContain('inquorate');
  });

  it('compares a thirds quorum exactly (one third of 3 practices is 1)', () => {
    const rule = makeRule('ordinary', { quorum: { minShareOfEligibleWeight: 1 / 3, requiredOffices: [] } });
    // 1/3 is taken to six places (0.333333), so 1 of 3 is enough.
    expect(tallyVotes({ electorate: makeElectorate(3), ballots: ballotsFrom(['for']), rule }).quorum.met).toBe(true);
  });

  it('requires office holders to vote in person, not by proxy', () => {
    const electorate = makeElectorate(4, (i) => ({ offices: i === 1 ? ['chair'] : [] }));
    const rule = makeRule('ordinary', { quorum: { minShareOfEligibleWeight: 0.5, requiredOffices: ['chair'] } });
    const withoutChair = tallyVotes({ electorate, ballots: ballotsFrom([null, 'for', 'for', 'for']), rule });
    expect(withoutChair.result).toBe('inquorate');
    expect(withoutChair.quorum.missingOffices).toEqual(['chair']);
    const chairByProxy = tallyVotes({
      electorate,
      ballots: [...ballotsFrom([null, 'for', 'for']), { voterId: 'v4', choice: 'for' }, { voterId: 'v2', choice: 'for', proxyFor: 'v1' }],
      rule,
    });
    expect(chairByProxy.result).toBe('inquorate');
    const withChair = tallyVotes({ electorate, ballots: ballotsFrom(['against', 'for', 'for', null]), rule });
    expect(withChair.result).toBe('carried');
    expect(withChair.quorum.explanation).toContain('Required office chair: its holder voted in person. Met.');
  });
});

describe('tallyVotes: ties and the casting vote', () => {
  const tied = ballotsFrom(['for', 'for', 'against', 'against']);

  it('uses the chair’s casting vote on an exact tie when the rule allows it', () => {
    const rule = makeRule('ordinary', { castingVote: true });
    const r = tallyVotes({ electorate: makeElectorate(4), ballots: tied, rule, chairCasting: 'for' });
    expect(r.result).toBe('carried');
    expect(r.castingVoteUsed).toBe(true);
    expect(r.thresholdExplanation).toContain('the chair gave a casting vote for the motion');
    const against = tallyVotes({ electorate: makeElectorate(4), ballots: tied, rule, chairCasting: 'against' });
    expect(against.result).toBe('lost');
    expect(against.castingVoteUsed).toBe(true);
  });

  it('ignores a casting vote when the rule gives none, or when there is no tie', () => {
    const noCasting = tallyVotes({ electorate: makeElectorate(4), ballots: tied, rule: makeRule('ordinary', { castingVote: false }), chairCasting: 'for' });
    expect(noCasting.result).toBe('lost');
    expect(noCasting.castingVoteUsed).toBe(false);
    const noTie = tallyVotes({
      electorate: makeElectorate(3),
      ballots: ballotsFrom(['for', 'against', 'against']),
      rule: makeRule('ordinary', { castingVote: true }),
      chairCasting: 'for',
    });
    expect(noTie.result).toBe('lost');
    expect(noTie.castingVoteUsed).toBe(false);
    expect(noTie.tie).toBe(false);
  });

  it('reports a tie with no casting vote given as lost, so the workflow can ask the chair', () => {
    const r = tallyVotes({ electorate: makeElectorate(4), ballots: tied, rule: makeRule('ordinary', { castingVote: true }) });
    expect(r.tie).toBe(true);
    expect(r.result).toBe('lost');
    expect(r.thresholdExplanation).toContain('the chair did not give a casting vote');
  });

  it('does not let a casting vote carry a 50% special resolution', () => {
    const r = tallyVotes({ electorate: makeElectorate(4), ballots: tied, rule: makeRule('constitutional', { castingVote: true }), chairCasting: 'for' });
    expect(r.result).toBe('lost');
    expect(r.castingVoteUsed).toBe(false);
  });
});

describe('tallyVotes: dual majority', () => {
  // Two large practices and three small ones: 25,000 of 40,000 patients.
  const electorate = makeElectorate(5, (i) => ({ listSize: i <= 2 ? 12500 : 5000 }));
  const rule = makeRule('allocation');

  it('is lost when a majority of practices is outweighed by list size', () => {
    const r = tallyVotes({ electorate, ballots: ballotsFrom(['against', 'against', 'for', 'for', 'for']), rule });
    expect(r.result).toBe('lost');
    const [practices, list] = r.perBasis;
    expect(practices).toMatchObject({ measure: 'practices', for: 3, against: 2, carried: true });
    expect(list).toMatchObject({ measure: 'list-size', for: 15000, against: 25000, eligible: 40000, carried: false });
    expect(r.thresholdExplanation).toContain('Registered patients: Votes for: 15,000 of 40,000 registered patients cast (37.5%)');
    expect(r.explanationLines.at(-1)).toContain('needs both majorities');
  });

  it('is lost when a list-size majority lacks a majority of practices', () => {
    const r = tallyVotes({ electorate, ballots: ballotsFrom(['for', 'for', 'against', 'against', 'against']), rule });
    expect(r.perBasis.map((m) => m.carried)).toEqual([false, true]);
    expect(r.result).toBe('lost');
  });

  it('is carried with both majorities', () => {
    const r = tallyVotes({ electorate, ballots: ballotsFrom(['for', 'against', 'for', 'for', 'against']), rule });
    expect(r.perBasis.map((m) => m.carried)).toEqual([true, true]);
    expect(r.result).toBe('carried');
    expect(r.explanationLines.at(-1)).toContain('Both majorities were reached');
  });

  it('needs the quorum on both measures', () => {
    const q = { ...rule, quorum: { minShareOfEligibleWeight: 0.5, requiredOffices: [] } };
    // three small practices: 3 of 5 practices, but 15,000 of 40,000 patients
    const r = tallyVotes({ electorate, ballots: ballotsFrom([null, null, 'for', 'for', 'for']), rule: q });
    expect(r.perBasis.map((m) => m.quorum.met)).toEqual([true, false]);
    expect(r.result).toBe('inquorate');
  });
});

describe('tallyVotes: proxies', () => {
  const electorate = makeElectorate(3);
  // v1 votes for and, as v2's proxy, for again; v3 votes against
  const proxiedBallots: Ballot[] = [
    { voterId: 'v1', choice: 'for' },
    { voterId: 'v1', choice: 'for', proxyFor: 'v2' },
    { voterId: 'v3', choice: 'against' },
  ];

  it('counts a proxy ballot for the appointing voter when the rule allows proxies', () => {
    const r = tallyVotes({
      electorate,
      ballots: proxiedBallots,
      rule: makeRule('ordinary'),
    });
    expect(r.tallies.for).toBe(2);
    expect(r.accepted).toContainEqual({ principalId: 'v2', castBy: 'v1', choice: 'for', byProxy: true });
    expect(r.explanationLines[1]).toContain('(1 by proxy)');
    expect(r.result).toBe('carried');
  });

  it('rejects proxy ballots when the rule does not allow them', () => {
    const r = tallyVotes({
      electorate,
      ballots: proxiedBallots,
      rule: makeRule('ordinary', { proxies: false, castingVote: false }),
    });
    expect(r.rejected).toEqual([expect.objectContaining({ reason: 'PROXY_NOT_ALLOWED' })]);
    expect(r.tallies).toMatchObject({ for: 1, against: 1 });
    expect(r.result).toBe('lost');
  });

  it('counts only the first vote for a voter, whether in person or by proxy', () => {
    const r = tallyVotes({
      electorate,
      ballots: [
        { voterId: 'v1', choice: 'for', proxyFor: 'v2' },
        { voterId: 'v2', choice: 'against' },
      ],
      rule: makeRule('ordinary'),
    });
    expect(r.rejected.map((x) => x.reason)).toEqual(['ALREADY_VOTED']);
    expect(r.accepted.find((a) => a.principalId === 'v2')?.choice).toBe('for');
  });
});

describe('tallyVotes: unanimity', () => {
  it('admission needs every practice for, with abstention or absence defeating it', () => {
    const rule = makeRule('admission');
    expect(tallyVotes({ electorate: makeElectorate(4), ballots: ballotsFrom(['for', 'for', 'for', 'for']), rule }).result).toBe('carried');
    expect(tallyVotes({ electorate: makeElectorate(4), ballots: ballotsFrom(['for', 'for', 'for', 'abstain']), rule }).result).toBe('lost');
    expect(tallyVotes({ electorate: makeElectorate(4), ballots: ballotsFrom(['for', 'for', 'for', 'against']), rule }).result).toBe('lost');
    expect(tallyVotes({ electorate: makeElectorate(4), ballots: ballotsFrom(['for', 'for', 'for', null]), rule }).result).toBe('inquorate');
  });

  it('expulsion leaves the subject practice out of the electorate and of the count', () => {
    const rule = makeRule('expulsion');
    const r = tallyVotes({ electorate: makeElectorate(5), ballots: ballotsFrom(['for', 'for', 'for', 'for', 'against']), rule, subjectPracticeId: 'p5' });
    expect(r.result).toBe('carried');
    expect(r.tallies).toEqual({ for: 4, against: 0, abstain: 0, eligible: 4 });
    expect(r.rejected).toEqual([expect.objectContaining({ reason: 'SUBJECT_EXCLUDED' })]);
    expect(r.explanationLines).toContain('Practice p5 is the subject of the motion and does not vote; 4 practices are eligible.');
    const oneAgainst = tallyVotes({
      electorate: makeElectorate(5),
      ballots: ballotsFrom(['for', 'for', 'for', 'against', 'against']),
      rule,
      subjectPracticeId: 'p5',
    });
    expect(oneAgainst.result).toBe('lost');
  });

  it('does not let the subject vote through a proxy either', () => {
    const r = tallyVotes({
      electorate: makeElectorate(3),
      ballots: [{ voterId: 'v1', choice: 'against', proxyFor: 'v3' }, ...ballotsFrom(['for', 'for'])],
      rule: makeRule('expulsion'),
      subjectPracticeId: 'p3',
    });
    expect(r.rejected.map((x) => x.reason)).toEqual(['SUBJECT_EXCLUDED']);
    expect(r.result).toBe('carried');
  });

  it('refuses to count unanimous-excluding-subject without a subject', () => {
    expect(() => tallyVotes({ electorate: makeElectorate(3), ballots: [], rule: makeRule('expulsion') })).toThrow(TallyInputError);
  });

  it('refuses a malformed electorate', () => {
    const dup = [...makeElectorate(2), { ...makeElectorate(1)[0], voterId: 'vx' }];
    expect(() => tallyVotes({ electorate: dup, ballots: [], rule: makeRule('ordinary') })).toThrow(/more than one voter/);
  });
});
