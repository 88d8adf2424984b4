/**
 * Terms of reference / constitution (DOMAIN.md §3.1, voting conventions §4): the context schema,
 * the facilitator's stage data and the builder that joins them to the network's facts.
 */
import { z } from 'zod';
import { NetworkFacts, buildNetworkContext, isoDate, networkContextShape } from '../network-context';
import { LIST_MAX, lineField, listOf, nameField, paragraphField } from '../fields';
import { LEGAL_FORM_KEYS, LEGAL_FORM_LABELS, LegalFormKey } from '../../domain/legal-forms';
import {
  constitutionVotingRules,
  DECISION_TYPES,
  type DecisionType,
  thresholdSchema,
  type Threshold,
  type VotingBasis,
  votingBasisSchema,
  type VotingRule,
} from '../../domain/voting/rule';

/**
 * Voting: the ToR states a basis and a threshold per decision type in the domain's own terms
 * (domain/voting/rule.ts), and the same rules become the network's voting rules when the ToR is
 * signed (`adoptedVotingRules`), so the document says exactly what later votes apply.
 */
export { DECISION_TYPES, type DecisionType } from '../../domain/voting/rule';

const DECISION_LABELS: Record<DecisionType, string> = {
  ordinary: 'Ordinary business (budgets within the financial framework, work plans)',
  allocation: 'Allocation of money or resources that affects practices unequally',
  constitutional: 'Amending these terms of reference or changing the distribution method',
  admission: 'Admitting a new member practice',
  expulsion: 'Expelling a member practice',
  'legal-form': 'Changing the legal form of the network',
  appointment: 'Appointing or removing the Clinical Director',
  dissolution: 'Dissolving the network or merging it with another',
};

const BASIS_WORDS: Record<VotingBasis, string> = {
  'per-practice': 'one practice, one vote',
  'per-partner': 'one vote per partner of each practice',
  'list-size': 'votes weighted by registered list size',
  dual: 'a majority of member practices and of the combined registered list (dual majority)',
};

const THRESHOLD_WORDS: Record<Threshold, string> = {
  simple: 'more than half of the votes cast',
  'two-thirds': 'at least two-thirds of the votes cast',
  'special-75': 'at least 75% of the votes cast (special resolution)',
  unanimous: 'every member practice in favour',
  'unanimous-excluding-subject': 'every member practice in favour, except the practice concerned, which does not vote',
};

/**
 * Spellings the stage data used before it shared the domain's: still accepted, so stored stage
 * data and existing scripts keep working, and mapped here, once, to the domain's terms.
 * Deprecated: send `list-size` and `special-75`.
 */
const legacyBasis = z
  .literal('per-list')
  .transform((): VotingBasis => 'list-size')
  .meta({ deprecated: true, description: 'deprecated spelling of list-size' });
const legacyThreshold = z
  .literal('three-quarters')
  .transform((): Threshold => 'special-75')
  .meta({ deprecated: true, description: 'deprecated spelling of special-75' });

const statedRule = z
  .object({
    basis: z
      .union([votingBasisSchema, legacyBasis])
      .optional()
      .meta({ title: 'Who votes, with what weight', description: 'Leave as not stated for the programme default.', options: BASIS_WORDS }),
    threshold: z
      .union([thresholdSchema, legacyThreshold])
      .optional()
      .meta({ title: 'What carries a motion', description: 'Leave as not stated for the programme default.', options: THRESHOLD_WORDS }),
  })
  .strict();

/** What the ToR states for each decision type: the stage's own choices over the domain defaults (list size for allocation when votes are weighted). */
function statedRules(data: { weightedVoting: boolean; votingRules: Partial<Record<DecisionType, { basis?: VotingBasis; threshold?: Threshold }>> }) {
  return Object.fromEntries(
    DECISION_TYPES.map((dt) => [dt, { ...(dt === 'allocation' && data.weightedVoting ? { basis: 'list-size' as const } : {}), ...data.votingRules[dt] }]),
  ) as Record<DecisionType, { basis?: VotingBasis; threshold?: Threshold }>;
}

/** The voting rules a signed ToR adopts, one per decision type, labelled with `version`. */
export function adoptedVotingRules(stageData: unknown, version: string): VotingRule[] {
  const data = stageDataSchema.parse(stageData ?? {});
  return constitutionVotingRules({ castingVote: data.castingVote, stated: statedRules(data) }, version);
}

const votingRow = z.object({
  decisionType: z.enum(DECISION_TYPES),
  label: z.string().min(1),
  basis: votingBasisSchema,
  threshold: thresholdSchema,
  basisWords: z.string().min(1),
  thresholdWords: z.string().min(1),
  castingVote: z.boolean(),
});

