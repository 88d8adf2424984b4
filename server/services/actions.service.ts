import { CONSENT } from '../../domain/consent';
import type { ActionToken } from '../../db/repos/tokens.repo';
import { declineUpdate, signUpdate, type SignatureReceipt } from '../../workflows/messages';
import type { ServerDeps } from '../deps';
import { AppError, fromTemporal } from '../errors';
import { withDeadline } from './deadline';

export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
}

/**
 * What an action link allows and doing it. The token is checked here (exists, not expired, for
 * this kind of action); the workflow's update validator then checks the rules of the round.
 */
export function createActionsService(deps: ServerDeps) {
  const { db, repos, temporal, publicUrl } = deps;

  async function resolve(secret: string): Promise<ActionToken> {
    const token = await repos.tokens.actionTokenBySecret(db, secret);
    if (!token) throw new AppError('NOT_FOUND', 'This link is not valid. Check that you copied all of it, or ask the facilitator for a new one.');
    return token;
  }

  function assertLive(token: ActionToken) {
    if (Date.parse(token.expiresAt) <= Date.now()) throw new AppError('TOKEN_EXPIRED', 'This link has expired. Ask the facilitator to send a new one.');
  }

  async function describe(secret: string) {
    const token = await resolve(secret);
    const person = await repos.records.getPerson(db, token.personId);
    const signoff = await repos.signoffs.get(db, token.subjectId);
    const document = token.documentId ? await repos.documents.get(db, token.documentId) : null;
    if (!person || !signoff || !document) throw new AppError('NOT_FOUND', 'This link no longer points to a document.');
    const network = await repos.records.getNetwork(db, signoff.networkId);
    const signature = await repos.signoffs.signatureByPerson(db, signoff.id, person.id);
    const request = (await repos.signoffs.requests(db, signoff.id)).find((r) => r.personId === person.id);
    const expired = Date.parse(token.expiresAt) <= Date.now();
    let status: 'pending' | 'signed' | 'declined' | 'signed-by-colleague' | 'closed' | 'expired';
    if (signature) status = 'signed';
    else if (request?.status === 'declined') status = 'declined';
    else if (request?.status === 'signed-by-colleague') status = 'signed-by-colleague';
    else if (signoff.completedAt || request?.status === 'closed') status = 'closed';
    else if (expired) status = 'expired';
    else status = 'pending';
    return {
      token,
      person,
      signoff,
      document,
      view: {
        kind: 'sign' as const,
        status,
        expiresAt: token.expiresAt,
        person: { id: person.id, name: person.name, email: person.email },
        practice: { id: person.practiceId, name: person.practiceName },
        network: { id: signoff.networkId, name: network?.name ?? '' },
        document: {
          id: document.id,
          title: document.title,
          type: document.type,
          version: document.version,
          sha256: document.sha256Pdf,
          pdfUrl: `${publicUrl}/api/v1/actions/${secret}/pdf`,
          docxUrl: `${publicUrl}/api/v1/actions/${secret}/docx`,
        },
        consent: { version: CONSENT.version, text: CONSENT.text },
        signature: signature ? { signatureId: signature.id, signedAt: signature.signedAt } : null,
      },
    };
  }

  return {
    describe,

    async file(secret: string, kind: 'pdf' | 'docx') {
      const { document } = await describe(secret);
      const bytes = await repos.documents.file(db, document.id, kind);
      if (!bytes) throw new AppError('NOT_FOUND', 'The document file is missing.');
      return { bytes, document };
    },

    async sign(secret: string, input: { typedName: string; consent: true }, meta: RequestMeta): Promise<SignatureReceipt> {
      const { token, person, signoff, view } = await describe(secret);
      if (view.status === 'signed') {
        throw new AppError('ALREADY_SIGNED', 'You have already signed this document. Your signature counts once.', { signatureId: view.signature?.signatureId, signedAt: view.signature?.signedAt });
      }
      if (view.status === 'declined') throw new AppError('ALREADY_DECLINED', 'You declined to sign this version.');
      if (view.status === 'signed-by-colleague') throw new AppError('ALREADY_SIGNED', `${person.practiceName} has already signed this document through another partner.`);
      if (view.status === 'closed') throw new AppError('ROUND_CLOSED', 'This signing round has finished.');
      assertLive(token);
      try {
        return await withDeadline(temporal, () =>
          temporal.workflow.getHandle(signoff.workflowId).executeUpdate(signUpdate, {
            args: [{ personId: person.id, tokenId: token.id, documentVersion: token.documentVersion ?? 0, typedName: input.typedName, consent: input.consent, consentVersion: CONSENT.version, ip: meta.ip, userAgent: meta.userAgent }],
          }),
        );
      } catch (err) {
        throw fromTemporal(err) ?? err;
      }
    },

    async decline(secret: string, input: { reason: string }) {
      const { token, person, signoff, view } = await describe(secret);
      if (view.status === 'signed' || view.status === 'signed-by-colleague') throw new AppError('ALREADY_SIGNED', 'This document has already been signed for your practice.');
      if (view.status === 'declined') throw new AppError('ALREADY_DECLINED', 'You have already declined this version.');
      if (view.status === 'closed') throw new AppError('ROUND_CLOSED', 'This signing round has finished.');
      assertLive(token);
      try {
        return await withDeadline(temporal, () => temporal.workflow.getHandle(signoff.workflowId).executeUpdate(declineUpdate, { args: [{ personId: person.id, tokenId: token.id, reason: input.reason }] }));
      } catch (err) {
        throw fromTemporal(err) ?? err;
      }
    },
  };
}

export type ActionsService = ReturnType<typeof createActionsService>;
