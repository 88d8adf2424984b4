import { type ActivityOptions, ApplicationFailure, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { RecordedSignature, SignatureToRecord, SigningActivities } from '../activities/signing.activities';
import type { Slot } from '../domain/signing';
import { createBatchWriter } from './batch-writer';
import { reject } from './failures';
import type { SignatureReceipt, SignInput, SignoffState } from './messages';

/** Writes of acknowledged actions: retried briefly, so a signer never waits long for an answer. */
const ACKNOWLEDGED_WRITE: ActivityOptions = {
  startToCloseTimeout: '20 seconds',
  retry: { initialInterval: '200 milliseconds', maximumInterval: '3 seconds', maximumAttempts: 8 },
};

export const acknowledged = proxyActivities<SigningActivities>(ACKNOWLEDGED_WRITE);
/** The batched write of signatures runs as a local activity, with the same patience. */
const batchWrites = proxyLocalActivities<SigningActivities>(ACKNOWLEDGED_WRITE);

/** At most this many signatures in one write: keeps the activity's input and result well under Temporal's payload limits. */
const SIGNATURES_PER_WRITE = 100;

/**
 * How a sign-off round writes an accepted signature (part of `signoffWorkflow`, not a workflow of
 * its own): in batches, or one activity each for rounds begun before batches (`batchedWrites`
 * false). `state` is the round's live state: its signoff id is read at each write.
 */
export function createSignatureWriter(
  input: { documentId: string; documentVersion: number; documentSha256: string },
  state: Pick<SignoffState, 'signoffId'>,
  workflowId: string,
  batchedWrites: boolean,
): (attempt: SignInput, slots: Slot[]) => Promise<Omit<SignatureReceipt, 'roundComplete'>> {
  // Signatures are written in batches (group commit): those accepted while a write runs go together
  // in the next one, so a burst of signers costs a few transactions and workflow tasks, not one each.
  // The write is a local activity: it runs inside the workflow task that accepted the signatures, and
  // its result is recorded in the same task as their answers.
  const writeSignature = createBatchWriter<SignatureToRecord, RecordedSignature>(
    async (signatures) => {
      const results = await batchWrites.recordSignatures({
        signoffId: state.signoffId,
        documentId: input.documentId,
        documentVersion: input.documentVersion,
        documentSha256: input.documentSha256,
        signatures,
      });
      const byPerson = new Map(results.map((r) => [r.personId, r]));
      return signatures.map((s) => {
        const result = byPerson.get(s.personId);
        if (!result) throw ApplicationFailure.nonRetryable(`the write of a batch gave no result for signer ${s.personId}`);
        return result;
      });
    },
    { maxBatch: SIGNATURES_PER_WRITE },
  );

  async function recordOne(attempt: SignInput, slots: Slot[]): Promise<Omit<SignatureReceipt, 'roundComplete'>> {
    const slotIds = slots.map((s) => s.id);
    const capacity = [...new Set(slots.map((s) => s.capacity))].join(', ');
    if (!batchedWrites) {
      return acknowledged.recordSignature({
        ...attempt,
        signoffId: state.signoffId,
        workflowId,
        documentId: input.documentId,
        documentVersion: input.documentVersion,
        documentSha256: input.documentSha256,
        slotIds,
        capacity,
      });
    }
    const { documentVersion: _version, ...signature } = attempt;
    const result = await writeSignature({ ...signature, slotIds, capacity });
    if ('rejected' in result) throw reject(result.rejected.code, 'You are not entitled to sign this document.');
    return result.receipt;
  }

  return recordOne;
}