export const contextSchema = z.object({
  ...networkContextShape,
  purpose: z.string().min(1),
  objectives: z.array(z.string().min(1)).min(1),
  principles: z.array(z.string().min(1)).min(1),
  legalForm: z.enum(LEGAL_FORM_KEYS),
  legalFormLabel: z.string().min(1),
  incorporated: z.boolean(),
  entityName: z.string().min(1).optional(),
  board: z.object({
    meetingFrequency: z.string().min(1),
    noticeDays: z.number().int().positive(),
    egmRequestPercent: z.number().positive().max(100),
    virtualAttendance: z.boolean(),
    coOptedMembers: z.boolean(),
    patientRepresentative: z.object({ included: z.boolean(), name: z.string().min(1).optional() }),
    networkManager: z.string().min(1).optional(),
  }),
  officers: z.object({
    chair: z.string().min(1).optional(),
    clinicalDirector: z.string().min(1).optional(),
    viceChair: z.boolean(),
    chairTermYears: z.number().int().positive(),
    maxConsecutiveTerms: z.number().int().positive(),
  }),
  quorum: z.object({
    description: z.string().min(1),
    minimumPractices: z.number().int().positive(),
    requiredOffices: z.array(z.string().min(1)),
  }),
  castingVote: z.boolean(),
  /** labels of the decision types on which the chair has a casting vote (empty when none) */
  castingVoteOn: z.array(z.string().min(1)),
  writtenResolutions: z.boolean(),
  urgentDecisions: z.boolean(),
  weightedVoting: z.boolean(),
  census: z.object({ date: isoDate }).optional(),
  votingMatrix: z.array(votingRow).length(DECISION_TYPES.length),
  membership: z.object({
    eligibility: z.string().min(1),
    withdrawalNoticeMonths: z.number().int().positive(),
    appealDays: z.number().int().positive(),
    associateMembers: z.boolean(),
  }),
  subGroups: z.array(z.string().min(1)),
  reviewMonths: z.number().int().positive(),
  amendmentThresholdPercent: z.number().positive().max(100),
});
export type TermsOfReferenceContext = z.infer<typeof contextSchema>;

/** What a facilitator may supply for the terms-of-reference stage; everything has a default. */
export const stageDataSchema = z.object({
  purpose: paragraphField().optional().meta({ title: 'Purpose of the network', description: 'Leave blank for standard wording.' }),
  objectives: listOf(lineField()).optional().meta({ title: 'Objectives', description: 'Leave blank for the standard objectives.' }),
  principles: listOf(lineField())
    .optional()
    .meta({ title: 'Principles', description: 'How the practices agree to work together. Leave blank for the standard principles.' }),
  legalForm: z.enum(LEGAL_FORM_KEYS).default('contractual').meta({ title: 'Legal form', options: LEGAL_FORM_LABELS }),
  entityName: nameField().optional().meta({ title: 'Name of the legal entity', description: 'Only for an incorporated form, once the name is registered.' }),
  meetingFrequency: nameField().default('monthly').meta({ title: 'How often the board meets', description: 'For example, monthly.' }),
  noticeDays: z.number().int().min(1).max(60).default(7).meta({ title: 'Notice of a board meeting (days)' }),
  egmRequestPercent: z.number().positive().max(100).default(25).meta({ title: 'Share of members who can call an extraordinary meeting (%)' }),
  virtualAttendance: z.boolean().default(true).meta({ title: 'May members attend meetings by video or phone?' }),
  coOptedMembers: z.boolean().default(true).meta({ title: 'May the board co-opt members?' }),
  patientRepresentative: z
    .object({
      included: z.boolean().default(true).meta({ title: 'Does the board include a patient representative?' }),
      name: nameField().optional().meta({ title: 'Patient representative’s name', description: 'Leave blank if not yet chosen.' }),
    })
    .prefault({})
    .meta({ title: 'Patient representative' }),
  networkManager: nameField().optional().meta({ title: 'Network manager' }),
  chair: nameField().optional().meta({ title: 'Chair', description: 'Leave blank if not yet elected.' }),
  clinicalDirector: nameField().optional().meta({ title: 'Clinical Director', description: 'Leave blank if not yet appointed.' }),
  viceChair: z.boolean().default(true).meta({ title: 'Is there a vice-chair?' }),
  chairTermYears: z.number().int().min(1).max(5).default(2).meta({ title: 'Chair’s term of office (years)' }),
  maxConsecutiveTerms: z.number().int().min(1).max(5).default(2).meta({ title: 'Most terms in a row for an officer' }),
  quorum: z
    .object({
      description: paragraphField().optional().meta({ title: 'Quorum in words', description: 'Leave blank for standard wording.' }),
      requiredOffices: z.array(nameField()).max(LIST_MAX).default(['Chair', 'Clinical Director']).meta({ title: 'Officers who must be present' }),
    })
    .prefault({})
    .meta({ title: 'Quorum of a board meeting' }),
  castingVote: z
    .boolean()
    .default(true)
    .meta({ title: 'Does the chair have a casting vote on a tie?', description: 'Only on decisions carried by a simple majority.' }),
  writtenResolutions: z.boolean().default(true).meta({ title: 'May the board decide by written resolution?' }),
  urgentDecisions: z.boolean().default(true).meta({ title: 'May the officers take urgent decisions between meetings?' }),
  weightedVoting: z.boolean().default(false).meta({ title: 'Are votes on allocations weighted by list size?' }),
  censusDate: isoDate.optional().meta({ title: 'Date of the list-size census used for weighted votes', input: 'date' }),
  votingRules: z.partialRecord(z.enum(DECISION_TYPES), statedRule).default({}).meta({
    title: 'Voting rules by decision',
    description: 'Anything left as not stated follows the programme’s default rule for that kind of decision.',
    options: DECISION_LABELS,
  }),
  withdrawalNoticeMonths: z.number().int().min(1).max(24).default(6).meta({ title: 'Notice a practice gives to leave (months)' }),
  appealDays: z.number().int().min(1).max(90).default(20).meta({ title: 'Days to appeal an expulsion' }),
  associateMembers: z.boolean().default(false).meta({ title: 'May the network have associate members?' }),
  subGroups: z.array(lineField()).max(LIST_MAX).default(['Finance and performance group', 'Clinical quality group']).meta({ title: 'Sub-groups of the board' }),
  reviewMonths: z.number().int().min(1).max(60).default(12).meta({ title: 'Review these terms every (months)' }),
  amendmentThresholdPercent: z.number().min(51).max(100).default(75).meta({ title: 'Vote needed to amend these terms (%)' }),
});
export type TermsOfReferenceStageData = z.infer<typeof stageDataSchema>;

