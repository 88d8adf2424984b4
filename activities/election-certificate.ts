import type { Election, StandingCandidate } from '../db/repos/elections.repo';
import { describeCount, tieRuleWords } from '../domain/voting/count-words';
import type { ConstituencyCount } from '../domain/voting/election';
import type { ElectionResultInput } from '../templates';

/** What a count stores on the election: each constituency's count, the seed of its lots and the term of office. */
export interface StoredElectionResult {
  method: 'stv' | 'fptp';
  seed: string;
  constituencies: ConstituencyCount[];
  termOfOffice: { startsOn: string; endsOn: string; months: number };
}

/**
 * The election result certificate's context: each constituency's count in words with candidates
 * by name, every tie and how it was broken, and the seed of the lot (the election's id), so the
 * draw can be repeated from the certificate.
 */
export function electionCertificateContext(
  election: Election,
  networkName: string,
  candidates: readonly StandingCandidate[],
  voted: number,
): ElectionResultInput {
  const result = election.result as StoredElectionResult;
  const name = (id: string) => candidates.find((c) => c.id === id)?.name ?? 'a withdrawn candidate';
  return {
    network: { name: networkName },
    election: {
      id: election.id,
      title: election.title,
      method: election.method,
      countedAt: election.countedAt ?? new Date().toISOString(),
      termOfOffice: result.termOfOffice,
    },
    turnout: { voted, eligible: election.constituencies.reduce((n, c) => n + c.practiceIds.length, 0) },
    constituencies: result.constituencies.map((c) => {
      const words = describeCount(c.count, name);
      const votesOf = new Map(words.tally.map((t) => [t.name, t.votes]));
      return {
        name: c.name,
        seats: c.seats,
        ballots: c.ballots,
        candidates: candidates
          .filter((x) => x.constituency === c.name)
          .map((x) => ({ name: x.name, practice: x.practiceName, votes: votesOf.get(x.name) ?? '0', elected: c.elected.includes(x.id) })),
        elected: words.elected,
        summary: words.summary,
        rounds: words.rounds.map((r) => ({ heading: r.heading, text: r.text, transfers: r.transfers })),
        ties: words.ties,
      };
    }),
    tieRule: `${tieRuleWords()} The draw for this election uses its reference, ${result.seed}: each tied candidate's key is the FNV-1a 32-bit hash of the reference and the candidate's own reference, and the lowest key is drawn first.`,
  };
}
