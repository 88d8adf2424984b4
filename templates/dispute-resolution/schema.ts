/**
 * Risk, issue and dispute resolution procedure (DOMAIN.md §3.5). The working-day timescales are
 * configurable defaults (design option), so the context carries them.
 */
import { z } from 'zod';
import { NetworkFacts, buildNetworkContext, networkContextShape } from '../network-context';
import { lineField, nameField } from '../fields';

/** The longest a procedure may give one step, in days or working days. */
export const MAX_STEP_DAYS = 365;

export const optionsSchema = z.object({
  lmcName: nameField().default('the Local Medical Committee'),
  timescales: z
    .object({
      // a year at most: a step's due date must stay a date
      informalWorkingDays: z.number().int().positive().max(MAX_STEP_DAYS).default(10),
      boardWorkingDays: z.number().int().positive().max(MAX_STEP_DAYS).default(20),
      lmcReferralWorkingDays: z.number().int().positive().max(MAX_STEP_DAYS).default(10),
      lmcViewDays: z.number().int().positive().max(MAX_STEP_DAYS).default(28),
      mediationDays: z.number().int().positive().max(MAX_STEP_DAYS).default(30),
    })
    .prefault({}),
  mediationCosts: lineField().default('shared equally between the parties to the dispute'),
  riskReviewFrequency: nameField().default('quarterly'),
});

export const contextSchema = z.object({ ...networkContextShape, ...optionsSchema.shape });
export type DisputeResolutionContext = z.infer<typeof contextSchema>;

export function buildContext(facts: NetworkFacts, options: unknown = {}): DisputeResolutionContext {
  return { ...buildNetworkContext(facts), ...optionsSchema.parse(options ?? {}) };
}
