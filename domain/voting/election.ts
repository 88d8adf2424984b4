import type { Constituency, ElectionMethod } from './voting.schema';
import { countFptp, fptpBallotProblem, type FptpResult } from './fptp';
import { countStv, type StvResult, usablePreferences } from './stv';

/**
 * The rules of a board election by constituency (DOMAIN.md §4, shadow-board procedure): how the
 * constituencies must be drawn, who may stand and vote and when (the election workflow's Update
 * validators apply these), what makes a ballot paper spoilt, and the count of every constituency.
 */

export type { Constituency, ElectionMethod } from './voting.schema';

export type ElectionPhase = 'opening' | 'nominations' | 'ballot' | 'counting' | 'counted';

/** Why constituencies cannot be used for an election of this network, as `{ path, message }`. */
export function constituencyProblems(memberPracticeIds: readonly string[], constituencies: readonly Constituency[]): { path: string; message: string }[] {
  const members = new Set(memberPracticeIds);
  const seen = new Set<string>();
  const problems: { path: string; message: string }[] = [];
  constituencies.forEach((c, i) => {
    for (const id of c.practiceIds) {
      if (!members.has(id)) problems.push({ path: `constituencies.${i}.practiceIds`, message: `unknown practice ${id}` });
      else if (seen.has(id)) problems.push({ path: `constituencies.${i}.practiceIds`, message: `${id} appears twice` });
      seen.add(id);
    }
  });
  if (new Set(constituencies.map((c) => c.name)).size !== constituencies.length)
    problems.push({ path: 'constituencies', message: 'constituency names must be unique' });
  return problems;
}

/** A refusal by an election rule: its reason is the API error code. */
export interface ElectionRefusal {
  reason:
    | 'WRONG_PHASE'
    | 'UNKNOWN_CONSTITUENCY'
    | 'NOT_ELIGIBLE'
    | 'ALREADY_NOMINATED'
    | 'NOT_A_CANDIDATE'
    | 'VOTING_CLOSED'
    | 'NOT_IN_ELECTORATE'
    | 'ALREADY_VOTED'
    | 'INVALID_BALLOT';
  message: string;
}

/** Whether a person may be nominated now: in the nominations phase, once, in a real constituency. */
export function nominationRefusal(
  election: { phase: ElectionPhase; constituencies: readonly Constituency[]; eligiblePersonIds: ReadonlySet<string>; nominated: ReadonlySet<string> },
  nomination: { personId: string; constituency: string },
): ElectionRefusal | undefined {
  if (election.phase !== 'nominations') return { reason: 'WRONG_PHASE', message: 'Nominations are closed.' };
  if (!election.constituencies.some((c) => c.name === nomination.constituency))
    return { reason: 'UNKNOWN_CONSTITUENCY', message: `No constituency called ${nomination.constituency}.` };
  if (!election.eligiblePersonIds.has(nomination.personId)) return { reason: 'NOT_ELIGIBLE', message: 'A candidate must belong to a practice of the network.' };
  if (election.nominated.has(nomination.personId)) return { reason: 'ALREADY_NOMINATED', message: 'This person is already a candidate in this election.' };
  return undefined;
}

/**
 * Whether a candidate may withdraw now: only while nominations are open, so every ballot lists the
 * same candidates from the first to the last vote.
 */
export function withdrawalRefusal(election: { phase: ElectionPhase; candidateIds: ReadonlySet<string> }, candidateId: string): ElectionRefusal | undefined {
  if (election.phase !== 'nominations')
    return { reason: 'WRONG_PHASE', message: 'Nominations are closed: a candidate can no longer withdraw, as the ballot already names them.' };
  if (!election.candidateIds.has(candidateId)) return { reason: 'NOT_A_CANDIDATE', message: 'No such candidate in this election.' };
  return undefined;
}

/** Whether a practice may cast its ballot now: the ballot is open, it has a constituency, and it has not voted. */
export function electionBallotRefusal(
  election: { phase: ElectionPhase; constituencies: readonly Constituency[]; voted: ReadonlySet<string> },
  voterId: string,
): ElectionRefusal | undefined {
  if (election.phase !== 'ballot') {
    return {
      reason: 'VOTING_CLOSED',
      message: election.phase === 'nominations' || election.phase === 'opening' ? 'The ballot has not opened yet.' : 'The ballot has closed.',
    };
  }
  if (!election.constituencies.some((c) => c.practiceIds.includes(voterId)))
    return { reason: 'NOT_IN_ELECTORATE', message: 'Your practice does not vote in this election.' };
  if (election.voted.has(voterId)) return { reason: 'ALREADY_VOTED', message: 'A ballot has already been recorded for your practice; only the first counts.' };
  return undefined;
}

/**
 * Whether a ballot paper would be spoilt: under FPTP at most `seats` distinct marks for standing
 * candidates; under STV a ranking of standing candidates, each once.
 */
export function ballotPaperRefusal(
  method: ElectionMethod,
  seats: number,
  standing: ReadonlySet<string>,
  preferences: readonly string[],
): ElectionRefusal | undefined {
  const problem =
    method === 'fptp'
      ? fptpBallotProblem(preferences, seats, standing)
      : preferences.length === 0 || usablePreferences(preferences, standing).length !== preferences.length
        ? 'UNKNOWN_OR_REPEATED_CANDIDATE'
        : undefined;
  if (!problem) return undefined;
  return {
    reason: 'INVALID_BALLOT',
    message: `This ballot would be spoilt (${problem.toLowerCase().replace(/_/g, ' ')}). Use the candidate ids listed for your constituency, each once.`,
  };
}

export interface ConstituencyCount {
  name: string;
  seats: number;
  candidates: { id: string; name: string }[];
  ballots: number;
  elected: string[];
  count: StvResult | FptpResult;
}

/** Counts every constituency by the election's method; lots are seeded with `seed` (the election id). */
export function countConstituencies(input: {
  method: ElectionMethod;
  seed: string;
  constituencies: readonly Constituency[];
  candidates: readonly { id: string; name: string; constituency: string }[];
  ballots: readonly { constituency: string; preferences: string[] }[];
}): ConstituencyCount[] {
  return input.constituencies.map((c) => {
    const standing = input.candidates.filter((x) => x.constituency === c.name).map((x) => ({ id: x.id, name: x.name }));
    const papers = input.ballots.filter((b) => b.constituency === c.name).map((b) => b.preferences);
    const count =
      input.method === 'stv'
        ? countStv({ seats: c.seats, candidates: standing, ballots: papers, seed: input.seed })
        : countFptp({ seats: c.seats, candidates: standing, ballots: papers, seed: input.seed });
    return { name: c.name, seats: c.seats, candidates: standing, ballots: papers.length, elected: count.elected, count };
  });
}

/** A term of office starting on `startsOn` (YYYY-MM-DD) and lasting `months` calendar months. */
export function termOfOffice(startsOn: string, months: number): { startsOn: string; endsOn: string; months: number } {
  const d = new Date(`${startsOn}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + months);
  return { startsOn, endsOn: d.toISOString().slice(0, 10), months };
}

/** How ties are settled, in words, for ballot pages and results. */
export function tieRuleText(seed: string): string {
  return `Ties are settled by lot, deterministically: FNV-1a-32 of the seed "${seed}" and the candidate id; the lowest key is drawn first.`;
}
