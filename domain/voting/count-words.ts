/**
 * An election count in plain English, with candidates by name: what happened at each round of an
 * STV count (who was elected, whose surplus moved, who was excluded, where the votes went), the
 * FPTP ranking, and every tie said as a tie with how it was broken. Pages and the election
 * certificate word a count through here; the counts themselves (stv.ts, fptp.ts) keep ids, which
 * are what a recount needs.
 */
import type { FptpResult } from './fptp';
import type { StvResult, TieBreak } from './stv';

export interface RoundInWords {
  number: number;
  /** "Round 3: Dr Ann Ali excluded" */
  heading: string;
  /** what happened, in a sentence or two */
  text: string;
  /** votes moved to each candidate at this round, largest first */
  transfers: { name: string; votes: string }[];
}

export interface CountInWords {
  method: 'stv' | 'fptp';
  /** valid and spoilt ballots, the quota (STV), how voting worked */
  summary: string[];
  /** first preferences (STV) or votes (FPTP) per candidate, most first */
  tally: { name: string; votes: string; elected: boolean }[];
  rounds: RoundInWords[];
  /** each tie: who was level, for what, and how it was settled */
  ties: string[];
  elected: string[];
}

/** Votes to at most five decimal places (STV transfers are fractional): 2, 1.5, 0.33333. */
export function votesText(n: number): string {
  return n.toLocaleString('en-GB', { maximumFractionDigits: 5 });
}

function votesWord(n: number): string {
  return `${votesText(n)} ${n === 1 ? 'vote' : 'votes'}`;
}

/** "A", "A and B", "A, B and C" */
export function andList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

const LOT =
  'settled by lot. The lot is a fixed draw made from the election’s reference number and each candidate, so anyone can repeat it and get the same result.';

function stvTie(t: TieBreak, name: (id: string) => string): string {
  const who = andList(t.tied.map(name));
  const over = {
    exclusion: 'the fewest votes, so one of them had to be excluded',
    'surplus-order': 'equal surpluses, so the order in which they were passed on had to be decided',
    'election-order': 'equal votes above the quota, so the order in which they were elected had to be decided',
  }[t.purpose];
  const chosen = name(t.chosen);
  const outcome = { exclusion: `${chosen} was excluded`, 'surplus-order': `${chosen}’s surplus went first`, 'election-order': `${chosen} was elected first` }[
    t.purpose
  ];
  if (t.method === 'earlier-stage') {
    const stage = /at stage (\d+)/.exec(t.note.replace(/^Equal at stage \d+;/, ''))?.[1];
    const compared = t.purpose === 'exclusion' ? 'fewer' : 'more';
    return `Tie at stage ${t.stage} of the count: ${who} were level with ${over}. It was settled by their votes at an earlier stage${stage ? ` (stage ${stage})` : ''}, where ${chosen} had ${compared}: ${outcome}.`;
  }
  const earlier = t.stage === 1 ? 'with no earlier stage to tell them apart' : 'and level at every earlier stage too';
  return `Tie at stage ${t.stage} of the count: ${who} were level with ${over}, ${earlier}. It was ${LOT} ${outcome[0].toUpperCase()}${outcome.slice(1)}.`;
}

function transfersOf(rec: Record<string, number>, name: (id: string) => string): { name: string; votes: string }[] {
  return Object.entries(rec)
    .filter(([, v]) => v > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([id, v]) => ({ name: name(id), votes: votesText(v) }));
}

function sum(rec: Record<string, number>): number {
  return Object.values(rec).reduce((a, b) => a + b, 0);
}

