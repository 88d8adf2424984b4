/**
 * The panel's input shapes, validated where they arrive (the API, pages, stored criteria). Kept apart
 * from panel.ts, whose rules the formation workflow runs: workflow code never loads zod.
 */
import { z } from 'zod';
import { PANEL_OUTCOMES } from './panel';

export const criterionSchema = z.object({
  key: z.string().regex(/^[a-z0-9][a-z0-9-]{0,59}$/, 'a short key of lower-case letters, digits and hyphens, e.g. "vision"'),
  title: z.string().trim().min(1).max(200),
  weight: z.number().positive().max(100),
});
export type PanelCriterion = z.infer<typeof criterionSchema>;

export const criteriaSchema = z
  .array(criterionSchema)
  .min(1)
  .max(20)
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((c, i) => {
      if (seen.has(c.key)) ctx.addIssue({ code: 'custom', path: [i, 'key'], message: `criterion ${c.key} appears twice` });
      seen.add(c.key);
    });
  });

/** One member's scoring of one presentation. */
export const scoreSheetSchema = z.object({
  scores: z
    .array(z.object({ criterion: z.string().min(1).max(60), score: z.number().int().min(1).max(5), comment: z.string().trim().max(2000).default('') }))
    .min(1)
    .max(20),
  recommendation: z.enum(PANEL_OUTCOMES),
  conditions: z.array(z.string().trim().min(1).max(1000)).max(20).optional(),
});
export type ScoreSheet = z.output<typeof scoreSheetSchema>;
