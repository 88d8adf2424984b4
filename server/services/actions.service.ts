import { CONSENT } from '../../domain/consent';
import { delegationTargets, type Slot } from '../../domain/signing';
import type { ActionToken } from '../../db/repos/tokens.repo';
import { textDiff } from '../../documents';
import { declineUpdate, delegateUpdate, signUpdate, type SignatureReceipt } from '../../workflows/messages';
import type { ServerDeps } from '../deps';
import { AppError, fromTemporal } from '../errors';
import { withDeadline } from './deadline';

export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
}

export type ActionStatus = 'pending' | 'signed' | 'declined' | 'signed-by-colleague' | 'delegated' | 'superseded' | 'closed' | 'expired';

/**
 * What an action link allows and doing it. The token is checked here (exists, not expired, for
 * this kind of action); the workflow's update validator then checks the rules of the round.
 */
export function createActionsService(deps: ServerDeps) {
  const { db, repos, temporal, publicUrl } = deps;

  async function resolve(secret: string): Promise<ActionToken> {
    const token = await repos.tokens.actionTokenBySecret(db, secret);
    if (!token || token.kind !== 'sign') throw new AppError('NOT_FOUND', 'This link is not valid. Check that you copied all of it, or ask the facilitator for a new one.');
    return token;
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
    const requestStatus: Record<string, ActionStatus> = { declined: 'declined', 'signed-by-colleague': 'signed-by-colleague', delegated: 'delegated', voided: 'superseded', closed: 'closed' };
    let status: ActionStatus;
    if (signature) status = 'signed';
    else if (request && requestStatus[request.status]) status = requestStatus[request.status];
    else if (signoff.status === 'voided') status = 'superseded';
    else if (signoff.completedAt) status = 'closed';
    else if (expired || signoff.status === 'expired') status = 'expired';
    else status = 'pending';
    const practices = (network?.practices ?? []).map((p) => ({ practiceId: p.id, practiceName: p.name, people: p.people.map((x) => ({ personId: x.id, name: x.name, email: x.email, roles: x.roles })) }));
    const mySlots = signoff.slots.filter((s: Slot) => s.eligible.some((e) => e.personId === person.id));
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
        capacities: [...new Set(mySlots.map((s) => s.capacity))],
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
        delegateTo: status === 'pending' ? delegationTargets(signoff.slots, practices, person.id).map((p) => ({ personId: p.personId, name: p.name })) : [],
      },
    };
  }

  async function call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await withDeadline(temporal, fn);
    } catch (err) {
      throw fromTemporal(err) ?? err;
    }
  }

  function refuseUnlessPending(view: Awaited<ReturnType<typeof describe>>['view'], practiceName: string) {
    const messages: Partial<Record<ActionStatus, [ConstructorParameters<typeof AppError>[0], string]>> = {
      signed: ['ALREADY_SIGNED', 'You have already signed this document. Your signature counts once.'],
      'signed-by-colleague': ['ALREADY_SIGNED', `${practiceName} has already signed this document through another partner.`],
      declined: ['ALREADY_DECLINED', 'You declined to sign this version.'],
      delegated: ['ROUND_CLOSED', 'You handed this request to a colleague.'],
      superseded: ['WRONG_VERSION', 'A newer version of this document has been issued; use the link in the newer email.'],
      closed: ['ROUND_CLOSED', 'This signing round has finished.'],
      expired: ['TOKEN_EXPIRED', 'This link has expired. Ask the facilitator to extend the round or send a new link.'],
    };
    const refusal = messages[view.status];
    if (refusal) throw new AppError(refusal[0], refusal[1], view.status === 'signed' ? { signatureId: view.signature?.signatureId, signedAt: view.signature?.signedAt } : undefined);
  }

  return {
    describe,

    /** Records the first opening of a link (audited as "viewed"). */
    async markViewed(secret: string) {
      const { token, signoff, document } = await describe(secret);
      await db.transaction(async (trx) => {
        if (await repos.tokens.markViewed(trx, token.id)) {
          await repos.audit.append(trx, `person:${token.personId}`, { type: 'signature.viewed', signoffId: signoff.id, personId: token.personId, documentId: document.id, documentVersion: document.version }, signoff.networkId);
        }
      });
    },

    /** The document as HTML, and what changed since the last version this person opened (or the previous version). */
    async preview(secret: string) {
      const { token, document } = await describe(secret);
      const text = await repos.documents.text(db, document.id);
      const versions = (await repos.documents.versions(db, document.networkId, document.type)).filter((v) => v.version < document.version);
      let compareWith = null;
      if (versions.length) {
        const seen = new Set(await repos.tokens.viewedVersions(db, token.personId, versions.map((v) => v.id)));
        compareWith = [...versions].reverse().find((v) => seen.has(v.id)) ?? versions.at(-1)!;
      }
      let changes = null;
      if (compareWith && text) {
        const before = await repos.documents.text(db, compareWith.id);
        const parts = textDiff(before?.markdown ?? '', text.markdown);
        changes = { fromVersion: compareWith.version, parts: parts.filter((p) => p.op !== 'equal').map((p) => ({ op: p.op, text: p.text })) };
      }
      return { html: text?.html ?? '', changes };
    },

    async file(secret: string, kind: 'pdf' | 'docx') {
      const { document } = await describe(secret);
      const bytes = await repos.documents.file(db, document.id, kind);
      if (!bytes) throw new AppError('NOT_FOUND', 'The document file is missing.');
      return { bytes, document };
    },

    async sign(secret: string, input: { typedName: string; consent: true }, meta: RequestMeta): Promise<SignatureReceipt> {
      const { token, person, signoff, view } = await describe(secret);
      refuseUnlessPending(view, person.practiceName);
      return call(() =>
        temporal.workflow.getHandle(signoff.workflowId).executeUpdate(signUpdate, {
          args: [{ personId: person.id, tokenId: token.id, documentVersion: token.documentVersion ?? 0, typedName: input.typedName, consent: input.consent, consentVersion: CONSENT.version, ip: meta.ip, userAgent: meta.userAgent }],
        }),
      );
    },

    async decline(secret: string, input: { reason: string }) {
      const { token, person, signoff, view } = await describe(secret);
      refuseUnlessPending(view, person.practiceName);
      return call(() => temporal.workflow.getHandle(signoff.workflowId).executeUpdate(declineUpdate, { args: [{ personId: person.id, tokenId: token.id, reason: input.reason }] }));
    },

    async delegate(secret: string, input: { toPersonId: string }) {
      const { token, person, signoff, view } = await describe(secret);
      refuseUnlessPending(view, person.practiceName);
      if (!view.delegateTo.some((p) => p.personId === input.toPersonId)) {
        throw new AppError('CANNOT_DELEGATE', 'You can hand this request only to another partner of your practice who holds the same roles.', { allowed: view.delegateTo });
      }
      return call(() => temporal.workflow.getHandle(signoff.workflowId).executeUpdate(delegateUpdate, { args: [{ personId: person.id, tokenId: token.id, toPersonId: input.toPersonId }] }));
    },
  };
}

export type ActionsService = ReturnType<typeof createActionsService>;
