/**
 * Risk, issue and dispute resolution procedure (DOMAIN.md §3.5). The working-day timescales are
 * configurable defaults (design option), so the context carries them.
 */
import { z } from 'zod';
import { NetworkFacts, buildNetworkContext, networkContextShape } from '../network-context';
import { lineField, nameField } from '../fields';

export const optionsSchema = z.object({
  lmcName: nameField().default('the Local Medical Committee'),
  timescales: z
    .object({
      informalWorkingDays: z.number().int().positive().default(10),
      boardWorkingDays: z.number().int().positive().default(20),
      lmcReferralWorkingDays: z.number().int().positive().default(10),
      lmcViewDays: z.number().int().positive().default(28),
      mediationDays: z.number().int().positive().default(30),
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
