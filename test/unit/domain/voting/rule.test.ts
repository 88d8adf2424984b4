import { describe, expect, it } from 'vitest';
import { DECISION_TYPES, defaultVotingRules, describeRule, formatShare, votingRuleSchema } from '../../../../domain/voting/rule';
import { makeRule } from './fixtures';

describe('defaultVotingRules', () => {
  const rules = defaultVotingRules();

  it('has a rule for every decision type, each valid against the schema and naming its own type', () => {
    expect(Object.keys(rules).sort()).toEqual([...DECISION_TYPES].sort());
    for (const type of DECISION_TYPES) {
      expect(votingRuleSchema.parse(rules[type])).toEqual(rules[type]);
      expect(rules[type].decisionType).toBe(type);
    }
  });

  it('follows DOMAIN.md §4', () => {
    expect(rules.ordinary).toMatchObject({ basis: 'per-practice', threshold: 'simple', abstentions: 'ignored' });
    expect(rules.allocation).toMatchObject({ basis: 'dual', threshold: 'simple' });
    expect(rules.constitutional).toMatchObject({ basis: 'per-practice', threshold: 'special-75' });
    expect(rules['legal-form']).toMatchObject({ threshold: 'special-75' });
    expect(rules.admission).toMatchObject({ threshold: 'unanimous' });
    expect(rules.expulsion).toMatchObject({ threshold: 'unanimous-excluding-subject' });
    expect(rules.appointment).toMatchObject({ basis: 'per-practice', threshold: 'simple' });
    expect(rules.dissolution).toMatchObject({ threshold: 'special-75' });
  });

  it('returns a fresh object each time, so a caller cannot change the defaults for everyone', () => {
    const a = defaultVotingRules();
    a.ordinary.quorum.requiredOffices.push('chair');
    expect(defaultVotingRules().ordinary.quorum.requiredOffices).toEqual([]);
  });
});

describe('votingRuleSchema', () => {
  it('rejects a quorum share outside 0..1 and an unknown threshold', () => {
    expect(votingRuleSchema.safeParse({ ...makeRule('ordinary'), quorum: { minShareOfEligibleWeight: 1.2, requiredOffices: [] } }).success).toBe(false);
    expect(votingRuleSchema.safeParse({ ...makeRule('ordinary'), threshold: 'most' }).success).toBe(false);
    expect(votingRuleSchema.safeParse({ ...makeRule('ordinary'), version: '' }).success).toBe(false);
  });
});

describe('describeRule', () => {
  it('describes a special resolution in plain English', () => {
    const text = describeRule(makeRule('constitutional', { version: 'tor-2', quorum: { minShareOfEligibleWeight: 0.5, requiredOffices: ['chair'] } }));
    expect(text).toContain('Change to the constitution');
    expect(text).toContain('each practice has one vote');
    expect(text).toContain('special resolution (at least 75%)');
    expect(text).toContain('at least 50% of the eligible voting weight');
    expect(text).toContain('the chair must vote in person');
    expect(text).toContain('Rule version tor-2');
  });

  it('mentions the casting vote only for simple majorities, and says which way a tie goes', () => {
    expect(describeRule(makeRule('ordinary', { castingVote: true }))).toContain('the chair has a casting vote');
    expect(describeRule(makeRule('ordinary', { castingVote: false }))).toContain('An exact tie means the motion is lost');
    expect(describeRule(makeRule('constitutional', { castingVote: true }))).not.toContain('casting vote');
  });

  it('describes dual majority, unanimity excluding the subject, proxies and secrecy', () => {
    expect(describeRule(makeRule('allocation'))).toContain('majority of practices');
    const expulsion = describeRule(makeRule('expulsion', { proxies: false, ballot: 'secret' }));
    expect(expulsion).toContain('except the practice the motion concerns');
    expect(expulsion).toContain('every eligible vote must be cast');
    expect(expulsion).toContain('Proxy votes are not accepted');
    expect(expulsion).toContain('The ballot is secret');
  });

  it('formats shares without float noise', () => {
    expect(formatShare(0.5)).toBe('50%');
    expect(formatShare(2 / 3)).toBe('66.6667%');
    expect(formatShare(0.1 + 0.2)).toBe('30%');
    expect(formatShare(1)).toBe('100%');
  });
});
