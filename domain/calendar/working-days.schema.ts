/**
 * The shapes of dates and bank-holiday tables where they arrive from outside. Kept apart from
 * working-days.ts, whose arithmetic workflows run: workflow code never loads zod.
 */
import { z } from 'zod';
import { parseIsoDate } from './working-days';

export const isoDateSchema = z.string().refine((s) => parseIsoDate(s) !== undefined, { message: 'Expected a calendar date YYYY-MM-DD.' });

export const bankHolidayTableSchema = z.object({
  region: z.literal('england-and-wales'),
  fromYear: z.number().int(),
  toYear: z.number().int(),
  /** Observed bank holidays (weekdays only: a holiday falling at a weekend is observed on its substitute day). */
  dates: z.array(isoDateSchema),
  source: z.string(),
});
/** Plain data, so it travels as an activity result and a workflow argument. */
export type BankHolidayTable = z.infer<typeof bankHolidayTableSchema>;
