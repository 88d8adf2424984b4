/**
 * Election result certificate: who was elected in each constituency, with the count that reached
 * it in words (domain/voting/count-words.ts) — round by round for STV, the votes for FPTP — every
 * tie and how it was broken, and the lot's seed, so anyone can check the result from the
 * certificate alone. Candidates appear by name; the count itself keeps ids for a recount.
 */
import { z } from 'zod';

const instant = z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'must be an ISO date-time');
const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be an ISO date (YYYY-MM-DD)');

const METHOD_WORDS = {
  stv: 'Single transferable vote (counted under the Scottish Local Government Elections Order 2007 rules)',
  fptp: 'First past the post (each practice marks up to as many candidates as there are seats)',
} as const;

const inputSchema = z.object({
  network: z.object({ name: z.string().min(1) }),
  election: z.object({
    id: z.string().min(1),
    title: z.string().min(1),
    method: z.enum(['stv', 'fptp']),
    countedAt: instant,
    termOfOffice: z.object({ startsOn: isoDay, endsOn: isoDay, months: z.number().int().positive() }),
  }),
  turnout: z.object({ voted: z.number().int().nonnegative(), eligible: z.number().int().nonnegative() }),
  constituencies: z
    .array(
      z.object({
        name: z.string().min(1),
        seats: z.number().int().positive(),
        ballots: z.number().int().nonnegative(),
        candidates: z.array(z.object({ name: z.string().min(1), practice: z.string().min(1), votes: z.string().min(1), elected: z.boolean() })),
        elected: z.array(z.string().min(1)),
        summary: z.array(z.string().min(1)),
        rounds: z.array(
          z.object({
            heading: z.string().min(1),
            text: z.string().min(1),
            transfers: z.array(z.object({ name: z.string().min(1), votes: z.string().min(1) })),
          }),
        ),
        ties: z.array(z.string().min(1)),
      }),
    )
    .min(1),
  tieRule: z.string().min(1),
});

/** The certificate's context: the input plus the wording derived from it. */
export const contextSchema = inputSchema.transform((v) => ({
  ...v,
  methodWords: METHOD_WORDS[v.election.method],
  stv: v.election.method === 'stv',
  constituencies: v.constituencies.map((c) => ({ ...c, nobodyElected: c.elected.length === 0 })),
}));
export type ElectionResultInput = z.input<typeof contextSchema>;
export type ElectionResultContext = z.output<typeof contextSchema>;