function describeStv(count: StvResult, name: (id: string) => string): CountInWords {
  const summary = [
    `${count.validBallots === 1 ? '1 valid ballot' : `${votesText(count.validBallots)} valid ballots`}${count.invalidBallots ? `, ${count.invalidBallots} spoilt` : ''}; ${count.seats === 1 ? '1 seat' : `${count.seats} seats`}.`,
    `Quota: ${votesWord(count.quota)}. A candidate with the quota is elected (the quota is the number of valid ballots divided by one more than the number of seats, rounded down, plus one).`,
  ];
  const tally = Object.entries(count.firstPreferences)
    .sort((a, b) => b[1] - a[1])
    .map(([id, v]) => ({ name: name(id), votes: votesText(v), elected: count.elected.includes(id) }));
  const rounds = count.rounds.map((r): RoundInWords => {
    const who = name(r.candidate);
    const transfers = transfersOf(r.transfers, name);
    const moved = sum(r.transfers);
    if (r.action === 'elect') {
      const votes = r.totals[r.candidate] ?? 0;
      const text = /r\.52/.test(r.note)
        ? `${who} is elected with ${votesWord(votes)}: the candidates still in the count are as many as the seats left.`
        : /unfilled/.test(r.note)
          ? `${who} is elected with ${votesWord(votes)}: fewer candidates are left than seats, so a seat stays empty.`
          : `${who} reached the quota with ${votesWord(votes)} and is elected${votes > count.quota ? `, with a surplus of ${votesWord(votes - count.quota)} to pass on` : ''}.`;
      return { number: r.number, heading: `Round ${r.number}: ${who} elected`, text, transfers: [] };
    }
    if (r.action === 'transfer-surplus') {
      const surplus = moved + r.nonTransferable + r.roundingLoss;
      const values = r.transferValues.length ? ` Each of their ballots moved at a value of ${andList(r.transferValues.map(votesText))}.` : '';
      const lost = r.nonTransferable > 0 ? ` ${votesWord(r.nonTransferable)} had no further preference and could not be passed on.` : '';
      return {
        number: r.number,
        heading: `Round ${r.number}: ${who}’s surplus passed on`,
        text: `${who}’s surplus of ${votesWord(surplus)} went to the next preferences on their ballots.${values}${lost}`,
        transfers,
      };
    }
    const had = moved + r.nonTransferable;
    const lost = r.nonTransferable > 0 ? ` ${votesWord(r.nonTransferable)} had no further preference.` : '';
    return {
      number: r.number,
      heading: `Round ${r.number}: ${who} excluded`,
      text: `${who} had the fewest votes (${votesText(had)}) and is excluded; their ballots went to the next preferences.${lost}`,
      transfers,
    };
  });
  return { method: 'stv', summary, tally, rounds, ties: count.tieBreaks.map((t) => stvTie(t, name)), elected: count.elected.map(name) };
}

function describeFptp(count: FptpResult, name: (id: string) => string): CountInWords {
  const summary = [
    `${count.validBallots === 1 ? '1 valid ballot' : `${count.validBallots} valid ballots`}${count.invalidBallots ? `, ${count.invalidBallots} spoilt` : ''}; ${count.seats === 1 ? '1 seat' : `${count.seats} seats`}.`,
    `Each practice could mark up to ${count.seats === 1 ? '1 candidate' : `${count.seats} candidates`}; the ${count.seats === 1 ? 'candidate' : `${count.seats} candidates`} with the most votes ${count.seats === 1 ? 'is' : 'are'} elected.`,
  ];
  if (count.ranking.length < count.seats)
    summary.push(
      `Only ${count.ranking.length === 1 ? '1 candidate' : `${count.ranking.length} candidates`} stood, so ${count.seats - count.ranking.length === 1 ? 'a seat stays' : `${count.seats - count.ranking.length} seats stay`} empty.`,
    );
  const ties: string[] = [];
  if (count.tieBreak) {
    const t = count.tieBreak;
    const votes = count.totals[t.tied[0]] ?? 0;
    const seats = t.seatsAmongTied === 1 ? 'the last seat' : `the last ${t.seatsAmongTied} seats`;
    ties.push(
      `Tie: ${andList(t.tied.map(name))} each had ${votesWord(votes)} for ${seats}. It was ${LOT} ${andList(t.chosen.map(name))} ${t.chosen.length === 1 ? 'was' : 'were'} drawn and elected.`,
    );
  }
  return {
    method: 'fptp',
    summary,
    tally: count.ranking.map((r) => ({ name: name(r.id), votes: votesText(r.votes), elected: r.elected })),
    rounds: [],
    ties,
    elected: count.elected.map(name),
  };
}

/** A count in words; `name` turns a candidate id into the candidate's name. */
export function describeCount(count: StvResult | FptpResult, name: (id: string) => string): CountInWords {
  return count.method === 'fptp' ? describeFptp(count, name) : describeStv(count, name);
}

/** How ties are settled, in words, without any reference number: for ballot papers and result pages. */
export function tieRuleWords(): string {
  return `When candidates are level and the rules need one of them (to exclude, to elect first, or for the last seat), an STV count first looks back to the most recent stage at which they were not level. If they were level throughout, or in a first-past-the-post count, it is ${LOT}`;
}
