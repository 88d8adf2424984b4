/**
 * Legal entity options appraisal (DOMAIN.md §2): every legal form scored against the network's
 * answers to the facilitator questions, with a recommendation and its reasons. The scoring is the
 * pure function domain/legal-forms.ts#appraiseLegalForms.
 */
import { z } from 'zod';
import { NetworkFacts, buildNetworkContext, networkContextShape } from '../network-context';
import { paragraphField } from '../fields';
import {
  DEFAULT_LEGAL_FORM_ANSWERS,
  LEGAL_FORM_KEYS,
  LEGAL_FORM_LABELS,
  LEGAL_FORM_MATRIX,
  LegalFormAnswers,
  appraiseLegalForms,
} from '../../domain/legal-forms';

const QUESTION_WORDS: { key: keyof LegalFormAnswers; question: string; answer: (a: LegalFormAnswers) => string }[] = [
  {
    key: 'holdsContract',
    question: 'Who will hold the network’s contract?',
    answer: (a) => (a.holdsContract === 'network' ? 'The network itself' : 'The member practices'),
  },
  { key: 'holdsGms', question: 'Must the vehicle be able to hold a GMS contract?', answer: (a) => (a.holdsGms ? 'Yes' : 'No') },
  {
    key: 'employsStaff',
    question: 'Who will employ shared staff?',
    answer: (a) => ({ none: 'No shared staff are planned', 'lead-practice': 'A lead practice', network: 'The network itself' })[a.employsStaff],
  },
  {
    key: 'limitedLiability',
    question: 'How much does limiting members’ liability matter?',
    answer: (a) => ({ low: 'A little', medium: 'Moderately', high: 'A great deal' })[a.limitedLiability],
  },
  {
    key: 'profit',
    question: 'Will surpluses be reinvested or distributed?',
    answer: (a) => (a.profit === 'distribute' ? 'Distributed to members' : 'Reinvested'),
  },
  { key: 'weightedVoting', question: 'Should votes be weighted by list size?', answer: (a) => (a.weightedVoting ? 'Yes' : 'No: one practice, one vote') },
  { key: 'membershipChanges', question: 'How often will members join or leave?', answer: (a) => (a.membershipChanges === 'frequent' ? 'Often' : 'Rarely') },
  { key: 'nhsPension', question: 'Must staff keep NHS Pension access?', answer: (a) => (a.nhsPension ? 'Yes' : 'No') },
  {
    key: 'taxTransparency',
    question: 'Should profits be taxed in the practices (tax transparency)?',
    answer: (a) => (a.taxTransparency ? 'Yes' : 'No preference'),
  },
  { key: 'setUpBudget', question: 'What is the set-up budget?', answer: (a) => (a.setUpBudget === 'minimal' ? 'Minimal' : 'Moderate') },
  { key: 'socialPurpose', question: 'Does the network want a formal social purpose and asset lock?', answer: (a) => (a.socialPurpose ? 'Yes' : 'No') },
  { key: 'regulatedActivity', question: 'Will the vehicle itself provide CQC-regulated activity?', answer: (a) => (a.regulatedActivity ? 'Yes' : 'No') },
];

export const contextSchema = z.object({
  ...networkContextShape,
  purpose: z.string().min(1),
  answers: z.array(z.object({ question: z.string().min(1), answer: z.string().min(1), supplied: z.boolean() })).min(1),
  criteria: z.array(z.object({ name: z.string().min(1), weight: z.number().int().positive(), why: z.string().min(1) })).min(1),
  options: z
    .array(
      z.object({
        form: z.enum(LEGAL_FORM_KEYS),
        label: z.string().min(1),
        total: z.number(),
        max: z.number().positive(),
        percent: z.number(),
        rank: z.number().int().positive(),
        matrix: z.object({
          separatePerson: z.string(),
          liability: z.string(),
          contracts: z.string(),
          staff: z.string(),
          tax: z.string(),
          governance: z.string(),
          voting: z.string(),
          regulators: z.string(),
          setUp: z.string(),
          fit: z.string(),
        }),
        scores: z.array(z.object({ criterion: z.string(), score: z.number(), weight: z.number(), weighted: z.number() })),
      }),
    )
    .length(LEGAL_FORM_KEYS.length),
  recommendation: z.object({
    label: z.string().min(1),
    runnerUp: z.string().min(1),
    reasons: z.array(z.string().min(1)).min(1),
    cautions: z.array(z.string().min(1)),
  }),
});
export type LegalEntityAppraisalContext = z.infer<typeof contextSchema>;

