import { type Client, WorkflowUpdateFailedError } from '@temporalio/client';
import { createBatchWriter } from '../../workflows/batch-writer';
import { SIGNATURES_PER_UPDATE, signManyUpdate, signUpdate, type SignatureReceipt, type SignInput, type SignOutcome } from '../../workflows/messages';
import { AppError, fromTemporal, refusal } from '../errors';

/**
 * Sends signatures to their rounds' workflows, several at a time. While an update to a round is in
 * flight, the signatures that arrive for it wait and go together in the next one (group commit, as
 * the round itself writes them), so a burst of 200 signers costs this process and Temporal a dozen
 * calls rather than 200, and a lone signer is sent at once. Each signature is still judged and
 * answered on its own (`signManyUpdate`): a refusal is the error its single update would have met,
 * and a failure of the whole call is every waiting signer's error.
 */
export function createSignSender(temporal: Pick<Client, 'workflow'>): (workflowId: string, attempt: SignInput) => Promise<SignatureReceipt> {
  // one sender per round with signatures on their way; forgotten when none is left
  const rounds = new Map<string, { send: (attempt: SignInput) => Promise<SignOutcome>; waiting: number }>();

  async function sendTogether(workflowId: string, attempts: SignInput[]): Promise<SignOutcome[]> {
    const handle = temporal.workflow.getHandle(workflowId);
    try {
      return await handle.executeUpdate(signManyUpdate, { args: [attempts] });
    } catch (err) {
      if (!unknownToWorker(err)) throw err;
      // a worker older than `signManyUpdate` (servers upgraded first): one update each, as before it
      return Promise.all(
        attempts.map((attempt) =>
          handle.executeUpdate(signUpdate, { args: [attempt] }).then(
            (receipt): SignOutcome => ({ receipt }),
            (failure: unknown): SignOutcome => {
              const mapped = fromTemporal(failure);
              if (!mapped) throw failure;
              return { refused: { code: mapped.code, message: mapped.message } };
            },
          ),
        ),
      );
    }
  }

  return async (workflowId, attempt) => {
    let round = rounds.get(workflowId);
    if (!round) {
      round = { send: createBatchWriter((attempts: SignInput[]) => sendTogether(workflowId, attempts), { maxBatch: SIGNATURES_PER_UPDATE }), waiting: 0 };
      rounds.set(workflowId, round);
    }
    round.waiting += 1;
    let outcome: SignOutcome;
    try {
      outcome = await round.send(attempt);
    } finally {
      // the sender is idle once its last signer is answered (its loop ends before answers are read)
      if (--round.waiting === 0) rounds.delete(workflowId);
    }
    if ('receipt' in outcome) return outcome.receipt;
    if ('refused' in outcome) throw refusal(outcome.refused.code, outcome.refused.message);
    throw new AppError('UNAVAILABLE', 'Your signature could not be recorded just now; please try again.');
  };
}

/** The workflow's code has no handler for `signManyUpdate` (it rejects the update, unwritten). */
function unknownToWorker(err: unknown): boolean {
  return (
    err instanceof WorkflowUpdateFailedError && /no registered handler for update: signMany\b/i.test(String((err.cause as Error | undefined)?.message ?? ''))
  );
}
