/**
 * The voting rules a network adopts in its terms of reference become the parameters of every later
 * vote (DESIGN.md "Formation"). This maps the ToR's voting matrix onto VotingRules, versioned by the
 * ToR version that adopted them, so every later result states which rule version it used.
 */
import { defaultVotingRules, DECISION_TYPES, type DecisionType, type VotingRule } from './voting/rule';

export interface TorVotingChoices {
  castingVote: boolean;
  /** per decision type, as the ToR states it: basis ('per-practice' | 'per-list' | 'dual') and threshold */
  votingRules: Record<DecisionType, { basis: string; threshold: string }>;
}

const BASIS: Record<string, VotingRule['basis']> = { 'per-practice': 'per-practice', 'per-list': 'list-size', dual: 'dual' };
const THRESHOLD: Record<string, VotingRule['threshold']> = {
  simple: 'simple',
  'two-thirds': 'two-thirds',
  'three-quarters': 'special-75',
  unanimous: 'unanimous',
  'unanimous-excluding-subject': 'unanimous-excluding-subject',
};

export function constitutionRules(choices: TorVotingChoices, version: string): VotingRule[] {
  const defaults = defaultVotingRules();
  return DECISION_TYPES.map((decisionType) => {
    const base = defaults[decisionType];
    const stated = choices.votingRules[decisionType];
    const basis = BASIS[stated.basis] ?? base.basis;
    const threshold = THRESHOLD[stated.threshold] ?? base.threshold;
    // a casting vote settles ties, which only a simple majority can have
    return { ...base, version, basis, threshold, castingVote: choices.castingVote && threshold === 'simple' };
  });
}
