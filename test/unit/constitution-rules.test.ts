import { describe, expect, it } from 'vitest';
import { constitutionRules } from '../../domain/constitution-rules';
import { DECISION_TYPES, defaultVotingRules } from '../../domain/voting/rule';

const stated = (overrides: Record<string, { basis: string; threshold: string }> = {}) =>
  Object.fromEntries(DECISION_TYPES.map((dt) => [dt, overrides[dt] ?? { basis: 'per-practice', threshold: 'simple' }])) as Parameters<typeof constitutionRules>[0]['votingRules'];

describe('constitutionRules', () => {
  it('turns the ToR matrix into versioned voting rules, one per decision type', () => {
    const rules = constitutionRules({ castingVote: true, votingRules: stated({ allocation: { basis: 'per-list', threshold: 'simple' }, constitutional: { basis: 'dual', threshold: 'three-quarters' } }) }, 'constitution-v2');
    expect(rules.map((r) => r.decisionType)).toEqual([...DECISION_TYPES]);
    expect(rules.every((r) => r.version === 'constitution-v2')).toBe(true);
    const byType = Object.fromEntries(rules.map((r) => [r.decisionType, r]));
    expect(byType.allocation).toMatchObject({ basis: 'list-size', threshold: 'simple', castingVote: true });
    expect(byType.constitutional).toMatchObject({ basis: 'dual', threshold: 'special-75', castingVote: false });
  });
  it('keeps the default quorum and abstention treatment of each decision type', () => {
    const defaults = defaultVotingRules();
    const rules = constitutionRules({ castingVote: false, votingRules: stated({ admission: { basis: 'per-practice', threshold: 'unanimous' } }) }, 'v');
    const admission = rules.find((r) => r.decisionType === 'admission')!;
    expect(admission.quorum).toEqual(defaults.admission.quorum);
    expect(admission.abstentions).toBe(defaults.admission.abstentions);
    expect(rules.every((r) => r.castingVote === false)).toBe(true);
  });
  it('falls back to the default for words it does not know', () => {
    const rules = constitutionRules({ castingVote: true, votingRules: stated({ ordinary: { basis: 'by-acclamation', threshold: 'loudest' } }) }, 'v');
    const ordinary = rules.find((r) => r.decisionType === 'ordinary')!;
    expect(ordinary.basis).toBe(defaultVotingRules().ordinary.basis);
    expect(ordinary.threshold).toBe(defaultVotingRules().ordinary.threshold);
  });
});
