import { performance } from 'node:perf_hooks';
import { countStv } from '../domain/voting/stv';
import { defaultVotingRules } from '../domain/voting/rule';
import type { Ballot, Voter } from '../domain/voting/ballot';
import { tallyVotes } from '../domain/voting/tally';
import { seededRandom } from './seeded-random';

/**
 * Timings of the pure vote counts at the sizes the seeds describe: Medway's vote of all 61
 * practices (here as a dual-majority allocation vote) and a Nene-style board election of 76
 * practices in four localities (2 GP directors per locality, 3 for the large one). Ballots come
 * from a seeded generator, so every run counts the same election. Prints; asserts nothing.
 */

function time<T>(label: string, repeats: number, f: () => T): T {
  let out = f();
  const start = performance.now();
  for (let i = 0; i < repeats; i++) out = f();
  const ms = (performance.now() - start) / repeats;
  console.log(`${label.padEnd(52)} ${ms.toFixed(3)} ms/run (${repeats} runs)`);
  return out;
}

export function benchVotesDomain(): void {
  const rand = seededRandom(61);
  const electorate: Voter[] = Array.from({ length: 61 }, (_, i) => ({
    voterId: `rep-${i}`,
    practiceId: `practice-${i}`,
    listSize: 2500 + Math.floor(rand() * 14000),
    partnerCount: 1 + Math.floor(rand() * 8),
    offices: i === 0 ? ['chair'] : [],
  }));
  const ballots: Ballot[] = electorate.flatMap((v) => {
    const r = rand();
    if (r < 0.08) return [];
    return [{ voterId: v.voterId, choice: r < 0.62 ? 'for' : r < 0.92 ? 'against' : 'abstain' } as Ballot];
  });
  const rule = { ...defaultVotingRules().allocation, quorum: { minShareOfEligibleWeight: 0.5, requiredOffices: ['chair'] } };
  const tally = time('tally: 61 practices, dual majority, quorum + chair', 2000, () => tallyVotes({ electorate, ballots, rule }));
  console.log(
    `  result ${tally.result}; practices ${tally.perBasis[0].for}/${tally.perBasis[0].counted}, list ${tally.perBasis[1].for}/${tally.perBasis[1].counted}`,
  );

  // 76 practices in four localities; each practice's GPs vote in their own locality.
  const localities = [
    { name: 'north', practices: 16, seats: 2, candidates: 6 },
    { name: 'south', practices: 18, seats: 2, candidates: 7 },
    { name: 'east', practices: 17, seats: 2, candidates: 6 },
    { name: 'town', practices: 25, seats: 3, candidates: 9 },
  ];
  const elections = localities.map((loc) => {
    const ids = Array.from({ length: loc.candidates }, (_, i) => `${loc.name}-gp-${i}`);
    const popularity = ids.map(() => 0.2 + rand());
    const papers: string[][] = [];
    for (let p = 0; p < loc.practices; p++) {
      const voters = 2 + Math.floor(rand() * 7);
      for (let v = 0; v < voters; v++) {
        const ranked = ids.map((id, k) => ({ id, key: popularity[k] * rand() })).sort((a, b) => b.key - a.key);
        papers.push(ranked.slice(0, 1 + Math.floor(rand() * ids.length)).map((x) => x.id));
      }
    }
    return { seats: loc.seats, candidates: ids.map((id) => ({ id, name: id })), ballots: papers, seed: `bench-${loc.name}` };
  });
  const papers = elections.reduce((n, e) => n + e.ballots.length, 0);
  const results = time(`stv: 76 practices, 4 localities, ${papers} papers`, 200, () => elections.map((e) => countStv(e)));
  for (const [i, r] of results.entries()) console.log(`  ${localities[i].name}: quota ${r.quota}, ${r.rounds.length} steps, elected ${r.elected.join(', ')}`);
}

if (require.main === module) benchVotesDomain();
