/**
 * Settlement record of a dispute case: the terms the parties agreed, which each party's partners
 * sign through the sign-off workflow. The terms are the facilitator's words, one paragraph each.
 */
import { z } from 'zod';
import { isoDate } from '../network-context';

export const contextSchema = z.object({
  network: z.object({ name: z.string().min(1) }),
  dispute: z.object({
    reference: z.string().min(1),
    title: z.string().min(1),
    summary: z.string().min(1),
    openedOn: isoDate,
    /** the step of the ladder at which the terms were agreed, e.g. "Network board" */
    step: z.string().min(1),
  }),
  parties: z.array(z.object({ name: z.string().min(1), odsCode: z.string().min(1) })).min(2, 'a dispute has at least two parties'),
  terms: z.array(z.string().trim().min(1)).min(1, 'a settlement states at least one term'),
  agreedOn: isoDate,
});
export type SettlementRecordContext = z.infer<typeof contextSchema>;

/** The terms as the facilitator typed them: one term per paragraph (blank lines between). */
export function termsFromText(text: string): string[] {
  return text
    .split(/\r?\n\s*\r?\n/)
    .map((t) => t.replace(/\s+/g, ' ').trim())
    .filter(Boolean);
}
