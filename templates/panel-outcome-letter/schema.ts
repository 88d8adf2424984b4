/**
 * The panel's outcome letter (DOMAIN.md §0 and §5 stage 4): sent to a network's member practices
 * after the facilitator records the wave panel's outcome — pass, pass with conditions (each listed,
 * to be closed with evidence before the legal-entity stage), or defer to the next wave. The scores
 * are summarised by criterion with their weights and the panel's weighted mean.
 */
import { z } from 'zod';
import { isoDate } from '../network-context';

const OUTCOME_SENTENCES = {
  pass: 'the network passed',
  conditional: 'the network passed, with conditions',
  defer: 'the network was deferred to the next wave',
} as const;

const inputSchema = z.object({
  programme: z.object({ name: z.string().min(1), sponsor: z.string().min(1) }),
  network: z.object({ name: z.string().min(1) }),
  practices: z.array(z.object({ name: z.string().min(1), odsCode: z.string().min(1) })).min(1),
  wave: z.object({ number: z.number().int().positive(), panelDate: isoDate }),
  panel: z.object({
    members: z.array(z.object({ name: z.string().min(1), organisation: z.string().min(1), external: z.boolean() })),
  }),
  outcome: z.enum(['pass', 'conditional', 'defer']),
  reason: z.string().min(1),
  decidedOn: isoDate,
  conditions: z.array(z.string().min(1)),
  toWave: z.object({ number: z.number().int().positive(), panelDate: isoDate }).nullable(),
  scores: z.object({
    members: z.number().int().nonnegative(),
    criteria: z.array(z.object({ title: z.string().min(1), weight: z.number().positive(), mean: z.number().nullable() })),
    weightedMean: z.number().nullable(),
    recommendations: z.object({ pass: z.number().int(), conditional: z.number().int(), defer: z.number().int() }),
  }),
});

export const contextSchema = inputSchema
  .superRefine((v, ctx) => {
    if (v.outcome === 'conditional' && v.conditions.length === 0)
      ctx.addIssue({ code: 'custom', path: ['conditions'], message: 'a conditional outcome lists its conditions' });
    if (v.outcome === 'defer' && !v.toWave) ctx.addIssue({ code: 'custom', path: ['toWave'], message: 'a deferral names the wave the network moves to' });
  })
  .transform((v) => ({
    ...v,
    outcomeSentence: OUTCOME_SENTENCES[v.outcome],
    externalMembers: v.panel.members.filter((m) => m.external).length,
    // one decimal place, as the panel reads it
    scores: {
      ...v.scores,
      criteria: v.scores.criteria.map((c) => ({ ...c, meanText: c.mean === null ? 'not scored' : c.mean.toFixed(1) })),
      weightedMeanText: v.scores.weightedMean === null ? 'not scored' : v.scores.weightedMean.toFixed(2),
    },
  }));
export type PanelOutcomeLetterInput = z.input<typeof contextSchema>;
