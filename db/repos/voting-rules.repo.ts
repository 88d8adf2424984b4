import { type DecisionType, defaultVotingRules, type VotingRule, votingRuleSchema } from '../../domain/voting/rule';
import { type Executor, nowIso } from './executor';

/** A network's own voting rules (from its adopted constitution or set by a facilitator), per decision type. */
export function createVotingRulesRepo() {
  return {
    async ruleOverrides(db: Executor, networkId: string): Promise<VotingRule[]> {
      const rows = await db('voting_rule_overrides').where({ network_id: networkId }).orderBy('decision_type');
      return rows.map((r) => votingRuleSchema.parse(JSON.parse(r.rule)));
    },
    /** The network's own rule for a decision type, else the programme default (DOMAIN.md §4). */
    async ruleInForce(db: Executor, networkId: string, decisionType: DecisionType): Promise<VotingRule> {
      const r = await db('voting_rule_overrides').where({ network_id: networkId, decision_type: decisionType }).first();
      return r ? votingRuleSchema.parse(JSON.parse(r.rule)) : defaultVotingRules()[decisionType];
    },
    async setRuleOverride(db: Executor, networkId: string, rule: VotingRule, setBy: string): Promise<void> {
      const row = {
        network_id: networkId,
        decision_type: rule.decisionType,
        rule: JSON.stringify(rule),
        version: rule.version,
        set_by: setBy,
        updated_at: nowIso(),
      };
      await db('voting_rule_overrides').insert(row).onConflict(['network_id', 'decision_type']).merge();
    },
  };
}

export type VotingRulesRepo = ReturnType<typeof createVotingRulesRepo>;
