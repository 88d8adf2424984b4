import type { Ballot, Voter } from './voting.schema';
import type { VotingRule } from './rule';

/**
 * Who may cast a ballot on a motion, and for whom: the electorate, a ballot's shape, and the rule
 * the vote workflow's Update validator applies before it accepts a ballot. The tally applies the
 * same rule again, so the validator and the count can never disagree.
 */

export type { Ballot, Choice, Voter } from './voting.schema';
export type Electorate = Voter[];

export type BallotRejection =
  | 'NOT_IN_ELECTORATE'
  | 'PROXY_NOT_ALLOWED'
  | 'PROXY_FOR_SELF'
  | 'PROXY_PRINCIPAL_NOT_IN_ELECTORATE'
  | 'PROXY_NOT_APPOINTED'
  | 'SUBJECT_EXCLUDED'
  | 'ALREADY_VOTED';

export type BallotValidation = { ok: true } | { ok: false; reason: BallotRejection; message: string };

export interface BallotOptions {
  /** The practice a motion concerns (expulsion); it does not vote under `unanimous-excluding-subject`. */
  subjectPracticeId?: string;
  /**
   * Proxies appointed so far (principal → proxy). Given by the vote workflow, whose state holds
   * them; a ballot cast for another practice is then refused unless its caster was appointed.
   */
  appointedProxies?: Readonly<Record<string, string>>;
}

export function electorateProblem(voters: readonly Voter[]): string | undefined {
  const voterIds = new Set<string>();
  const practiceIds = new Set<string>();
  for (const v of voters) {
    if (voterIds.has(v.voterId)) return `Voter ${v.voterId} appears twice in the electorate.`;
    if (practiceIds.has(v.practiceId)) return `Practice ${v.practiceId} has more than one voter in the electorate.`;
    if (!Number.isSafeInteger(v.listSize) || v.listSize < 0) return `Voter ${v.voterId} has an invalid list size.`;
    if (!Number.isSafeInteger(v.partnerCount) || v.partnerCount < 0) return `Voter ${v.voterId} has an invalid partner count.`;
    voterIds.add(v.voterId);
    practiceIds.add(v.practiceId);
  }
  return undefined;
}

/** Whether the rule takes the subject practice out of the electorate. */
export function excludesSubject(rule: VotingRule): boolean {
  return rule.threshold === 'unanimous-excluding-subject';
}

export function principalOf(b: Ballot): string {
  return b.proxyFor ?? b.voterId;
}

/**
 * Whether a ballot may be accepted, given the ballots accepted so far. Used by the vote workflow's
 * Update validator (so the caller is refused at once) and again by the tally, so both agree.
 */
export function validateBallot(
  electorate: readonly Voter[],
  ballotsSoFar: readonly Ballot[],
  ballot: Ballot,
  rule: VotingRule,
  options: BallotOptions = {},
): BallotValidation {
  const caster = electorate.find((v) => v.voterId === ballot.voterId);
  if (!caster) return { ok: false, reason: 'NOT_IN_ELECTORATE', message: `${ballot.voterId} is not in the electorate for this motion.` };
  let principal = caster;
  if (ballot.proxyFor !== undefined) {
    if (!rule.proxies) return { ok: false, reason: 'PROXY_NOT_ALLOWED', message: 'This motion’s voting rule does not accept proxy votes.' };
    if (ballot.proxyFor === ballot.voterId) return { ok: false, reason: 'PROXY_FOR_SELF', message: 'A voter cannot hold their own proxy.' };
    const appointing = electorate.find((v) => v.voterId === ballot.proxyFor);
    if (!appointing)
      return { ok: false, reason: 'PROXY_PRINCIPAL_NOT_IN_ELECTORATE', message: `${ballot.proxyFor} is not in the electorate, so no proxy can vote for them.` };
    const appointed = options.appointedProxies;
    if (appointed && appointed[ballot.proxyFor] !== ballot.voterId) {
      return { ok: false, reason: 'PROXY_NOT_APPOINTED', message: `${ballot.voterId} has not been appointed proxy for ${ballot.proxyFor}.` };
    }
    principal = appointing;
  }
  if (excludesSubject(rule) && options.subjectPracticeId !== undefined && principal.practiceId === options.subjectPracticeId) {
    return { ok: false, reason: 'SUBJECT_EXCLUDED', message: 'The practice this motion concerns does not vote on it.' };
  }
  if (ballotsSoFar.some((b) => principalOf(b) === principal.voterId)) {
    return {
      ok: false,
      reason: 'ALREADY_VOTED',
      message: `A vote has already been recorded for ${principal.voterId}, in person or by proxy; only the first counts.`,
    };
  }
  return { ok: true };
}

/** A refusal by one of the motion rules below: its reason is the API error code. */
export interface MotionRefusal {
  reason:
    | 'PROXY_NOT_ALLOWED'
    | 'PROXY_FOR_SELF'
    | 'PROXY_PRINCIPAL_NOT_IN_ELECTORATE'
    | 'NOT_IN_ELECTORATE'
    | 'ALREADY_APPOINTED'
    | 'ALREADY_VOTED'
    | 'INVALID_EXTENSION';
  message: string;
}

/**
 * Whether `principalId` may appoint `proxyId` to cast its vote: the rule must allow proxies, both
 * must be in the electorate, and the principal must not have appointed one or voted already.
 */
export function proxyAppointmentRefusal(
  electorate: readonly Voter[],
  rule: VotingRule,
  appointed: Readonly<Record<string, string>>,
  hasVoted: (principalId: string) => boolean,
  principalId: string,
  proxyId: string,
): MotionRefusal | undefined {
  if (!rule.proxies) return { reason: 'PROXY_NOT_ALLOWED', message: 'This motion’s voting rule does not accept proxy votes.' };
  if (principalId === proxyId) return { reason: 'PROXY_FOR_SELF', message: 'A practice cannot be its own proxy.' };
  if (!electorate.some((v) => v.voterId === principalId))
    return { reason: 'PROXY_PRINCIPAL_NOT_IN_ELECTORATE', message: `${principalId} is not in the electorate.` };
  if (!electorate.some((v) => v.voterId === proxyId)) return { reason: 'NOT_IN_ELECTORATE', message: `${proxyId} is not in the electorate.` };
  if (appointed[principalId]) return { reason: 'ALREADY_APPOINTED', message: `${principalId} has already appointed a proxy.` };
  if (hasVoted(principalId)) return { reason: 'ALREADY_VOTED', message: `${principalId} has already voted.` };
  return undefined;
}

/** Whether a vote closing at `closesAt` may be extended to `requested` at time `now` (ms). */
export function extensionRefusal(closesAt: string, requested: string, now: number): MotionRefusal | undefined {
  const at = Date.parse(requested);
  if (Number.isNaN(at) || at <= Date.parse(closesAt))
    return { reason: 'INVALID_EXTENSION', message: `The new closing time must be later than the current one (${closesAt}).` };
  if (at <= now) return { reason: 'INVALID_EXTENSION', message: 'The new closing time must be in the future.' };
  return undefined;
}
