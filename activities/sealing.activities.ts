import crypto from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { Network } from '../db/repos/records.repo';
import type { SealedDocument } from '../db/repos/sealed.repo';
import type { Signature } from '../db/repos/signoffs.repo';
import { isUniqueViolation } from '../db/repos/executor';
import { readSeal, SealError, sealPdf, sealedSha256, type SealSigning } from '../documents/seal';
import { renderCertificate, type CompletionCertificateContext } from '../templates';
import type { ActivityDeps } from './formation.activities';

const SYSTEM = 'system';
const NOT_RECORDED = 'not recorded';

/** How each stored signing method reads on a certificate. */
const METHOD_WORDING: Record<string, string> = {
  'action-link': 'Personal link sent by email; typed name',
};

function capitalised(text: string): string {
  return text ? text[0].toUpperCase() + text.slice(1) : text;
}

/**
 * The certificate of a completed round, from the stored records: the agreed document's hashes and,
 * per signature, who signed, for which practice, in what capacity, with what consent, when and how.
 */
export function certificateContext(input: {
  network: Pick<Network, 'name' | 'practices'>;
  document: { id: string; version: number; title: string; sha256Pdf: string; sha256Docx?: string };
  completedAt: string;
  signatures: Signature[];
}): CompletionCertificateContext {
  const people = new Map(input.network.practices.flatMap((p) => p.people.map((x) => [x.id, { ...x, practiceName: p.name }] as const)));
  const practices = new Map(input.network.practices.map((p) => [p.id, p.name]));
  return {
    network: { name: input.network.name },
    document: {
      id: input.document.id,
      version: input.document.version,
      title: input.document.title,
      sha256Pdf: input.document.sha256Pdf,
      ...(input.document.sha256Docx ? { sha256Docx: input.document.sha256Docx } : {}),
    },
    completedAt: input.completedAt,
    signers: input.signatures.map((s) => {
      const person = people.get(s.personId);
      const method = METHOD_WORDING[s.method] ?? s.method;
      return {
        name: person?.name ?? s.typedName,
        email: person?.email ?? NOT_RECORDED,
        practice: practices.get(s.practiceId) ?? person?.practiceName ?? s.practiceId,
        capacity: capitalised(s.capacity) || NOT_RECORDED,
        consentVersion: s.consentVersion,
        signedAt: s.signedAt,
        ip: s.ip || NOT_RECORDED,
        userAgent: s.userAgent || NOT_RECORDED,
        method: `${method} "${s.typedName}"`,
      };
    }),
  };
}

export interface SealingDeps extends ActivityDeps {
  /** the organisation's signing key and certificate, and the time-stamp authority if configured */
  sealSigning: SealSigning;
}

/**
 * Sealing of completed sign-offs: the agreed PDF with its signature blocks filled in, plus its
 * certificate of completion, signed (PAdES) with the organisation's key, stored once per round with
 * its SHA-256, and a personal download link mailed to every signer. Idempotent: a repeat finds the
 * stored seal and only re-attempts delivery of its mail.
 */
