import { describe, expect, it } from 'vitest';
import { defaultVotingRules, DECISION_TYPES } from '../../../domain/voting/rule';
import { renderTemplate, STAGE_TEMPLATES } from '../../../templates';
import { adoptedVotingRules, buildContext, stageDataSchema } from '../../../templates/terms-of-reference/schema';
import { ISSUE_META, towerHamletsFacts } from '../../fixtures/network-facts';
import { flat, pdfText } from '../documents/extract';

const facts = towerHamletsFacts('Highway Network');

/**
 * The terms of reference state the network's voting rules in the domain's terms: what the
 * document says is exactly what the network adopts when it is signed, and with no choices made it
 * says what the programme defaults are (DOMAIN.md §4).
 */
describe('terms of reference voting rules', () => {
  it('states the programme defaults when nothing is chosen, dissolution included', () => {
    const matrix = buildContext(facts, {}).votingMatrix;
    const defaults = defaultVotingRules();
    for (const row of matrix)
      expect({ basis: row.basis, threshold: row.threshold }).toEqual({
        basis: defaults[row.decisionType].basis,
        threshold: defaults[row.decisionType].threshold,
      });
    expect(matrix.find((r) => r.decisionType === 'dissolution')).toMatchObject({
      threshold: 'special-75',
      thresholdWords: 'at least 75% of the votes cast (special resolution)',
    });
  });

  it('adopts exactly the rules the document states', () => {
    const data = { weightedVoting: true, castingVote: true, votingRules: { 'legal-form': { threshold: 'two-thirds' }, expulsion: { basis: 'dual' } } };
    const matrix = buildContext(facts, data).votingMatrix;
    const adopted = adoptedVotingRules(data, 'constitution-v3');
    expect(adopted.map((r) => r.decisionType)).toEqual([...DECISION_TYPES]);
    expect(adopted.every((r) => r.version === 'constitution-v3')).toBe(true);
    expect(adopted.map((r) => ({ decisionType: r.decisionType, basis: r.basis, threshold: r.threshold, castingVote: r.castingVote }))).toEqual(
      matrix.map((r) => ({ decisionType: r.decisionType, basis: r.basis, threshold: r.threshold, castingVote: r.castingVote })),
    );
    expect(adopted.find((r) => r.decisionType === 'allocation')?.basis).toBe('list-size');
    expect(adopted.find((r) => r.decisionType === 'legal-form')?.threshold).toBe('two-thirds');
  });

  it('still accepts the spellings stage data used before (per-list, three-quarters) and maps them to the domain’s', () => {
    const parsed = stageDataSchema.parse({ votingRules: { allocation: { basis: 'per-list' }, 'legal-form': { threshold: 'three-quarters' } } });
    expect(parsed.votingRules).toEqual({ allocation: { basis: 'list-size' }, 'legal-form': { threshold: 'special-75' } });
    const adopted = adoptedVotingRules({ votingRules: { allocation: { basis: 'per-list', threshold: 'three-quarters' } } }, 'v');
    expect(adopted.find((r) => r.decisionType === 'allocation')).toMatchObject({ basis: 'list-size', threshold: 'special-75' });
  });

  it('accepts every basis and threshold the domain knows, and refuses others and unknown keys', () => {
    expect(stageDataSchema.safeParse({ votingRules: { ordinary: { basis: 'per-partner', threshold: 'unanimous' } } }).success).toBe(true);
    expect(stageDataSchema.safeParse({ votingRules: { ordinary: { basis: 'by-acclamation' } } }).success).toBe(false);
    expect(stageDataSchema.safeParse({ votingRules: { ordinary: { threshold: 'loudest' } } }).success).toBe(false);
    expect(stageDataSchema.safeParse({ votingRules: { ordinary: { treshold: 'simple' } } }).success).toBe(false);
  });

  it('says where the chair has a casting vote, from the same rules', async () => {
    const text = flat(pdfText((await renderTemplate('terms-of-reference', STAGE_TEMPLATES['terms-of-reference'].buildContext(facts, {}), ISSUE_META)).pdf));
    expect(text).toContain(
      'On ordinary business (budgets within the financial framework, work plans) and appointing or removing the Clinical Director, if the votes are equal the Chair has a casting vote',
    );
    const none = flat(
      pdfText((await renderTemplate('terms-of-reference', STAGE_TEMPLATES['terms-of-reference'].buildContext(facts, { castingVote: false }), ISSUE_META)).pdf),
    );
    expect(none).toContain('The Chair has no casting vote');
  });
});