export function buildContext(facts: NetworkFacts, stageData: unknown): TermsOfReferenceContext {
  const data = stageDataSchema.parse(stageData ?? {});
  const base = buildNetworkContext(facts);
  // the matrix is drawn from the very rules the signed ToR adopts (the version label is not shown)
  const rules = constitutionVotingRules({ castingVote: data.castingVote, stated: statedRules(data) }, 'terms-of-reference');
  const votingMatrix = rules.map((rule) => ({
    decisionType: rule.decisionType,
    label: DECISION_LABELS[rule.decisionType],
    basis: rule.basis,
    threshold: rule.threshold,
    basisWords: BASIS_WORDS[rule.basis],
    thresholdWords: THRESHOLD_WORDS[rule.threshold],
    castingVote: rule.castingVote,
  }));
  const offices = data.quorum.requiredOffices;
  const minimumPractices = Math.floor(base.practiceCount / 2) + 1;
  const officesWords = offices.length === 0 ? '' : ` including the ${offices.join(' or the ')}`;
  const legalForm = data.legalForm as LegalFormKey;
  return {
    ...base,
    purpose:
      data.purpose ??
      `to enable its member practices to work together at scale: sharing staff, services and risk, and improving care and outcomes for the ${base.totalListSize.toLocaleString('en-GB')} patients registered with them`,
    objectives: data.objectives ?? [
      'deliver the services and care packages agreed with the commissioner across the whole network',
      'reduce unwarranted variation in quality between member practices, measured on a shared dashboard',
      'share workforce, back-office functions and expertise where doing so benefits patients or practices',
      'speak with one voice for member practices in discussions with the commissioner and partners',
    ],
    principles: data.principles ?? [
      'Trust: members act in good faith and assume good faith in each other.',
      'Transparency: information about performance and money is shared openly between members.',
      'Collaboration: members seek consensus and put the interests of the network’s patients first.',
      'Equity: every member practice has a voice, whatever its size.',
    ],
    legalForm,
    legalFormLabel: LEGAL_FORM_LABELS[legalForm],
    incorporated: !['contractual', 'unincorporated', 'partnership'].includes(legalForm),
    entityName: data.entityName,
    board: {
      meetingFrequency: data.meetingFrequency,
      noticeDays: data.noticeDays,
      egmRequestPercent: data.egmRequestPercent,
      virtualAttendance: data.virtualAttendance,
      coOptedMembers: data.coOptedMembers,
      patientRepresentative: data.patientRepresentative,
      networkManager: data.networkManager,
    },
    officers: {
      chair: data.chair,
      clinicalDirector: data.clinicalDirector,
      viceChair: data.viceChair,
      chairTermYears: data.chairTermYears,
      maxConsecutiveTerms: data.maxConsecutiveTerms,
    },
    quorum: {
      description: data.quorum.description ?? `more than half of member practices${officesWords}`,
      minimumPractices,
      requiredOffices: offices,
    },
    castingVote: data.castingVote,
    castingVoteOn: votingMatrix.filter((r) => r.castingVote).map((r) => lowerFirst(r.label)),
    writtenResolutions: data.writtenResolutions,
    urgentDecisions: data.urgentDecisions,
    weightedVoting: data.weightedVoting,
    census: data.weightedVoting ? { date: data.censusDate ?? `${facts.wave.panelDate.slice(0, 4)}-01-01` } : undefined,
    votingMatrix,
    membership: {
      eligibility: `a general practice holding a GMS, PMS or APMS contract whose registered population lies within the network area agreed with ${base.programme.sponsor}`,
      withdrawalNoticeMonths: data.withdrawalNoticeMonths,
      appealDays: data.appealDays,
      associateMembers: data.associateMembers,
    },
    subGroups: data.subGroups,
    reviewMonths: data.reviewMonths,
    amendmentThresholdPercent: data.amendmentThresholdPercent,
  };
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
