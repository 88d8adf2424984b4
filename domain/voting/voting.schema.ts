/**
 * The shapes of voting's inputs (voters, ballots, elections, counts), validated where they arrive:
 * the API, pages, stored rows. Kept apart from the rules beside it, which vote and election workflows
 * run: workflow code never loads zod.
 */
import { z } from 'zod';

export const voterSchema = z.object({
  voterId: z.string().min(1),
  practiceId: z.string().min(1),
  listSize: z.number().int().min(0),
  partnerCount: z.number().int().min(0),
  offices: z.array(z.string().min(1)).default([]),
});
export type Voter = z.infer<typeof voterSchema>;

export const choiceSchema = z.enum(['for', 'against', 'abstain']);
export type Choice = z.infer<typeof choiceSchema>;

/** `voterId` is who casts the ballot; `proxyFor` (if any) is the voter whose vote it is. */
export const ballotSchema = z.object({
  voterId: z.string().min(1),
  choice: choiceSchema,
  proxyFor: z.string().min(1).optional(),
});
export type Ballot = z.infer<typeof ballotSchema>;

export const electionMethodSchema = z.enum(['stv', 'fptp']);
export type ElectionMethod = z.infer<typeof electionMethodSchema>;

export const constituencySchema = z.object({ name: z.string(), seats: z.number(), practiceIds: z.array(z.string()) });
export type Constituency = z.infer<typeof constituencySchema>;

/** A voter as a motion snapshots it: one per practice, with the practice's name and weights. */
export const motionVoterSchema = z.object({
  voterId: z.string(),
  practiceId: z.string(),
  practiceName: z.string(),
  listSize: z.number(),
  partnerCount: z.number(),
  offices: z.array(z.string()),
});
export type MotionVoter = z.infer<typeof motionVoterSchema>;

export const stvCandidateSchema = z.object({ id: z.string().min(1), name: z.string() });
export type StvCandidate = z.infer<typeof stvCandidateSchema>;

/** What a count takes, by STV or first past the post: the seats, the candidates, the ballots and the seed for lots. */
export const electionCountInputSchema = z
  .object({
    seats: z.number().int().min(1),
    candidates: z.array(stvCandidateSchema),
    /** Each ballot lists candidate ids (for STV, first preference first). */
    ballots: z.array(z.array(z.string())),
    seed: z.string(),
  })
  .refine((v) => new Set(v.candidates.map((c) => c.id)).size === v.candidates.length, { message: 'Candidate ids must be unique.' });
export const stvInputSchema = electionCountInputSchema;
export type StvInput = z.infer<typeof stvInputSchema>;

export const fptpInputSchema = electionCountInputSchema;
export type FptpInput = z.infer<typeof fptpInputSchema>;