/** The question each answer replies to, as the form and the document ask it. */
const asked = (key: keyof LegalFormAnswers, options?: Record<string, string>) => ({
  title: QUESTION_WORDS.find((q) => q.key === key)!.question,
  description: 'Leave as not stated to use the usual answer for a new network.',
  ...(options ? { options } : {}),
});

export const stageDataSchema = z.object({
  purpose: paragraphField().optional().meta({ title: 'Purpose of the appraisal', description: 'Leave blank for standard wording.' }),
  holdsContract: z
    .enum(['practices', 'network'])
    .optional()
    .meta(asked('holdsContract', { practices: 'The member practices', network: 'The network itself' })),
  holdsGms: z.boolean().optional().meta(asked('holdsGms')),
  employsStaff: z
    .enum(['none', 'lead-practice', 'network'])
    .optional()
    .meta(asked('employsStaff', { none: 'No shared staff are planned', 'lead-practice': 'A lead practice', network: 'The network itself' })),
  limitedLiability: z
    .enum(['low', 'medium', 'high'])
    .optional()
    .meta(asked('limitedLiability', { low: 'A little', medium: 'Moderately', high: 'A great deal' })),
  profit: z
    .enum(['reinvest', 'distribute'])
    .optional()
    .meta(asked('profit', { reinvest: 'Reinvested', distribute: 'Distributed to members' })),
  weightedVoting: z.boolean().optional().meta(asked('weightedVoting')),
  membershipChanges: z
    .enum(['rare', 'frequent'])
    .optional()
    .meta(asked('membershipChanges', { rare: 'Rarely', frequent: 'Often' })),
  nhsPension: z.boolean().optional().meta(asked('nhsPension')),
  taxTransparency: z.boolean().optional().meta(asked('taxTransparency')),
  setUpBudget: z
    .enum(['minimal', 'moderate'])
    .optional()
    .meta(asked('setUpBudget', { minimal: 'Minimal', moderate: 'Moderate' })),
  socialPurpose: z.boolean().optional().meta(asked('socialPurpose')),
  regulatedActivity: z.boolean().optional().meta(asked('regulatedActivity')),
});
export type LegalEntityStageData = z.infer<typeof stageDataSchema>;

export function buildContext(facts: NetworkFacts, stageData: unknown): LegalEntityAppraisalContext {
  const data = stageDataSchema.parse(stageData ?? {});
  const answers: LegalFormAnswers = { ...DEFAULT_LEGAL_FORM_ANSWERS };
  for (const key of Object.keys(DEFAULT_LEGAL_FORM_ANSWERS) as (keyof LegalFormAnswers)[]) {
    if (data[key] !== undefined) (answers as unknown as Record<string, unknown>)[key] = data[key];
  }
  const appraisal = appraiseLegalForms(answers);
  const base = buildNetworkContext(facts);
  const ranked = [...appraisal.options].sort((a, b) => a.rank - b.rank);
  return {
    ...base,
    purpose:
      data.purpose ??
      'to choose the legal form through which the member practices will work together, so that the form follows the functions the network will perform',
    answers: QUESTION_WORDS.map((q) => ({ question: q.question, answer: q.answer(answers), supplied: data[q.key] !== undefined })),
    criteria: appraisal.criteria.map(({ name, weight, why }) => ({ name, weight, why })),
    options: ranked.map((o) => ({ ...o, matrix: LEGAL_FORM_MATRIX[o.form] })),
    recommendation: {
      label: LEGAL_FORM_LABELS[appraisal.recommended],
      runnerUp: LEGAL_FORM_LABELS[appraisal.runnerUp],
      reasons: appraisal.reasons,
      cautions: appraisal.cautions,
    },
  };
}
