import crypto from 'node:crypto';
import type { SignatureReceipt, SignInput } from '../workflows/messages';
import type { ActivityDeps } from './formation.activities';

/** A signature the workflow has accepted, with the slots it fills. */
export interface SignatureToRecord extends Omit<SignInput, 'documentVersion'> {
  slotIds: string[];
  capacity: string;
}

export interface RecordSignaturesInput {
  signoffId: string;
  documentId: string;
  documentVersion: number;
  documentSha256: string;
  signatures: SignatureToRecord[];
}

/** Each signature's outcome, by signer: its receipt, or why it cannot be recorded. */
export type RecordedSignature = { personId: string } & (
  { receipt: Omit<SignatureReceipt, 'roundComplete'> } | { rejected: { code: 'NOT_A_SIGNER'; message: string } }
);

/**
 * Writes a batch of signatures of one round in one transaction: the signatures, the request
 * statuses, the links used and one audit event each. The workflow collects the signatures that
 * arrive while a write is running and hands them over together (group commit), so a burst of
 * signers costs a few transactions rather than one each. Idempotent: a signature written by an
 * earlier attempt is answered with its stored receipt.
 */
export async function recordSignatures(deps: Pick<ActivityDeps, 'db' | 'repos' | 'log'>, input: RecordSignaturesInput): Promise<RecordedSignature[]> {
  const { db, repos, log } = deps;
  const personIds = input.signatures.map((s) => s.personId);
  const people = await repos.records.getPeople(db, personIds);
  const earlier = new Map((await repos.signoffs.signaturesByPeople(db, input.signoffId, personIds)).map((s) => [s.personId, s]));
  const receiptOf = (s: { id: string; signedAt: string; capacity: string }, person: { practiceId: string; practiceName: string; name: string }) => ({
    signatureId: s.id,
    capacity: s.capacity,
    documentId: input.documentId,
    documentVersion: input.documentVersion,
    documentSha256: input.documentSha256,
    practiceId: person.practiceId,
    practiceName: person.practiceName,
    signedBy: person.name,
    signedAt: s.signedAt,
  });
  const signedAt = new Date().toISOString();
  const fresh = input.signatures
    .filter((s) => people.has(s.personId) && !earlier.has(s.personId))
    .map((s) => ({
      id: crypto.randomUUID(),
      signoffId: input.signoffId,
      documentId: input.documentId,
      documentVersion: input.documentVersion,
      documentSha256: input.documentSha256,
      personId: s.personId,
      practiceId: people.get(s.personId)!.practiceId,
      typedName: s.typedName,
      capacity: s.capacity,
      slotIds: s.slotIds,
      consentVersion: s.consentVersion,
      method: s.method,
      ip: s.ip,
      userAgent: s.userAgent,
      signedAt,
    }));
  if (fresh.length) {
    const signoff = await repos.signoffs.get(db, input.signoffId);
    const slots = signoff?.slots ?? [];
    // colleagues who could have filled the same slots, and no other, have nothing left to do
    const colleagues = new Set<string>();
    for (const signature of fresh) {
      const filled = new Set(signature.slotIds);
      const stillNeeded = new Set(slots.filter((s) => !filled.has(s.id)).flatMap((s) => s.eligible.map((e) => e.personId)));
      for (const slot of slots.filter((s) => filled.has(s.id))) for (const e of slot.eligible) if (!stillNeeded.has(e.personId)) colleagues.add(e.personId);
    }
    const signers = fresh.map((s) => s.personId);
    for (const signer of signers) colleagues.delete(signer);
    // a unique violation means another attempt wrote some of these: the retry answers with its receipts
    await db.transaction(async (trx) => {
      await repos.signoffs.insertSignatures(trx, fresh);
      await repos.signoffs.setRequestsStatus(trx, input.signoffId, signers, 'signed');
      await repos.signoffs.setRequestsStatus(trx, input.signoffId, [...colleagues], 'signed-by-colleague', { onlyPending: true });
      await repos.tokens.markActionTokensUsed(trx, input.signoffId, signers);
      await repos.audit.appendMany(
        trx,
        fresh.map((s) => ({
          actor: `person:${s.personId}`,
          event: {
            type: 'signature.signed',
            signoffId: input.signoffId,
            signatureId: s.id,
            personId: s.personId,
            practiceId: s.practiceId,
            documentId: input.documentId,
            documentVersion: input.documentVersion,
            documentSha256: input.documentSha256,
          },
          networkId: people.get(s.personId)!.networkId,
        })),
      );
    });
    log.info({ signoffId: input.signoffId, signatures: fresh.length }, 'signatures recorded');
  }
  const written = new Map(fresh.map((s) => [s.personId, s]));
  return input.signatures.map(({ personId }): RecordedSignature => {
    const person = people.get(personId);
    if (!person) return { personId, rejected: { code: 'NOT_A_SIGNER', message: 'signer not found' } };
    return { personId, receipt: receiptOf(earlier.get(personId) ?? written.get(personId)!, person) };
  });
}
