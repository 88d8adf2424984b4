import { z } from 'zod';

/**
 * Voting rules: the parameters of every motion. A network's adopted constitution fixes them; the
 * programme defaults below apply until it does (DOMAIN.md §4). A motion snapshots the rule it was
 * opened under, and its result names `version`, so a later change of constitution never rewrites
 * an old result.
 */

export const DECISION_TYPES = ['ordinary', 'allocation', 'constitutional', 'admission', 'expulsion', 'legal-form', 'appointment', 'dissolution'] as const;
export const decisionTypeSchema = z.enum(DECISION_TYPES);
export type DecisionType = z.infer<typeof decisionTypeSchema>;

/**
 * Whose weight a vote carries. `dual` needs a majority of practices AND a majority of list size,
 * each measured separately against the threshold.
 */
export const votingBasisSchema = z.enum(['per-practice', 'per-partner', 'list-size', 'dual']);
export type VotingBasis = z.infer<typeof votingBasisSchema>;

export const thresholdSchema = z.enum(['simple', 'two-thirds', 'special-75', 'unanimous', 'unanimous-excluding-subject']);
export type Threshold = z.infer<typeof thresholdSchema>;

/**
 * - `ignored`: an abstention is as if the voter had not voted (not present for quorum, not in the count).
 * - `count-as-against`: present for quorum and counted against the motion.
 * - `count-towards-quorum-only`: present for quorum, left out of the count.
 */
export const abstentionTreatmentSchema = z.enum(['ignored', 'count-as-against', 'count-towards-quorum-only']);
export type AbstentionTreatment = z.infer<typeof abstentionTreatmentSchema>;

export const quorumRuleSchema = z.object({
  /** Share (0..1) of the eligible weight that must take part. Compared exactly to six decimal places. */
  minShareOfEligibleWeight: z.number().min(0).max(1),
  /** Offices (e.g. `chair`) whose holder must take part in person, not by proxy. */
  requiredOffices: z.array(z.string().min(1)),
});
export type QuorumRule = z.infer<typeof quorumRuleSchema>;

export const votingRuleSchema = z.object({
  version: z.string().min(1),
  decisionType: decisionTypeSchema,
  basis: votingBasisSchema,
  threshold: thresholdSchema,
  abstentions: abstentionTreatmentSchema,
  quorum: quorumRuleSchema,
  /** Whether a voter may cast the ballot of another voter who appointed them. */
  proxies: z.boolean(),
  /** Whether the chair breaks an exact tie under a simple-majority threshold. */
  castingVote: z.boolean(),
  ballot: z.enum(['open', 'secret']),
});
export type VotingRule = z.infer<typeof votingRuleSchema>;

/** The parts of a rule a network may set for one decision type; anything left out keeps the rule in force. */
export const votingRulePatchSchema = votingRuleSchema.omit({ version: true, decisionType: true }).partial().strict();
export type VotingRulePatch = z.infer<typeof votingRulePatchSchema>;

/** Version label of the programme defaults; a constitution that adopts its own rules sets its own. */
export const DEFAULT_RULES_VERSION = 'programme-default-1';

function rule(decisionType: DecisionType, fields: Omit<VotingRule, 'decisionType' | 'version'>): VotingRule {
  return { version: DEFAULT_RULES_VERSION, decisionType, ...fields };
}

const halfPresent = (): QuorumRule => ({ minShareOfEligibleWeight: 0.5, requiredOffices: [] });
// Unanimity in the partnership sense is the consent of every member, so everyone eligible must vote
// and an abstention withholds consent.
const everyonePresent = (): QuorumRule => ({ minShareOfEligibleWeight: 1, requiredOffices: [] });

/**
 * The DOMAIN.md §4 defaults. Design options (no source) are marked there; every field is
 * configurable per network. Dissolution or merger, "unanimous or ≥75%" there, is a special
 * resolution here, like the other fundamental decisions (constitution, legal form): a company is
 * wound up voluntarily by special resolution, a single practice cannot hold the others in a network
 * they want to end (each can still leave by notice), and motions counted under this version
 * always applied 75%.
 */
export function defaultVotingRules(): Record<DecisionType, VotingRule> {
  const common = { proxies: true, ballot: 'open' as const, basis: 'per-practice' as const };
  // the fundamental decisions (constitution, legal form, dissolution): a special resolution, on a half quorum
  const specialResolution = () => ({ ...common, threshold: 'special-75' as const, abstentions: 'ignored' as const, quorum: halfPresent(), castingVote: false });
  // every practice's consent: all present, and an abstention withholds consent
  const everyPractice = (threshold: 'unanimous' | 'unanimous-excluding-subject') => ({
    ...common,
    threshold,
    abstentions: 'count-as-against' as const,
    quorum: everyonePresent(),
    castingVote: false,
  });
  return {
    ordinary: rule('ordinary', { ...common, threshold: 'simple', abstentions: 'ignored', quorum: halfPresent(), castingVote: true }),
    allocation: rule('allocation', { ...common, basis: 'dual', threshold: 'simple', abstentions: 'ignored', quorum: halfPresent(), castingVote: false }),
    constitutional: rule('constitutional', specialResolution()),
    admission: rule('admission', everyPractice('unanimous')),
    expulsion: rule('expulsion', everyPractice('unanimous-excluding-subject')),
    'legal-form': rule('legal-form', specialResolution()),
    appointment: rule('appointment', { ...common, threshold: 'simple', abstentions: 'ignored', quorum: halfPresent(), castingVote: true }),
    dissolution: rule('dissolution', specialResolution()),
  };
}

