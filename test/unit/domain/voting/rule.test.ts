import { describe, expect, it } from 'vitest';
import {
  constitutionVotingRules,
  DECISION_TYPES,
  defaultVotingRules,
  describeRule,
  formatShare,
  votingRulePatchSchema,
  votingRuleSchema,
} from '../../../../domain/voting/rule';
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

describe('constitutionVotingRules', () => {
  it('turns what a constitution states into versioned rules, one per decision type', () => {
    const rules = constitutionVotingRules(
      { castingVote: true, stated: { allocation: { basis: 'list-size' }, constitutional: { basis: 'dual', threshold: 'two-thirds' } } },
      'constitution-v2',
    );
    expect(rules.map((r) => r.decisionType)).toEqual([...DECISION_TYPES]);
    expect(rules.every((r) => r.version === 'constitution-v2' && votingRuleSchema.safeParse(r).success)).toBe(true);
    const byType = Object.fromEntries(rules.map((r) => [r.decisionType, r]));
    expect(byType.allocation).toMatchObject({ basis: 'list-size', threshold: 'simple' });
    expect(byType.constitutional).toMatchObject({ basis: 'dual', threshold: 'two-thirds' });
    // what is not stated keeps the default
    expect(byType.dissolution).toMatchObject({ basis: 'per-practice', threshold: defaultVotingRules().dissolution.threshold });
  });

  it('keeps the default quorum, abstentions, proxies and ballot of each decision type', () => {
    const defaults = defaultVotingRules();
    for (const rule of constitutionVotingRules({ castingVote: true, stated: { admission: { threshold: 'special-75' } } }, 'v')) {
      const base = defaults[rule.decisionType];
      expect({ quorum: rule.quorum, abstentions: rule.abstentions, proxies: rule.proxies, ballot: rule.ballot }).toEqual({
        quorum: base.quorum,
        abstentions: base.abstentions,
        proxies: base.proxies,
        ballot: base.ballot,
      });
    }
  });

  it('gives the chair a casting vote only where the default does, only under a simple majority, and only if the constitution says so', () => {
    const withCasting = constitutionVotingRules(
      { castingVote: true, stated: { appointment: { threshold: 'two-thirds' }, constitutional: { threshold: 'simple' } } },
      'v',
    );
    const casting = withCasting.filter((r) => r.castingVote).map((r) => r.decisionType);
    // ordinary keeps it; appointment loses it at two-thirds; allocation and constitutional never had it
    expect(casting).toEqual(['ordinary']);
    expect(constitutionVotingRules({ castingVote: false, stated: {} }, 'v').some((r) => r.castingVote)).toBe(false);
  });
});

describe('votingRulePatchSchema', () => {
  it('accepts any part of a rule and refuses unknown keys and values', () => {
    expect(votingRulePatchSchema.parse({ threshold: 'special-75', ballot: 'secret' })).toEqual({ threshold: 'special-75', ballot: 'secret' });
    expect(votingRulePatchSchema.safeParse({ threshhold: 'simple' }).success).toBe(false);
    expect(votingRulePatchSchema.safeParse({ basis: 'by-height' }).success).toBe(false);
  });
});