export function createSealingActivities(deps: SealingDeps) {
  const { db, repos, log, outbox } = deps;

  function dedupeKey(signoffId: string, personId: string): string {
    return `${signoffId}:sealed:${personId}`;
  }

  async function finish(sealed: SealedDocument, signatures: Signature[]): Promise<{ sealedDocumentId: string; sealedSha256: string }> {
    await outbox.deliver([...new Set(signatures.map((s) => dedupeKey(sealed.signoffId, s.personId)))]);
    return { sealedDocumentId: sealed.id, sealedSha256: sealed.sealedSha256 };
  }

  return {
    async sealSignoff(input: { signoffId: string; networkId: string }): Promise<{ sealedDocumentId: string; sealedSha256: string }> {
      const signatures = await repos.signoffs.signatures(db, { signoffId: input.signoffId });
      const existing = await repos.sealed.bySignoff(db, input.signoffId);
      if (existing) return finish(existing, signatures);

      const signoff = await repos.signoffs.get(db, input.signoffId);
      if (!signoff || signoff.networkId !== input.networkId)
        throw ApplicationFailure.nonRetryable(`sign-off ${input.signoffId} of network ${input.networkId} not found`, 'NOT_FOUND');
      if (signoff.status !== 'signed' || !signoff.completedAt) {
        throw ApplicationFailure.nonRetryable(`sign-off ${input.signoffId} is ${signoff.status}; only a signed round is sealed`, 'ROUND_NOT_SIGNED');
      }
      if (signatures.length === 0) throw ApplicationFailure.nonRetryable(`sign-off ${input.signoffId} has no signatures`, 'ROUND_NOT_SIGNED');
      const document = await repos.documents.get(db, signoff.documentId);
      const agreedPdf = await repos.documents.file(db, signoff.documentId, 'pdf');
      const network = await repos.records.getNetwork(db, input.networkId);
      if (!document || !agreedPdf || !network)
        throw ApplicationFailure.nonRetryable(`the document or network of sign-off ${input.signoffId} is missing`, 'NOT_FOUND');

      const context = certificateContext({ network, document, completedAt: signoff.completedAt, signatures });
      const sealedAt = new Date();
      const certificatePdf = await renderCertificate(context, sealedAt);
      const people = new Map(network.practices.flatMap((p) => p.people).map((p) => [p.id, p]));
      const expiresAt = new Date(Date.now() + deps.actionTokenTtlDays * 86_400_000).toISOString();
      let sealed: Omit<SealedDocument, 'createdAt'>;
      try {
        sealed = await db.transaction(async (trx) => {
          // the chain head as this transaction sees it goes into the manifest, so the sealed PDF
          // anchors every audit event up to it
          const auditHead = await repos.sealed.auditHead(trx);
          let pdf: Buffer;
          try {
            pdf = await sealPdf({ agreedPdf, subject: context, certificatePdf, signing: deps.sealSigning, auditHead, sealedAt });
          } catch (err) {
            // the stored bytes no longer match their stored hash: retrying cannot help, a person must look
            if (err instanceof SealError) throw ApplicationFailure.nonRetryable(err.message, 'SEAL_MISMATCH');
            throw err;
          }
          const seal = readSeal(pdf);
          if (!seal) throw new Error('a freshly sealed PDF could not be read back');
          const sealed = {
            id: crypto.randomUUID(),
            signoffId: signoff.id,
            documentId: document.id,
            version: document.version,
            agreedSha256: document.sha256Pdf,
            sealedSha256: sealedSha256(pdf),
            manifest: JSON.stringify(seal.manifest),
          };
          await repos.sealed.insert(trx, { ...sealed, pdf });
          const recipients = [...new Set(signatures.map((s) => s.personId))].flatMap((personId) => {
            const person = people.get(personId);
            return person ? [{ personId, person }] : [];
          });
          await outbox.queueManyWithLinks(
            trx,
            recipients.map(({ personId, person }) => ({
              key: dedupeKey(signoff.id, personId),
              to: person.email,
              networkId: input.networkId,
              template: 'sealed-copy' as const,
              link: {
                kind: 'sealed-copy' as const,
                personId,
                subjectId: signoff.id,
                documentId: document.id,
                documentVersion: document.version,
                workflowId: signoff.workflowId,
                expiresAt,
                url: (secret: string, base: string) => `${base}/api/v1/sealed/${sealed.id}/pdf?token=${secret}`,
              },
              data: (link: string) => ({
                name: person.name,
                networkName: network.name,
                documentTitle: document.title,
                documentVersion: document.version,
                link,
                sealedSha256: sealed.sealedSha256,
                expiresAt,
              }),
            })),
          );
          // the audit chain's head last: other writers wait on it for the least time
          await repos.audit.append(
            trx,
            SYSTEM,
            {
              type: 'signoff.sealed',
              signoffId: signoff.id,
              sealedDocumentId: sealed.id,
              documentId: document.id,
              version: document.version,
              agreedSha256: sealed.agreedSha256,
              sealedSha256: sealed.sealedSha256,
            },
            input.networkId,
          );
          return sealed;
        });
      } catch (err) {
        // a retry racing an earlier attempt that did commit
        const again = isUniqueViolation(err) ? await repos.sealed.bySignoff(db, input.signoffId) : null;
        if (again) return finish(again, signatures);
        throw err;
      }
      log.info({ signoffId: signoff.id, sealedDocumentId: sealed.id }, 'sign-off sealed');
      return finish({ ...sealed, createdAt: new Date().toISOString() }, signatures);
    },
  };
}

export type SealingActivities = ReturnType<typeof createSealingActivities>;
