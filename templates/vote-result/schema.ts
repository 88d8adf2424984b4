/**
 * Vote result certificate: the outcome of a motion with the rule that was applied and the quorum
 * and threshold arithmetic in words, so anyone can check the result from the certificate alone.
 * The arithmetic is computed by the voting rules (domain/) and passed in as text.
 */
import { z } from 'zod';
import { DECISION_TYPES } from '../terms-of-reference/schema';

const instant = z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'must be an ISO date-time');

const inputSchema = z.object({
  network: z.object({ name: z.string().min(1) }),
  motion: z.object({
    id: z.string().min(1),
    title: z.string().min(1),
    text: z.string().min(1).optional(),
    decisionType: z.enum(DECISION_TYPES),
    openedAt: instant,
    closedAt: instant,
  }),
  rule: z.object({
    version: z.string().min(1),
    description: z.string().min(1),
  }),
  electorate: z.object({ practices: z.number().int().positive(), description: z.string().min(1).optional() }),
  tallies: z.object({
    for: z.number().nonnegative(),
    against: z.number().nonnegative(),
    abstain: z.number().nonnegative(),
    notVoted: z.number().nonnegative().default(0),
    /** set when votes are weighted, e.g. by list size */
    weighted: z
      .object({ for: z.number().nonnegative(), against: z.number().nonnegative(), abstain: z.number().nonnegative(), unit: z.string().min(1) })
      .optional(),
  }),
  quorum: z.object({ met: z.boolean(), arithmetic: z.string().min(1) }),
  threshold: z.object({ met: z.boolean(), arithmetic: z.string().min(1) }),
  result: z.enum(['carried', 'lost', 'inquorate']),
  ballots: z
    .array(
      z.object({ practice: z.string().min(1), choice: z.enum(['for', 'against', 'abstain', 'did not vote']), weight: z.number().nonnegative().optional() }),
    )
    .default([]),
});

export const DECISION_TYPE_LABELS: Record<(typeof DECISION_TYPES)[number], string> = {
  ordinary: 'Ordinary business',
  allocation: 'Allocation of money or resources',
  constitutional: 'Constitutional change (special resolution)',
  admission: 'Admission of a member practice',
  expulsion: 'Expulsion of a member practice',
  'legal-form': 'Change of legal form',
  appointment: 'Appointment or removal of the Clinical Director',
  dissolution: 'Dissolution or merger',
};

const RESULT_WORDS = { carried: 'carried', lost: 'lost', inquorate: 'not decided, because the vote was inquorate' } as const;

/** The certificate's context: the input plus the wording derived from it. */
export const contextSchema = inputSchema.transform((v) => ({
  ...v,
  decisionTypeLabel: DECISION_TYPE_LABELS[v.motion.decisionType],
  resultWords: RESULT_WORDS[v.result],
}));
export type VoteResultInput = z.input<typeof contextSchema>;
export type VoteResultContext = z.output<typeof contextSchema>;
