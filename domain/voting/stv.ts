import type { StvInput } from './voting.schema';

/**
 * Single transferable vote, counted as in the Scottish Local Government Elections Order 2007
 * (SSI 2007/42), Schedule 1, rules 45–52:
 *
 * - r.45 First stage: each valid paper counts one vote for its first preference.
 * - r.46 Quota (Droop): floor(valid papers / (seats + 1)) + 1.
 * - r.47 A candidate whose votes equal or exceed the quota at any stage is deemed elected.
 * - r.48 Surplus: ALL papers of the elected candidate are transferred to their next available
 *   preference, each at transfer value = surplus × (value of the paper when received) / (candidate's
 *   total), calculated to five decimal places with any remainder ignored (weighted inclusive Gregory).
 * - r.49 The largest surplus is transferred first; equal surpluses are ordered by the candidates'
 *   votes at the most recent preceding stage at which they were unequal (highest first), else by lot.
 * - r.50 When no surplus remains to transfer, the candidate with the fewest votes is excluded and all
 *   of their papers move on at the value at which they were received.
 * - r.51 Equal lowest candidates: the one with fewest votes at the most recent preceding stage at which
 *   they were unequal is excluded, else one is chosen by lot.
 * - r.52 When the continuing candidates are as many as the vacancies left, they are deemed elected
 *   and no further transfer is made.
 *
 * Arithmetic is exact: votes are held as integers in units of 0.00001 (the rule's five decimal
 * places), and the one product that can grow large is done in BigInt.
 *
 * "By lot" is deterministic so that a replayed workflow reaches the same result: each tied
 * candidate gets the key FNV-1a-32(seed + U+0000 + candidate id) and the candidate with the lowest
 * key is drawn (ties of key, vanishingly rare, go to the lower id). The seed is fixed when the
 * election is opened and published with the result, so anyone can repeat the draw.
 */

export type { StvCandidate, StvInput } from './voting.schema';

export interface StvRound {
  number: number;
  /** Stage of the count in the sense of the Order: 1 is the first-preference count. */
  stage: number;
  action: 'elect' | 'transfer-surplus' | 'exclude';
  candidate: string;
  /** Votes credited to each continuing candidate at this step (empty for `elect`). */
  transfers: Record<string, number>;
  /** Value of papers with no next available preference, set aside at this step. */
  nonTransferable: number;
  /** Part of a surplus lost by truncating transfer values to five decimal places. */
  roundingLoss: number;
  /** Distinct transfer values used at this step (surplus transfers only). */
  transferValues: number[];
  /** Every candidate's votes after this step. */
  totals: Record<string, number>;
  note: string;
}

export interface TieBreak {
  stage: number;
  purpose: 'exclusion' | 'surplus-order' | 'election-order';
  tied: string[];
  chosen: string;
  method: 'earlier-stage' | 'lot';
  note: string;
}

export interface StvResult {
  method: 'scottish-stv-2007';
  seats: number;
  elected: string[];
  quota: number;
  validBallots: number;
  invalidBallots: number;
  firstPreferences: Record<string, number>;
  rounds: StvRound[];
  tieBreaks: TieBreak[];
  seed: string;
}

/** 0.00001 of a vote: the unit of all STV arithmetic. */
const UNIT = 100_000;

function toVotes(units: number): number {
  return units / UNIT;
}

/** FNV-1a 32-bit over UTF-16 code units: tiny, portable and the same in every runtime. */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The deterministic lot key of a candidate under a seed; the lowest key is drawn. */
export function lotKey(seed: string, candidateId: string): number {
  return fnv1a32(`${seed}\u0000${candidateId}`);
}

