import {
  type Ballot,
  type BallotOptions,
  type BallotRejection,
  type Choice,
  electorateProblem,
  excludesSubject,
  principalOf,
  validateBallot,
  type Voter,
} from './ballot';
import { formatShare, type Threshold, type VotingRule } from './rule';

/**
 * The count of a motion, with its arithmetic written out so a result sheet (and a commissioner's
 * evidence pack) can show how the answer was reached.
 *
 * All comparisons are on integers: weights are whole numbers (practices, partners, patients), a
 * threshold p/q is met when `for * q >= p * counted`, and the quorum share is taken as an exact
 * fraction in millionths. Nothing here reads the clock or randomness, so it is safe in workflows.
 */

export type TallyOptions = BallotOptions;

export interface TallyInput extends TallyOptions {
  electorate: readonly Voter[];
  ballots: readonly Ballot[];
  rule: VotingRule;
  /** The chair's casting vote, used only on an exact tie and only if the rule allows one. */
  chairCasting?: 'for' | 'against';
}

export type Measure = 'practices' | 'partners' | 'list-size';

export interface Tallies {
  for: number;
  against: number;
  abstain: number;
  eligible: number;
}

export interface MeasureCount extends Tallies {
  measure: Measure;
  notVoted: number;
  quorum: { required: number; present: number; met: boolean };
  /** The weight the threshold is measured against (for + against, plus abstentions if they count as against). */
  counted: number;
  tie: boolean;
  thresholdMet: boolean;
  /** Threshold met, or a tie resolved for the motion by the chair's casting vote. */
  carried: boolean;
  explanation: string;
}

export interface TallyResult {
  ruleVersion: string;
  result: 'carried' | 'lost' | 'inquorate';
  quorum: { required: number; present: number; met: boolean; missingOffices: string[]; explanation: string };
  /** The first measure's tallies (practices for `dual`). */
  tallies: Tallies;
  perBasis: MeasureCount[];
  thresholdExplanation: string;
  explanationLines: string[];
  castingVoteUsed: boolean;
  /** An exact tie under a simple-majority threshold on some measure. */
  tie: boolean;
  accepted: { principalId: string; castBy: string; choice: Choice; byProxy: boolean }[];
  rejected: { ballot: Ballot; reason: BallotRejection; message: string }[];
}

/** A tally called with input the edge should have refused; a programming error, not a voter's. */
export class TallyInputError extends Error {
  constructor(
    readonly code: 'INVALID_ELECTORATE' | 'SUBJECT_REQUIRED',
    message: string,
  ) {
    super(message);
    this.name = 'TallyInputError';
  }
}

interface MeasureDef {
  measure: Measure;
  weight: (v: Voter) => number;
  one: string;
  many: string;
}

const MEASURES: Record<Measure, MeasureDef> = {
  practices: { measure: 'practices', weight: () => 1, one: 'practice', many: 'practices' },
  partners: { measure: 'partners', weight: (v) => v.partnerCount, one: 'partner vote', many: 'partner votes' },
  'list-size': { measure: 'list-size', weight: (v) => v.listSize, one: 'registered patient', many: 'registered patients' },
};

function measuresFor(rule: VotingRule): MeasureDef[] {
  switch (rule.basis) {
    case 'per-practice':
      return [MEASURES.practices];
    case 'per-partner':
      return [MEASURES.partners];
    case 'list-size':
      return [MEASURES['list-size']];
    case 'dual':
      return [MEASURES.practices, MEASURES['list-size']];
  }
}

/** Threshold as the fraction p/q that `for / counted` must reach (`strict`: must exceed). */
const THRESHOLD_FRACTION: Record<Exclude<Threshold, 'unanimous' | 'unanimous-excluding-subject'>, { p: bigint; q: bigint; strict: boolean; text: string }> = {
  simple: { p: 1n, q: 2n, strict: true, text: 'A simple majority needs more than 50%' },
  'two-thirds': { p: 2n, q: 3n, strict: false, text: 'A two-thirds majority needs at least two thirds (66.7%)' },
  'special-75': { p: 3n, q: 4n, strict: false, text: 'A special resolution needs at least 75%' },
};

const MILLION = 1_000_000n;

/** Quorum share as an exact count of millionths. */
function quorumMillionths(share: number): bigint {
  return BigInt(Math.round(share * 1_000_000));
}

/** Whole number with thousands separators, without locale data. */
export function formatWeight(n: number): string {
  const s = Math.abs(n).toString();
  const grouped = s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return n < 0 ? `-${grouped}` : grouped;
}

/** part/whole as a percentage truncated to one decimal place, so it never overstates support. */
export function formatPercent(part: number, whole: number): string {
  if (whole === 0) return '0.0%';
  const tenths = (BigInt(part) * 1000n) / BigInt(whole);
  return `${tenths / 10n}.${tenths % 10n}%`;
}

function formatDecimal(n: number): string {
  if (Number.isInteger(n)) return formatWeight(n);
  return n.toFixed(2).replace(/0+$/, '').replace(/\.$/, '');
}

