import { type ActivityOptions, condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { RisksActivities } from '../activities/risks.activities';
import { addCalendarDays, londonInstant } from '../domain/calendar/working-days';
import { type RiskReviewInput, riskReviewSignal } from './dispute-messages';

const RECORDS: ActivityOptions = { startToCloseTimeout: '60 seconds', retry: { initialInterval: '500 milliseconds', maximumInterval: '30 seconds' } };
const risks = proxyActivities<RisksActivities>(RECORDS);

/** Reminders go out at the start of the working day, UK time. */
const REMIND_AT_MS_OF_DAY = 8 * 3_600_000;
/** An unreviewed risk is reminded again a week after its review date, once. */
const SECOND_REMINDER_AFTER_DAYS = 7;
/** Review dates moved before the workflow continues as new (its history stays bounded). */
const RESCHEDULES_PER_RUN = 100;

/**
 * One per risk on a network's register: a durable timer to its review date. On the date its owner
 * and the facilitators are reminded, and again a week later if it has not been reviewed; recording
 * a review (a new review date) restarts the timer, and closing the risk ends the workflow.
 */
export async function riskReviewWorkflow(input: RiskReviewInput): Promise<void> {
  let reviewOn = input.reviewOn;
  let closed = false;
  let moves = 0;
  setHandler(riskReviewSignal, (change) => {
    if (change.closed) closed = true;
    if (change.reviewOn && change.reviewOn !== reviewOn) {
      reviewOn = change.reviewOn;
      moves += 1;
    }
  });

  for (;;) {
    if (closed) return;
    if (moves >= RESCHEDULES_PER_RUN || workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof riskReviewWorkflow>({ ...input, reviewOn });
    }
    const due = reviewOn;
    const seen = moves;
    const reminders = [londonInstant(due, REMIND_AT_MS_OF_DAY), londonInstant(addCalendarDays(due, SECOND_REMINDER_AFTER_DAYS), REMIND_AT_MS_OF_DAY)];
    for (const [round, at] of reminders.entries()) {
      const changed = await condition(() => closed || moves !== seen, Math.max(1, at - Date.now()));
      if (changed) break;
      const { gone } = await risks.remindRiskReview({ riskId: input.riskId, reviewOn: due, round: round + 1 });
      if (gone) return;
    }
    // reminded twice: wait for the review to be recorded (or the risk closed)
    await condition(() => closed || moves !== seen);
  }
}
