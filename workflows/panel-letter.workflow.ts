/**
 * The panel's outcome letter: rendered, stored and mailed to the practices by an activity after the
 * facilitator has been answered. A letter that cannot be sent is recorded on its presentation, so
 * the panel view says so, and `panelLetterWorkflow` sends it again when a facilitator asks (one run
 * at a time per presentation, by its workflow id). The formation workflow sends the first letter
 * with `sendOutcomeLetter` itself.
 */
import { ActivityFailure, type ActivityOptions, log, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { PanelActivities } from '../activities/panel.activities';
import type { PanelLetterInput } from './panel-messages';

/** The outcome letter renders a document: retried a few times; a failure leaves the outcome standing. */
const LETTERS: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 5, nonRetryableErrorTypes: ['TEMPLATE_CONTEXT_INVALID'] },
};
/** Recording a failure, or clearing it: a database write, retried until it is done. */
const RECORDS = { startToCloseTimeout: '20 seconds', retry: { initialInterval: '500 milliseconds', maximumInterval: '30 seconds' } };

const letters = proxyActivities<PanelActivities>(LETTERS);
const records = proxyLocalActivities<PanelActivities>(RECORDS);

/** What went wrong, in the activity's own words rather than the wrapper's. */
function reasonOf(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}

/**
 * Sends the outcome letter of a presentation: its document, or null when it could not be sent. With
 * `recordFailure`, a failure is written to the presentation; without it (formations begun before
 * the letter followed the answer) it is logged only, as it was then.
 */
export async function sendOutcomeLetter(input: { networkId: string; presentationId: string }, recordFailure: boolean): Promise<string | null> {
  const { networkId, presentationId } = input;
  try {
    return (await letters.sendPanelOutcomeLetter({ networkId, presentationId })).documentId;
  } catch (err) {
    // the outcome stands without its letter
    log.error('the panel outcome letter could not be sent', { networkId, presentationId, error: String(err) });
    if (recordFailure) await records.recordPanelLetterFailure({ networkId, presentationId, error: reasonOf(err) });
    return null;
  }
}

/** A facilitator sends a presentation's outcome letter again after it could not be sent. */
export async function panelLetterWorkflow(input: PanelLetterInput): Promise<{ documentId: string | null }> {
  await records.clearPanelLetterFailure(input);
  return { documentId: await sendOutcomeLetter(input, true) };
}
