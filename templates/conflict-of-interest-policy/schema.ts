/**
 * Conflict of interest policy and register (DOMAIN.md §3.6), with the gift and hospitality limits
 * of the 2017 NHS England guidance as defaults.
 */
import { z } from 'zod';
import { NetworkFacts, buildNetworkContext, networkContextShape } from '../network-context';
import { lineField, nameField } from '../fields';

export const optionsSchema = z.object({
  limits: z
    .object({
      promotionalGiftMax: z.number().nonnegative().default(6),
      giftDeclareOver: z.number().nonnegative().default(50),
      hospitalityAcceptMax: z.number().nonnegative().default(25),
      hospitalityRefuseOver: z.number().nonnegative().default(75),
    })
    .prefault({}),
  registerPublication: lineField().default('on the Network’s website and at each annual general meeting'),
  lead: nameField().default('the Chair'),
  reviewMonths: z.number().int().positive().default(12),
});

export const contextSchema = z.object({ ...networkContextShape, ...optionsSchema.shape });
export type ConflictOfInterestContext = z.infer<typeof contextSchema>;

export function buildContext(facts: NetworkFacts, options: unknown = {}): ConflictOfInterestContext {
  return { ...buildNetworkContext(facts), ...optionsSchema.parse(options ?? {}) };
}