/** Orders ids by drawing lots: first element is the first drawn. */
export function drawLots(seed: string, ids: readonly string[]): string[] {
  return [...ids].sort((a, b) => lotKey(seed, a) - lotKey(seed, b) || (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * A paper's preferences up to the first unknown or repeated candidate; later marks after such an
 * error cannot be followed. An empty result means the paper is invalid (no usable first preference).
 */
export function usablePreferences(prefs: readonly string[], known: ReadonlySet<string>): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const id of prefs) {
    if (!known.has(id) || seen.has(id)) break;
    seen.add(id);
    out.push(id);
  }
  return out;
}

interface Paper {
  prefs: string[];
  pos: number;
  value: number;
}

type Status = 'continuing' | 'elected' | 'excluded';

/** Counts an STV election under the Scottish 2007 rules. Pure and deterministic. */
export function countStv(input: StvInput): StvResult {
  const { seats, candidates, seed } = input;
  const ids = candidates.map((c) => c.id);
  if (new Set(ids).size !== ids.length) throw new Error('Candidate ids must be unique.');
  if (!Number.isInteger(seats) || seats < 1) throw new Error('Seats must be a positive whole number.');
  const known = new Set(ids);

  const papers: Paper[] = [];
  let invalid = 0;
  for (const raw of input.ballots) {
    const prefs = usablePreferences(raw, known);
    if (prefs.length === 0) invalid++;
    else papers.push({ prefs, pos: 0, value: UNIT });
  }
  const valid = papers.length;
  const quota = Math.floor(valid / (seats + 1)) + 1;
  const quotaUnits = quota * UNIT;

  const status = new Map<string, Status>(ids.map((id) => [id, 'continuing']));
  const totals = new Map<string, number>(ids.map((id) => [id, 0]));
  const piles = new Map<string, Paper[]>(ids.map((id) => [id, []]));
  for (const p of papers) {
    const first = p.prefs[0];
    piles.get(first)!.push(p);
    totals.set(first, totals.get(first)! + UNIT);
  }
  const firstPreferences: Record<string, number> = {};
  for (const id of ids) firstPreferences[id] = toVotes(totals.get(id)!);

  const history: Map<string, number>[] = [new Map(totals)];
  let stage = 1;
  const rounds: StvRound[] = [];
  const tieBreaks: TieBreak[] = [];
  const elected: string[] = [];
  const pendingSurplus: string[] = [];

  const continuing = () => ids.filter((id) => status.get(id) === 'continuing');
  const snapshot = (): Record<string, number> => Object.fromEntries(ids.map((id) => [id, toVotes(totals.get(id)!)]));
  const pushRound = (r: Omit<StvRound, 'number' | 'stage' | 'totals'>) => rounds.push({ number: rounds.length + 1, stage, totals: snapshot(), ...r });

  /**
   * Chooses one of equally placed candidates: look back through earlier stages for the most recent
   * one at which they differed (keeping those placed `prefer` there), then draw lots.
   */
  const breakTie = (tied: string[], prefer: 'highest' | 'lowest', purpose: TieBreak['purpose']): string => {
    let set = [...tied];
    let decidedAt: number | undefined;
    for (let s = history.length - 2; s >= 0 && set.length > 1; s--) {
      const values = set.map((id) => history[s].get(id)!);
      const target = prefer === 'highest' ? Math.max(...values) : Math.min(...values);
      const kept = set.filter((id) => history[s].get(id) === target);
      if (kept.length < set.length) {
        set = kept;
        decidedAt = s + 1;
      }
    }
    if (set.length === 1) {
      tieBreaks.push({
        stage,
        purpose,
        tied,
        chosen: set[0],
        method: 'earlier-stage',
        note: `Equal at stage ${stage}; decided by votes at stage ${decidedAt}, where ${set[0]} had the ${prefer} number.`,
      });
      return set[0];
    }
    const chosen = drawLots(seed, set)[0];
    tieBreaks.push({
      stage,
      purpose,
      tied,
      chosen,
      method: 'lot',
      note: `Equal at every stage; ${chosen} drawn by lot (lowest FNV-1a key of seed "${seed}" and candidate id).`,
    });
    return chosen;
  };

  /** Orders candidates by votes, highest first, breaking equal votes as r.49 does. */
  const orderByVotes = (group: string[], purpose: TieBreak['purpose']): string[] => {
    const rest = [...group];
    const out: string[] = [];
    while (rest.length > 0) {
      const top = Math.max(...rest.map((id) => totals.get(id)!));
      const tied = rest.filter((id) => totals.get(id) === top);
      const pick = tied.length === 1 ? tied[0] : breakTie(tied, 'highest', purpose);
      out.push(pick);
      rest.splice(rest.indexOf(pick), 1);
    }
    return out;
  };

  /** Marks a candidate elected and records the step; an election moves no papers. */
  const elect = (id: string, note: string) => {
    status.set(id, 'elected');
    elected.push(id);
    pushRound({ action: 'elect', candidate: id, transfers: {}, nonTransferable: 0, roundingLoss: 0, transferValues: [], note });
  };

  const electReached = () => {
    const reached = continuing().filter((id) => totals.get(id)! >= quotaUnits);
    for (const id of orderByVotes(reached, 'election-order')) {
      if (elected.length >= seats) break;
      const surplus = totals.get(id)! - quotaUnits;
      if (surplus > 0) pendingSurplus.push(id);
      elect(
        id,
        `${id} has ${toVotes(totals.get(id)!)} votes, reaching the quota of ${quota}; deemed elected (r.47)` +
          (surplus > 0 ? `, with a surplus of ${toVotes(surplus)}.` : ', with no surplus.'),
      );
    }
  };

  const nextContinuing = (p: Paper): number => {
    for (let i = p.pos + 1; i < p.prefs.length; i++) if (status.get(p.prefs[i]) === 'continuing') return i;
    return -1;
  };

  const emptyTransfers = (): Record<string, number> => Object.fromEntries(continuing().map((id) => [id, 0]));

  electReached();

  while (elected.length < seats) {
    const cont = continuing();
    const vacancies = seats - elected.length;
    if (cont.length <= vacancies) {
      for (const id of orderByVotes(cont, 'election-order')) {
        elect(
          id,
          cont.length === vacancies
            ? `${id} deemed elected with ${toVotes(totals.get(id)!)} votes: the continuing candidates are as many as the vacancies left (r.52).`
            : `${id} elected with ${toVotes(totals.get(id)!)} votes: fewer candidates remain than vacancies, so ${vacancies - cont.length} seat(s) stay unfilled.`,
        );
      }
      break;
    }

    if (pendingSurplus.length > 0) {
      const surplusOf = (id: string) => totals.get(id)! - quotaUnits;
      const largest = Math.max(...pendingSurplus.map(surplusOf));
      const tied = pendingSurplus.filter((id) => surplusOf(id) === largest);
      const from = tied.length === 1 ? tied[0] : breakTie(tied, 'highest', 'surplus-order');
      pendingSurplus.splice(pendingSurplus.indexOf(from), 1);

      stage++;
      const total = totals.get(from)!;
      const surplus = total - quotaUnits;
      const transfers = emptyTransfers();
      const values = new Set<number>();
      let moved = 0;
      let nonTransferable = 0;
      for (const p of piles.get(from)!) {
        // r.48(3): A / B with A = surplus × value of the paper, B = the candidate's total; truncated.
        const tv = Number((BigInt(surplus) * BigInt(p.value)) / BigInt(total));
        const next = nextContinuing(p);
        if (next < 0) {
          nonTransferable += tv;
          continue;
        }
        values.add(tv);
        p.pos = next;
        p.value = tv;
        const to = p.prefs[next];
        piles.get(to)!.push(p);
        totals.set(to, totals.get(to)! + tv);
        transfers[to] = (transfers[to] ?? 0) + tv;
        moved += tv;
      }
      piles.set(from, []);
      totals.set(from, quotaUnits);
      const loss = surplus - moved - nonTransferable;
      history.push(new Map(totals));
      const tvList = [...values].sort((a, b) => b - a).map(toVotes);
      pushRound({
        action: 'transfer-surplus',
        candidate: from,
        transfers: mapValues(transfers, toVotes),
        nonTransferable: toVotes(nonTransferable),
        roundingLoss: toVotes(loss),
        transferValues: tvList,
        note:
          `Surplus of ${toVotes(surplus)} from ${from} (total ${toVotes(total)}) transferred (r.48)` +
          (tvList.length > 0 ? ` at transfer value${tvList.length > 1 ? 's' : ''} ${tvList.join(', ')}` : '') +
          `; ${toVotes(moved)} transferred, ${toVotes(nonTransferable)} non-transferable, ${toVotes(loss)} lost to truncation.`,
      });
      electReached();
      continue;
    }

    const lowest = Math.min(...cont.map((id) => totals.get(id)!));
    const tied = cont.filter((id) => totals.get(id) === lowest);
    const out = tied.length === 1 ? tied[0] : breakTie(tied, 'lowest', 'exclusion');
    status.set(out, 'excluded');
    stage++;
    const transfers = emptyTransfers();
    let nonTransferable = 0;
    let moved = 0;
    for (const p of piles.get(out)!) {
      const next = nextContinuing(p);
      if (next < 0) {
        nonTransferable += p.value;
        continue;
      }
      p.pos = next;
      const to = p.prefs[next];
      piles.get(to)!.push(p);
      totals.set(to, totals.get(to)! + p.value);
      transfers[to] = (transfers[to] ?? 0) + p.value;
      moved += p.value;
    }
    const had = totals.get(out)!;
    piles.set(out, []);
    totals.set(out, 0);
    history.push(new Map(totals));
    pushRound({
      action: 'exclude',
      candidate: out,
      transfers: mapValues(transfers, toVotes),
      nonTransferable: toVotes(nonTransferable),
      roundingLoss: 0,
      transferValues: [],
      note: `${out} has the fewest votes (${toVotes(had)}) and is excluded (r.50); ${toVotes(moved)} transferred at the values received, ${toVotes(nonTransferable)} non-transferable.`,
    });
    electReached();
  }

  return {
    method: 'scottish-stv-2007',
    seats,
    elected,
    quota,
    validBallots: valid,
    invalidBallots: invalid,
    firstPreferences,
    rounds,
    tieBreaks,
    seed,
  };
}

function mapValues(rec: Record<string, number>, f: (n: number) => number): Record<string, number> {
  return Object.fromEntries(Object.entries(rec).map(([k, v]) => [k, f(v)]));
}
