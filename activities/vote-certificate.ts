import type { Motion } from '../db/repos/motions.repo';
import { describeRule } from '../domain/voting/rule';
import type { TallyResult } from '../domain/voting/tally';
import type { VoteResultInput } from '../templates';

/**
 * The vote-result certificate's context: the motion, the rule it was counted under and the count
 * with its quorum and threshold arithmetic. An open ballot lists each practice's vote; a secret
 * one lists none.
 */
export function voteCertificateContext(motion: Motion, networkName: string, tally: TallyResult & { closedAt: string }): VoteResultInput {
  const weighted = tally.perBasis.find((m) => m.measure !== 'practices');
  const choiceOf = new Map(tally.accepted.map((a) => [a.principalId, a.choice]));
  return {
    network: { name: networkName },
    motion: {
      id: motion.id,
      title: motion.title,
      text: motion.text || undefined,
      decisionType: motion.decisionType,
      openedAt: motion.openedAt,
      closedAt: tally.closedAt,
    },
    rule: { version: motion.rule.version, description: describeRule(motion.rule) },
    electorate: { practices: motion.electorate.length, description: `${motion.electorate.length} member practices (${motion.rule.ballot} ballot)` },
    tallies: {
      for: tally.tallies.for,
      against: tally.tallies.against,
      abstain: tally.tallies.abstain,
      notVoted: Math.max(0, tally.tallies.eligible - tally.tallies.for - tally.tallies.against - tally.tallies.abstain),
      ...(weighted
        ? {
            weighted: {
              for: weighted.for,
              against: weighted.against,
              abstain: weighted.abstain,
              unit: weighted.measure === 'list-size' ? 'registered patients' : 'partner votes',
            },
          }
        : {}),
    },
    quorum: { met: tally.quorum.met, arithmetic: tally.quorum.explanation },
    threshold: { met: tally.perBasis.every((m) => m.carried), arithmetic: [tally.thresholdExplanation, ...tally.explanationLines.slice(0, 2)].join(' ') },
    result: tally.result,
    ballots:
      motion.rule.ballot === 'open'
        ? motion.electorate.map((v) => ({
            practice: v.practiceName,
            choice: choiceOf.get(v.voterId) ?? ('did not vote' as const),
            ...(weighted ? { weight: weighted.measure === 'list-size' ? v.listSize : v.partnerCount } : {}),
          }))
        : [],
  };
}
