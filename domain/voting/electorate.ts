import type { MotionVoter } from './voting.schema';
import { type Ballot, type Choice, excludesSubject, type Voter } from './ballot';
import type { VotingRule } from './rule';

/**
 * Who votes on a motion and what a stored ballot weighs: the electorate a motion snapshots from
 * its network, who receives a practice's ballot link, the weights a ballot row may carry, and the
 * adapter from stored turnout and ballot rows back to the ballots the tally counts.
 */

/** The part of a network the electorate is drawn from (the records repository's network fits it). */
export interface MemberPractice {
  id: string;
  name: string;
  listSize: number;
  people: { id: string; name: string; email: string; roles: string[] }[];
}

/** A voter as a motion snapshots it: one per practice, with the practice's name and weights. */
export type { MotionVoter } from './voting.schema';

/** Who receives a practice's ballot link: its partners (anyone in the practice if it lists none). */
export function representatives<P extends MemberPractice['people'][number]>(practice: { people: P[] }): P[] {
  const partners = practice.people.filter((p) => p.roles.includes('partner'));
  return partners.length > 0 ? partners : practice.people;
}

/** The electorate of a motion: every member practice, voting as one voter. */
export function electorateOf(practices: readonly MemberPractice[]): MotionVoter[] {
  return practices.map((p) => ({
    voterId: p.id,
    practiceId: p.id,
    practiceName: p.name,
    listSize: p.listSize,
    partnerCount: p.people.filter((x) => x.roles.includes('partner')).length,
    offices: [...new Set(p.people.flatMap((x) => x.roles))].sort(),
  }));
}

export function toVoters(electorate: readonly MotionVoter[]): Voter[] {
  return electorate.map(({ voterId, practiceId, listSize, partnerCount, offices }) => ({ voterId, practiceId, listSize, partnerCount, offices }));
}

/** Whether a practice takes part: all do, except the subject of a motion that excludes it. */
export function takesPart(rule: VotingRule, subjectPracticeId: string | null | undefined, practiceId: string): boolean {
  return !(excludesSubject(rule) && subjectPracticeId != null && practiceId === subjectPracticeId);
}

/**
 * The weights a ballot row carries, masked to what the rule's basis needs: under one practice one
 * vote a secret ballot row carries no weight at all, so it cannot point at a practice. (Under a
 * weighted basis a practice with a unique weight could be recognised: a documented residual risk.)
 */
export function ballotWeights(rule: VotingRule, v: { partnerCount: number; listSize: number }): { weightPartners: number; weightList: number } {
  return {
    weightPartners: rule.basis === 'per-partner' ? v.partnerCount : 0,
    weightList: rule.basis === 'list-size' || rule.basis === 'dual' ? v.listSize : 0,
  };
}

export interface TurnoutRow {
  voterId: string;
  castBy: string;
  byProxy: boolean;
}

export interface BallotRow {
  choice: Choice;
  weightPartners: number;
  weightList: number;
  /** set for an open ballot only */
  voterId: string | null;
}

/** Rebuilds the ballots `tallyVotes` counts from the stored turnout and ballot rows. */
export function ballotsForTally(rule: VotingRule, electorate: readonly MotionVoter[], turnout: readonly TurnoutRow[], rows: readonly BallotRow[]): Ballot[] {
  const toBallot = (t: TurnoutRow, choice: Choice): Ballot => (t.byProxy ? { voterId: t.castBy, proxyFor: t.voterId, choice } : { voterId: t.voterId, choice });
  if (rule.ballot === 'open') {
    const choiceOf = new Map(rows.map((r) => [r.voterId, r.choice]));
    return turnout.flatMap((t) => {
      const choice = choiceOf.get(t.voterId);
      return choice ? [toBallot(t, choice)] : [];
    });
  }
  // Secret: pair each practice that turned out with a ballot of the same (masked) weight. The
  // tally depends only on each principal's weight and choice, so any such pairing gives the true
  // result; the pairing itself is arbitrary and is never stored or shown.
  const pool = new Map<string, Choice[]>();
  for (const r of rows) {
    const key = `${r.weightPartners}:${r.weightList}`;
    pool.set(key, [...(pool.get(key) ?? []), r.choice]);
  }
  return turnout.flatMap((t) => {
    const voter = electorate.find((v) => v.voterId === t.voterId);
    if (!voter) return [];
    const w = ballotWeights(rule, voter);
    const choice = pool.get(`${w.weightPartners}:${w.weightList}`)?.pop();
    return choice ? [toBallot(t, choice)] : [];
  });
}
