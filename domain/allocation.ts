/**
 * Fund allocation (DOMAIN.md §3.3): splits a network's envelope between its member practices.
 *
 * Money is handled in integer pence throughout, and every split uses the largest-remainder
 * (Hamilton) method so that the parts always add up to the whole exactly: a financial framework
 * whose allocation table is a penny out is a document nobody will sign.
 *
 * Pure and dependency-free: this file ends up in the workflow bundle.
 */

export const ALLOCATION_METHODS = ['per-patient', 'per-weighted-patient', 'equal', 'custom'] as const;
export type AllocationMethod = (typeof ALLOCATION_METHODS)[number];

/** One practice as the allocation sees it. */
export interface AllocationPractice {
  id: string;
  /** registered list size */
  listSize: number;
  /** weighted (Carr-Hill) list size; required for per-weighted-patient */
  weightedListSize?: number;
  /** relative share for the custom method, e.g. a percentage; any non-negative numbers work */
  customShare?: number;
}

export interface AllocationRequest {
  /** the whole envelope in pence (a non-negative safe integer) */
  envelopePence: number;
  method: AllocationMethod;
  practices: readonly AllocationPractice[];
  /** percentage paid upfront; the rest is held back as the outcome pool. Default 70. */
  upfrontPercent?: number;
}

export interface AllocationLine {
  practiceId: string;
  /** the number the share was computed from (patients, weighted patients, 1, or the custom share) */
  basis: number;
  /** basis ÷ total basis, as a percentage (for display only; amounts never derive from it) */
  sharePercent: number;
  upfrontPence: number;
  outcomePence: number;
  totalPence: number;
}

export interface Allocation {
  method: AllocationMethod;
  envelopePence: number;
  upfrontPercent: number;
  upfrontPence: number;
  outcomePence: number;
  totalBasis: number;
  lines: AllocationLine[];
}

/** Thrown for inputs that cannot be allocated (negative money, missing weights, nothing to share by). */
export class AllocationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AllocationError';
  }
}

// Weights are scaled to integers before any arithmetic so that 33.33% and 0.1 + 0.2 behave.
const WEIGHT_SCALE = 1_000_000;

function toScaledWeight(weight: number, label: string): bigint {
  if (!Number.isFinite(weight) || weight < 0) throw new AllocationError(`${label} must be a finite, non-negative number (got ${weight})`);
  const scaled = Math.round(weight * WEIGHT_SCALE);
  if (!Number.isSafeInteger(scaled)) throw new AllocationError(`${label} is too large to allocate by (got ${weight})`);
  return BigInt(scaled);
}

function assertPence(value: number, label: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new AllocationError(`${label} must be a whole, non-negative number of pence (got ${value})`);
}

/**
 * Splits `totalPence` in proportion to `weights` by the largest-remainder method. The result has one
 * integer per weight and sums to `totalPence` exactly. Ties in the remainder go to the larger weight,
 * then to the earlier position, so the result is deterministic.
 */
export function largestRemainder(totalPence: number, weights: readonly number[]): number[] {
  assertPence(totalPence, 'the amount to split');
  if (weights.length === 0) {
    if (totalPence === 0) return [];
    throw new AllocationError('there is nobody to allocate to');
  }
  const scaled = weights.map((w, i) => toScaledWeight(w, `weight ${i + 1}`));
  const sum = scaled.reduce((a, b) => a + b, 0n);
  if (sum === 0n) {
    if (totalPence === 0) return weights.map(() => 0);
    throw new AllocationError('every weight is zero, so there is nothing to share the amount by');
  }
  const total = BigInt(totalPence);
  const floors = scaled.map((w) => (total * w) / sum);
  const remainders = scaled.map((w, i) => ({ i, w, r: (total * w) % sum }));
  let left = Number(total - floors.reduce((a, b) => a + b, 0n));
  remainders.sort((a, b) => (a.r === b.r ? (a.w === b.w ? a.i - b.i : a.w > b.w ? -1 : 1) : a.r > b.r ? -1 : 1));
  const result = floors.map((f) => Number(f));
  for (const { i } of remainders) {
    if (left === 0) break;
    result[i] += 1;
    left -= 1;
  }
  return result;
}

/** Splits an amount into upfront and outcome parts at `upfrontPercent` (default 70/30), exactly. */
export function splitUpfrontOutcome(totalPence: number, upfrontPercent = 70): { upfrontPence: number; outcomePence: number } {
  if (!Number.isFinite(upfrontPercent) || upfrontPercent < 0 || upfrontPercent > 100) {
    throw new AllocationError(`the upfront percentage must be between 0 and 100 (got ${upfrontPercent})`);
  }
  const [upfrontPence, outcomePence] = largestRemainder(totalPence, [upfrontPercent, 100 - upfrontPercent]);
  return { upfrontPence, outcomePence };
}

function basisOf(practice: AllocationPractice, method: AllocationMethod): number {
  switch (method) {
    case 'per-patient':
      return practice.listSize;
    case 'per-weighted-patient':
      if (practice.weightedListSize === undefined) throw new AllocationError(`practice ${practice.id} has no weighted list size`);
      return practice.weightedListSize;
    case 'equal':
      return 1;
    case 'custom':
      if (practice.customShare === undefined) throw new AllocationError(`practice ${practice.id} has no custom share`);
      return practice.customShare;
  }
}

/**
 * Allocates an envelope between practices. The envelope is first split into the upfront part and
 * the outcome pool; each is then shared between practices by the chosen basis. Every column of the
 * resulting table (upfront, outcome, total) sums to its total exactly, in pence.
 */
export function allocateEnvelope(request: AllocationRequest): Allocation {
  const upfrontPercent = request.upfrontPercent ?? 70;
  assertPence(request.envelopePence, 'the envelope');
  const ids = new Set<string>();
  for (const p of request.practices) {
    if (ids.has(p.id)) throw new AllocationError(`practice ${p.id} appears twice`);
    ids.add(p.id);
  }
  const bases = request.practices.map((p) => basisOf(p, request.method));
  const { upfrontPence, outcomePence } = splitUpfrontOutcome(request.envelopePence, upfrontPercent);
  const upfront = largestRemainder(upfrontPence, bases);
  const outcome = largestRemainder(outcomePence, bases);
  const totalBasis = bases.reduce((a, b) => a + b, 0);
  return {
    method: request.method,
    envelopePence: request.envelopePence,
    upfrontPercent,
    upfrontPence,
    outcomePence,
    totalBasis,
    lines: request.practices.map((p, i) => ({
      practiceId: p.id,
      basis: bases[i],
      sharePercent: totalBasis > 0 ? (bases[i] / totalBasis) * 100 : 0,
      upfrontPence: upfront[i],
      outcomePence: outcome[i],
      totalPence: upfront[i] + outcome[i],
    })),
  };
}

/** Converts pounds (as typed by a person, e.g. 40000 or 1234.5) to pence without float drift. */
export function poundsToPence(pounds: number): number {
  if (!Number.isFinite(pounds) || pounds < 0) throw new AllocationError(`an amount must be a finite, non-negative number of pounds (got ${pounds})`);
  const pence = Math.round(pounds * 100);
  if (!Number.isSafeInteger(pence)) throw new AllocationError(`the amount ${pounds} is too large`);
  return pence;
}
