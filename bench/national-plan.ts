/**
 * The national bench's pure parts: the generated programme (networks of 4–8 practices whose list
 * sizes put most networks inside the 30–50k footprint), percentiles and the growth figure. Seeded,
 * so two runs of the same size drive the same programme. Unit-tested in test/unit/bench-national.test.ts.
 */
import { seededRandom } from './seeded-random';

/** England, 2019: about 6,800 practices formed about 1,250 networks. */
export const NATIONAL_PRACTICES = 6_800;
export const NATIONAL_NETWORKS = 1_250;
/** The footprint of the 2019 specification: networks of typically 30,000 to 50,000 patients. */
export const FOOTPRINT = { minListSize: 30_000, maxListSize: 50_000 };

/**
 * How many practices a network has: 4 to 8, weighted so the mean (about 5.4) matches
 * 6,800 practices over 1,250 networks.
 */
const PRACTICE_COUNT_WEIGHTS: readonly [count: number, weight: number][] = [
  [4, 0.26],
  [5, 0.31],
  [6, 0.24],
  [7, 0.12],
  [8, 0.07],
];
/** A network's registered population: centred in the footprint, spread so about one in six falls outside. */
const NETWORK_LIST_MEAN = 40_000;
const NETWORK_LIST_SD = 7_000;
const NETWORK_LIST_MIN = 16_000;
const NETWORK_LIST_MAX = 80_000;
const PRACTICE_LIST_MIN = 1_500;

function normal(random: () => number): number {
  // Box–Muller; 1 - u keeps the logarithm finite
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function practiceCount(random: () => number): number {
  let r = random();
  for (const [count, weight] of PRACTICE_COUNT_WEIGHTS) {
    if (r < weight) return count;
    r -= weight;
  }
  return PRACTICE_COUNT_WEIGHTS[PRACTICE_COUNT_WEIGHTS.length - 1][0];
}

export interface PlannedPerson {
  name: string;
  email: string;
  roles: string[];
}

export interface PlannedPractice {
  name: string;
  odsCode: string;
  listSize: number;
  people: PlannedPerson[];
}

export interface PlannedNetwork {
  /** 0-based position in the programme */
  index: number;
  name: string;
  /** 0-based wave the network is in */
  wave: number;
  practices: PlannedPractice[];
  /** what the panel decides: most pass; some pass with a condition closed before the legal-entity stage */
  outcome: 'pass' | 'conditional';
}

export interface PlanOptions {
  networks: number;
  waves: number;
  /** keeps names, emails and ODS codes of several programmes on one stack apart */
  tag: string;
  seed: number;
  /** share of networks given a conditional pass */
  conditionalShare?: number;
}

/**
 * Networks spread over the waves in turn. Each practice has two partners (the first is also the
 * Caldicott guardian and a board member, so one signature covers every stage's rule) and a practice
 * manager; the people are unique to the programme, as real partners are to their practice.
 */
export function planNetworks(opts: PlanOptions): PlannedNetwork[] {
  const random = seededRandom(opts.seed);
  const conditionalShare = opts.conditionalShare ?? 0.1;
  const networks: PlannedNetwork[] = [];
  let ods = 0;
  for (let i = 0; i < opts.networks; i++) {
    const count = practiceCount(random);
    const total = Math.round(Math.min(NETWORK_LIST_MAX, Math.max(NETWORK_LIST_MIN, NETWORK_LIST_MEAN + NETWORK_LIST_SD * normal(random))));
    const listSizes = splitListSize(total, count, random);
    const practices = listSizes.map((listSize, j): PlannedPractice => {
      ods += 1;
      const who = `${opts.tag}-n${i + 1}-p${j + 1}`;
      return {
        name: `Practice ${j + 1} of network ${i + 1}`,
        odsCode: `${opts.tag.slice(0, 1).toUpperCase()}${String(ods).padStart(5, '0')}`,
        listSize,
        people: [
          { name: `Dr Partner ${j + 1}A of network ${i + 1}`, email: `${who}-a@bench.example.org`, roles: ['partner', 'caldicott-guardian', 'board-member'] },
          { name: `Dr Partner ${j + 1}B of network ${i + 1}`, email: `${who}-b@bench.example.org`, roles: ['partner'] },
          { name: `Practice Manager ${j + 1} of network ${i + 1}`, email: `${who}-m@bench.example.org`, roles: ['practice-manager'] },
        ],
      };
    });
    networks.push({
      index: i,
      name: `Network ${i + 1} (${opts.tag})`,
      wave: i % opts.waves,
      practices,
      outcome: random() < conditionalShare ? 'conditional' : 'pass',
    });
  }
  return networks;
}

/** Splits a network's population between its practices: uneven shares, none below the smallest practice. */
export function splitListSize(total: number, count: number, random: () => number): number[] {
  const weights = Array.from({ length: count }, () => 0.5 + random());
  const sum = weights.reduce((a, b) => a + b, 0);
  const spare = total - PRACTICE_LIST_MIN * count;
  if (spare <= 0) return Array.from({ length: count }, (_, j) => Math.floor(total / count) + (j < total % count ? 1 : 0));
  const sizes = weights.map((w) => PRACTICE_LIST_MIN + Math.floor((spare * w) / sum));
  // rounding down leaves a few patients over: the first practice takes them, so the sizes add up
  sizes[0] += total - sizes.reduce((a, b) => a + b, 0);
  return sizes;
}

/** The nearest-rank percentile (p in 0–100) of the values; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1];
}

/**
 * How the cost of one network changes with the size of the programme: wall time per network at the
 * full size over wall time per network at the smaller size. 1 means it scales linearly.
 */
export function growth(small: { networks: number; wallMs: number }, full: { networks: number; wallMs: number }): number {
  if (small.networks <= 0 || full.networks <= 0 || small.wallMs <= 0) return Number.NaN;
  return full.wallMs / full.networks / (small.wallMs / small.networks);
}

/** Runs `work` over the items with at most `limit` in flight at once; results keep the items' order. */
export async function inPool<T, R>(items: readonly T[], limit: number, work: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i], i);
    }
  });
  await Promise.all(lanes);
  return results;
}