/** What a network's constitution (its terms of reference) states about voting. */
export interface ConstitutionChoices {
  /** Whether the chair has a casting vote: on the decision types whose default gives one, and only under a simple majority. */
  castingVote: boolean;
  /** The basis and threshold stated for a decision type; the default stands for anything not stated. */
  stated: Partial<Record<DecisionType, { basis?: VotingBasis; threshold?: Threshold }>>;
}

/**
 * The rules a constitution adopts, one per decision type, labelled with its version so every later
 * result names the constitution it was counted under. Quorum, abstentions, proxies and ballot keep
 * the defaults, which the constitution's text does not vary.
 */
export function constitutionVotingRules(choices: ConstitutionChoices, version: string): VotingRule[] {
  const defaults = defaultVotingRules();
  return DECISION_TYPES.map((decisionType) => {
    const base = defaults[decisionType];
    const stated = choices.stated[decisionType] ?? {};
    const threshold = stated.threshold ?? base.threshold;
    return { ...base, version, basis: stated.basis ?? base.basis, threshold, castingVote: choices.castingVote && base.castingVote && threshold === 'simple' };
  });
}

const DECISION_LABEL: Record<DecisionType, string> = {
  ordinary: 'Ordinary business',
  allocation: 'Allocation of money or resources',
  constitutional: 'Change to the constitution or terms of reference',
  admission: 'Admission of a new member practice',
  expulsion: 'Expulsion of a member practice',
  'legal-form': 'Change of legal form',
  appointment: 'Appointment or removal of an office holder',
  dissolution: 'Dissolution or merger',
};

/** A decision type in words: "appointment" → "Appointment or removal of an office holder". */
export function decisionLabel(decisionType: DecisionType): string {
  return DECISION_LABEL[decisionType];
}

const BASIS_TEXT: Record<VotingBasis, string> = {
  'per-practice': 'each practice has one vote',
  'per-partner': 'each practice votes with one vote per partner',
  'list-size': 'each practice votes with the weight of its registered list size',
  dual: 'the motion needs a majority of practices (one vote each) and, separately, a majority of the combined list size',
};

const THRESHOLD_TEXT: Record<Threshold, string> = {
  simple: 'a simple majority (more than half)',
  'two-thirds': 'at least two thirds',
  'special-75': 'a special resolution (at least 75%)',
  unanimous: 'unanimity (no vote against)',
  'unanimous-excluding-subject': 'unanimity of every practice except the practice the motion concerns, which does not vote',
};

const ABSTENTION_TEXT: Record<AbstentionTreatment, string> = {
  ignored: 'abstentions are disregarded: they neither count towards the quorum nor in the votes cast',
  'count-as-against': 'an abstention counts towards the quorum and as a vote against',
  'count-towards-quorum-only': 'abstentions count towards the quorum but not in the votes cast',
};

/** Formats a 0..1 share as a percentage without float noise (0.5 → "50%", 2/3 → "66.6667%"). */
export function formatShare(share: number): string {
  const scaled = Math.round(share * 1_000_000); // millionths, the precision quorum checks use
  const whole = Math.floor(scaled / 10_000);
  const frac = (scaled % 10_000).toString().padStart(4, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}%` : `${whole}%`;
}

/** The rule in plain English, for ballot papers, result sheets and the constitution's schedule. */
export function describeRule(r: VotingRule): string {
  const parts: string[] = [];
  parts.push(`${DECISION_LABEL[r.decisionType]}: ${BASIS_TEXT[r.basis]}.`);
  parts.push(`A motion is carried by ${THRESHOLD_TEXT[r.threshold]} of the votes cast; ${ABSTENTION_TEXT[r.abstentions]}.`);
  const q = r.quorum;
  const quorumParts: string[] = [];
  if (q.minShareOfEligibleWeight >= 1) quorumParts.push('every eligible vote must be cast');
  else if (q.minShareOfEligibleWeight > 0) quorumParts.push(`at least ${formatShare(q.minShareOfEligibleWeight)} of the eligible voting weight must take part`);
  if (q.requiredOffices.length > 0) quorumParts.push(`the ${joinWords(q.requiredOffices)} must vote in person`);
  parts.push(quorumParts.length > 0 ? `Quorum: ${quorumParts.join(', and ')}.` : 'There is no quorum requirement.');
  parts.push(r.proxies ? 'A practice may appoint another practice’s representative as its proxy.' : 'Proxy votes are not accepted.');
  if (r.threshold === 'simple') {
    parts.push(r.castingVote ? 'On an exact tie the chair has a casting vote.' : 'An exact tie means the motion is lost.');
  }
  parts.push(r.ballot === 'secret' ? 'The ballot is secret.' : 'The ballot is open: how each practice voted is recorded.');
  parts.push(`(Rule version ${r.version}.)`);
  return parts.join(' ');
}

function joinWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}
