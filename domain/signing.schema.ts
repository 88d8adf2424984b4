/**
 * The shape of a signing rule as a facilitator sets it (the API and the stage form validate with it).
 * Kept apart from signing.ts, whose rules the sign-off workflow runs: workflow code never loads zod.
 */
import { z } from 'zod';

export const signingRuleSchema = z.object({
  /** per practice: one partner, or every partner */
  partners: z.enum(['any-partner', 'all-partners']).default('any-partner'),
  /** further roles each practice must sign in, e.g. the Caldicott guardian for a data-sharing agreement */
  practiceRoles: z
    .array(z.enum(['caldicott-guardian', 'practice-manager', 'dpo']))
    .max(3)
    .default([]),
  /** network officers who sign too, e.g. the chair */
  officers: z
    .array(z.enum(['chair', 'clinical-director', 'network-manager']))
    .max(3)
    .default([]),
  /** parallel: everyone at once; practices-then-officers: officers are asked once every practice has signed */
  order: z.enum(['parallel', 'practices-then-officers']).default('parallel'),
});

export type SigningRule = z.infer<typeof signingRuleSchema>;
