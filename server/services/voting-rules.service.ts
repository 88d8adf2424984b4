import { transactionRetryingContention } from '../../db/knex';
import { DECISION_TYPES, describeRule, type DecisionType, type VotingRulePatch, votingRuleSchema } from '../../domain/voting/rule';
import type { ServerDeps } from '../deps';
import { AppError, zodDetails } from '../errors';

export type RulePatch = VotingRulePatch & { decisionType: DecisionType };

/** The voting rule in force for each decision type of a network, and setting the network's own. */
export function createVotingRulesService(deps: ServerDeps) {
  const { db, repos } = deps;

  async function requireNetwork(id: string) {
    const network = await repos.records.getNetwork(db, id);
    if (!network) throw new AppError('NOT_FOUND', `No network with id ${id}.`);
    return network;
  }

  async function rulesInForce(networkId: string) {
    const rules = await Promise.all(DECISION_TYPES.map((t) => repos.votingRules.ruleInForce(db, networkId, t)));
    return rules.map((rule) => ({ ...rule, description: describeRule(rule) }));
  }

  return {
    async votingRules(networkId: string) {
      await requireNetwork(networkId);
      return { networkId, rules: await rulesInForce(networkId) };
    },

    /** Sets a network's own rules (what its adopted constitution says); each change is a new version. */
    async setVotingRules(actor: string, networkId: string, patches: RulePatch[]) {
      await requireNetwork(networkId);
      const existing = await repos.votingRules.ruleOverrides(db, networkId);
      const lastNumber = Math.max(0, ...existing.map((r) => Number(/-(\d+)$/.exec(r.version)?.[1] ?? 0)));
      const version = `network-rules-${lastNumber + 1}`;
      await transactionRetryingContention(db, async (trx) => {
        for (const patch of patches) {
          const current = await repos.votingRules.ruleInForce(trx, networkId, patch.decisionType);
          const parsed = votingRuleSchema.safeParse({ ...current, ...patch, version });
          if (!parsed.success) throw new AppError('VALIDATION_FAILED', `The rule for ${patch.decisionType} is not valid.`, zodDetails(parsed.error));
          await repos.votingRules.setRuleOverride(trx, networkId, parsed.data, actor);
          await repos.audit.append(trx, actor, { type: 'voting-rule.set', networkId, decisionType: patch.decisionType, version }, networkId);
        }
      });
      return { networkId, version, rules: await rulesInForce(networkId) };
    },
  };
}

export type VotingRulesService = ReturnType<typeof createVotingRulesService>;
