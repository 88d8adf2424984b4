import { drawLots } from './stv';
import type { FptpInput } from './voting.schema';

/**
 * First past the post for one or more seats (multi-seat plurality, "block vote"): each voter marks
 * up to `seats` different candidates, each mark is one vote, and the `seats` candidates with most
 * votes are elected. A tie across the last seat is settled by the same seeded lot as STV
 * (lowest FNV-1a key of seed and candidate id is drawn), so a replay gives the same result.
 *
 * A ballot is invalid (spoilt) if it is blank, marks more than `seats` candidates, marks a
 * candidate twice, or marks an unknown candidate.
 */

export type { FptpInput } from './voting.schema';

export interface FptpResult {
  method: 'fptp';
  seats: number;
  elected: string[];
  totals: Record<string, number>;
  /** Every candidate, most votes first, with the order lots gave to equal candidates. */
  ranking: { id: string; votes: number; elected: boolean }[];
  validBallots: number;
  invalidBallots: number;
  tieBreak?: { tied: string[]; seatsAmongTied: number; chosen: string[]; note: string };
  explanationLines: string[];
  seed: string;
}

export type FptpBallotProblem = 'BLANK' | 'TOO_MANY_MARKS' | 'DUPLICATE_MARK' | 'UNKNOWN_CANDIDATE';

/** Why a ballot would be spoilt, or undefined if it is valid. Also usable as an Update validator. */
export function fptpBallotProblem(marks: readonly string[], seats: number, candidateIds: ReadonlySet<string>): FptpBallotProblem | undefined {
  if (marks.length === 0) return 'BLANK';
  if (marks.length > seats) return 'TOO_MANY_MARKS';
  if (new Set(marks).size !== marks.length) return 'DUPLICATE_MARK';
  if (marks.some((m) => !candidateIds.has(m))) return 'UNKNOWN_CANDIDATE';
  return undefined;
}

export function countFptp(input: FptpInput): FptpResult {
  const { seats, candidates, seed } = input;
  const ids = candidates.map((c) => c.id);
  if (new Set(ids).size !== ids.length) throw new Error('Candidate ids must be unique.');
  const known = new Set(ids);
  const totals = new Map<string, number>(ids.map((id) => [id, 0]));
  let valid = 0;
  let invalid = 0;
  for (const marks of input.ballots) {
    if (fptpBallotProblem(marks, seats, known)) {
      invalid++;
      continue;
    }
    valid++;
    for (const m of marks) totals.set(m, totals.get(m)! + 1);
  }

  // Most votes first; equal candidates in lot order, so the ranking itself is reproducible.
  const lotOrder = drawLots(seed, ids);
  const ranked = [...ids].sort((a, b) => totals.get(b)! - totals.get(a)! || lotOrder.indexOf(a) - lotOrder.indexOf(b));
  const winners = ranked.slice(0, Math.min(seats, ranked.length));
  const lines: string[] = [
    `${valid} valid ballot${valid === 1 ? '' : 's'}, ${invalid} spoilt; ${seats} seat${seats === 1 ? '' : 's'}; each voter could mark up to ${seats} candidate${seats === 1 ? '' : 's'}.`,
  ];
  for (const id of ranked) lines.push(`${id}: ${totals.get(id)} vote${totals.get(id) === 1 ? '' : 's'}${winners.includes(id) ? ' — elected' : ''}.`);

  let tieBreak: FptpResult['tieBreak'];
  if (winners.length > 0 && winners.length < ranked.length) {
    const cutoff = totals.get(winners[winners.length - 1])!;
    const firstOut = totals.get(ranked[winners.length])!;
    if (cutoff === firstOut) {
      const tied = ranked.filter((id) => totals.get(id) === cutoff);
      const chosen = tied.filter((id) => winners.includes(id));
      const note = `${tied.join(', ')} tied on ${cutoff} votes for ${chosen.length} remaining seat${chosen.length === 1 ? '' : 's'}; ${chosen.join(', ')} drawn by lot (lowest FNV-1a key of seed "${seed}" and candidate id).`;
      tieBreak = { tied, seatsAmongTied: chosen.length, chosen, note };
      lines.push(note);
    }
  }
  if (ids.length < seats)
    lines.push(`Only ${ids.length} candidate${ids.length === 1 ? '' : 's'} stood for ${seats} seats; ${seats - ids.length} stay unfilled.`);

  return {
    method: 'fptp',
    seats,
    elected: winners,
    totals: Object.fromEntries(ids.map((id) => [id, totals.get(id)!])),
    ranking: ranked.map((id) => ({ id, votes: totals.get(id)!, elected: winners.includes(id) })),
    validBallots: valid,
    invalidBallots: invalid,
    tieBreak,
    explanationLines: lines,
    seed,
  };
}