function plural(def: MeasureDef, n: number): string {
  return `${formatWeight(n)} ${n === 1 ? def.one : def.many}`;
}

/** Counts a motion. Pure and deterministic: same input, same result and same words. */
export function tallyVotes(input: TallyInput): TallyResult {
  const { electorate, ballots, rule, subjectPracticeId, chairCasting } = input;
  const problem = electorateProblem(electorate);
  if (problem) throw new TallyInputError('INVALID_ELECTORATE', problem);
  if (excludesSubject(rule) && subjectPracticeId === undefined) {
    throw new TallyInputError('SUBJECT_REQUIRED', 'A motion under "unanimous excluding the subject" must name the practice it concerns.');
  }

  const options: TallyOptions = { subjectPracticeId };
  const acceptedBallots: Ballot[] = [];
  const rejected: TallyResult['rejected'] = [];
  for (const ballot of ballots) {
    const check = validateBallot(electorate, acceptedBallots, ballot, rule, options);
    if (check.ok) acceptedBallots.push(ballot);
    else rejected.push({ ballot, reason: check.reason, message: check.message });
  }

  const subjectExcluded = excludesSubject(rule) && subjectPracticeId !== undefined;
  const eligible = electorate.filter((v) => !(subjectExcluded && v.practiceId === subjectPracticeId));
  const choiceOf = new Map<string, Choice>(acceptedBallots.map((b) => [principalOf(b), b.choice]));
  const castInPerson = new Set(acceptedBallots.map((b) => b.voterId));

  const lines: string[] = [];
  lines.push(`Voting rule version ${rule.version} (${rule.decisionType}): ${basisPhrase(rule)}.`);
  const proxies = acceptedBallots.filter((b) => b.proxyFor !== undefined).length;
  lines.push(
    `Ballots received: ${ballots.length}; counted: ${acceptedBallots.length}` +
      (proxies > 0 ? ` (${proxies} by proxy)` : '') +
      (rejected.length > 0 ? `; rejected: ${rejected.length} (${summariseRejections(rejected)})` : '') +
      '.',
  );
  if (subjectExcluded) {
    const subjectVoters = electorate.length - eligible.length;
    lines.push(
      `Practice ${subjectPracticeId} is the subject of the motion and does not vote` +
        (subjectVoters === 0 ? ' (it is not in the electorate)' : '') +
        `; ${eligible.length} ${eligible.length === 1 ? 'practice is' : 'practices are'} eligible.`,
    );
  }

  const quorumNum = quorumMillionths(rule.quorum.minShareOfEligibleWeight);
  const missingOffices = rule.quorum.requiredOffices.filter((office) => !electorate.some((v) => v.offices.includes(office) && castInPerson.has(v.voterId)));

  let castingVoteUsed = false;
  let anyTie = false;
  const perBasis: MeasureCount[] = [];
  const quorumLines: string[] = [];
  for (const def of measuresFor(rule)) {
    let f = 0;
    let a = 0;
    let ab = 0;
    let e = 0;
    for (const v of eligible) {
      const w = def.weight(v);
      e += w;
      const c = choiceOf.get(v.voterId);
      if (c === 'for') f += w;
      else if (c === 'against') a += w;
      else if (c === 'abstain') ab += w;
    }
    const present = f + a + (rule.abstentions === 'ignored' ? 0 : ab);
    const quorumMet = BigInt(present) * MILLION >= quorumNum * BigInt(e);
    const required = (Number(quorumNum) * e) / 1_000_000;
    quorumLines.push(
      `Quorum (${def.many}): at least ${formatShare(rule.quorum.minShareOfEligibleWeight)} of ${plural(def, e)} eligible, i.e. ${formatDecimal(required)}, must take part` +
        (rule.abstentions === 'ignored' && ab > 0 ? ' (abstentions do not count towards it)' : '') +
        `; ${formatWeight(present)} took part (${formatPercent(present, e)}). ${quorumMet ? 'Met.' : 'Not met.'}`,
    );

    const against = a + (rule.abstentions === 'count-as-against' ? ab : 0);
    const counted = f + against;
    let thresholdMet: boolean;
    let tie = false;
    let need: string;
    if (rule.threshold === 'unanimous' || rule.threshold === 'unanimous-excluding-subject') {
      thresholdMet = counted > 0 && against === 0;
      need =
        rule.threshold === 'unanimous'
          ? 'Unanimity needs every counted vote to be for the motion'
          : 'Unanimity (excluding the subject practice) needs every counted vote to be for the motion';
    } else {
      const t = THRESHOLD_FRACTION[rule.threshold];
      const lhs = BigInt(f) * t.q;
      const rhs = t.p * BigInt(counted);
      thresholdMet = counted > 0 && (t.strict ? lhs > rhs : lhs >= rhs);
      tie = rule.threshold === 'simple' && counted > 0 && f === against;
      need = t.text;
    }
    const abstentionNote =
      ab === 0
        ? ''
        : rule.abstentions === 'count-as-against'
          ? ` Abstentions (${formatWeight(ab)}) count as votes against.`
          : ` Abstentions (${formatWeight(ab)}) are not counted.`;
    let explanation =
      `Votes for: ${formatWeight(f)} of ${plural(def, counted)} cast (${formatPercent(f, counted)}); against: ${formatWeight(against)}.` +
      abstentionNote +
      ` ${need}. ${counted === 0 ? 'No votes were counted, so the threshold is not met.' : thresholdMet ? 'Threshold met.' : 'Threshold not met.'}`;
    let carried = thresholdMet;
    if (tie) {
      anyTie = true;
      if (rule.castingVote && chairCasting !== undefined) {
        castingVoteUsed = true;
        carried = chairCasting === 'for';
        explanation += ` The vote is tied at ${formatWeight(f)} to ${formatWeight(against)}; the chair gave a casting vote ${chairCasting} the motion, so it is ${carried ? 'carried' : 'not carried'} on this measure.`;
      } else if (rule.castingVote) {
        explanation += ` The vote is tied at ${formatWeight(f)} to ${formatWeight(against)}; the chair did not give a casting vote, so the motion is not carried on this measure.`;
      } else {
        explanation += ` The vote is tied at ${formatWeight(f)} to ${formatWeight(against)} and the rule gives no casting vote, so the motion is not carried on this measure.`;
      }
    }
    perBasis.push({
      measure: def.measure,
      for: f,
      against: a,
      abstain: ab,
      eligible: e,
      notVoted: e - f - a - ab,
      quorum: { required, present, met: quorumMet },
      counted,
      tie,
      thresholdMet,
      carried,
      explanation: rule.basis === 'dual' ? `${capitalise(def.many)}: ${explanation}` : explanation,
    });
  }

  for (const office of rule.quorum.requiredOffices) {
    quorumLines.push(
      `Required office ${office}: ${missingOffices.includes(office) ? 'its holder did not vote in person. Not met.' : 'its holder voted in person. Met.'}`,
    );
  }
  const quorumMet = missingOffices.length === 0 && perBasis.every((m) => m.quorum.met);
  lines.push(...quorumLines);
  for (const m of perBasis) lines.push(m.explanation);

  const carried = perBasis.every((m) => m.carried);
  const result: TallyResult['result'] = !quorumMet ? 'inquorate' : carried ? 'carried' : 'lost';
  if (result === 'inquorate') lines.push('Result: inquorate. The vote is not quorate, so no decision is made.');
  else if (rule.basis === 'dual')
    lines.push(`Result: ${result}. ${carried ? 'Both majorities were reached.' : 'A dual-majority motion needs both majorities.'}`);
  else lines.push(`Result: ${result}.`);

  const first = perBasis[0];
  return {
    ruleVersion: rule.version,
    result,
    quorum: {
      required: first.quorum.required,
      present: first.quorum.present,
      met: quorumMet,
      missingOffices,
      explanation: quorumLines.join(' '),
    },
    tallies: { for: first.for, against: first.against, abstain: first.abstain, eligible: first.eligible },
    perBasis,
    thresholdExplanation: perBasis.map((m) => m.explanation).join(' '),
    explanationLines: lines,
    castingVoteUsed,
    tie: anyTie,
    accepted: acceptedBallots.map((b) => ({ principalId: principalOf(b), castBy: b.voterId, choice: b.choice, byProxy: b.proxyFor !== undefined })),
    rejected,
  };
}

