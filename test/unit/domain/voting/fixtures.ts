import { defaultVotingRules, type DecisionType, type VotingRule } from '../../../../domain/voting/rule';
import type { Ballot, Choice, Voter } from '../../../../domain/voting/ballot';

/** Practices p1..pn, each with one representative v1..vn; list sizes and partner counts overridable. */
export function makeElectorate(n: number, overrides: (i: number) => Partial<Voter> = () => ({})): Voter[] {
  return Array.from({ length: n }, (_, k) => {
    const i = k + 1;
    return { voterId: `v${i}`, practiceId: `p${i}`, listSize: 6000, partnerCount: 3, offices: [], ...overrides(i) };
  });
}

export function makeRule(decisionType: DecisionType, overrides: Partial<VotingRule> = {}): VotingRule {
  return { ...defaultVotingRules()[decisionType], ...overrides };
}

/** Ballots from a compact spec: choices[i] is voter v(i+1)'s choice, null for not voting. */
export function ballotsFrom(choices: (Choice | null)[]): Ballot[] {
  return choices.flatMap((c, k) => (c === null ? [] : [{ voterId: `v${k + 1}`, choice: c }]));
}