function basisPhrase(rule: VotingRule): string {
  const basis = {
    'per-practice': 'one vote per practice',
    'per-partner': 'one vote per partner',
    'list-size': 'weighted by list size',
    dual: 'dual majority of practices and of list size',
  }[rule.basis];
  const threshold = {
    simple: 'simple majority of votes cast',
    'two-thirds': 'two-thirds majority',
    'special-75': 'special resolution (75%)',
    unanimous: 'unanimous',
    'unanimous-excluding-subject': 'unanimous excluding the subject practice',
  }[rule.threshold];
  return `${basis}, ${threshold}`;
}

function summariseRejections(rejected: TallyResult['rejected']): string {
  const counts = new Map<BallotRejection, number>();
  for (const r of rejected) counts.set(r.reason, (counts.get(r.reason) ?? 0) + 1);
  const words: Record<BallotRejection, string> = {
    NOT_IN_ELECTORATE: 'not in the electorate',
    PROXY_NOT_ALLOWED: 'proxy not allowed',
    PROXY_FOR_SELF: 'proxy for self',
    PROXY_PRINCIPAL_NOT_IN_ELECTORATE: 'proxy for someone outside the electorate',
    PROXY_NOT_APPOINTED: 'proxy not appointed',
    SUBJECT_EXCLUDED: 'subject practice may not vote',
    ALREADY_VOTED: 'already voted',
  };
  return [...counts.entries()].map(([reason, n]) => `${n} ${words[reason]}`).join(', ');
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
