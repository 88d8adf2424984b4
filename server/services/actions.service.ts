import { transactionRetryingContention } from '../../db/knex';
import crypto from 'node:crypto';
import { CONSENT } from '../../domain/consent';
import { delegationTargets, type Slot } from '../../domain/signing';
import { describeChanges, textDiff } from '../../documents';
import type { Outbox } from '../../mail/outbox';
import { declineUpdate, delegateUpdate, type SignatureReceipt } from '../../workflows/messages';
import { actorLabel } from '../../domain/access/policy';
import { linkActor } from '../access';
import { linkHolder, requireCurrent, requireLive, type ActionLink } from '../action-links';
import type { ServerDeps } from '../deps';
import { AppError } from '../errors';
import { callWorkflow } from './deadline';
import { createSignSender } from './sign-sender';
import { createSigningStanding } from './signing-standing';
import { createWaitingActions } from './waiting-actions';

export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
}

export type ActionStatus = 'pending' | 'signed' | 'declined' | 'signed-by-colleague' | 'delegated' | 'superseded' | 'closed' | 'expired';

/**
 * When a round's workflow has finished, an update can no longer reach it; what the person is told
 * then comes from the record of how the round ended. (While it runs, the workflow's validator is
 * the only judge of a signature, a decline or a delegation.)
 */
const ENDED: Record<Exclude<ActionStatus, 'pending'>, [ConstructorParameters<typeof AppError>[0], string]> = {
  signed: ['ALREADY_SIGNED', 'You have already signed this document. Your signature counts once.'],
  'signed-by-colleague': ['ALREADY_SIGNED', 'Your practice has already signed this document through another partner.'],
  declined: ['ALREADY_DECLINED', 'You declined to sign this version.'],
  delegated: ['ROUND_CLOSED', 'You handed this request to a colleague.'],
  superseded: ['WRONG_VERSION', 'A newer version of this document has been issued; use the link in the newer email.'],
  closed: ['ROUND_CLOSED', 'This signing round has finished.'],
  expired: ['ROUND_EXPIRED', 'This signing round has expired. The facilitator has been told and can extend it.'],
};

/**
 * What a signing link allows and doing it. The route layer resolves the link; this service checks
 * the credential (the link is live, the emailed code where the programme asks for one), sends the
 * update and maps a refusal. Whether the person may sign, decline or delegate now is decided by
 * the sign-off workflow's update validators alone.
 */
export function createActionsService(deps: ServerDeps & { outbox: Outbox }) {
  const { db, repos, temporal, publicUrl, outbox } = deps;
  const signing = createSigningStanding(deps);
  const waiting = createWaitingActions(deps);
  const sendSignature = createSignSender(temporal);

  async function describe(link: ActionLink) {
    const { token, person, secret } = link;
    const signoff = await repos.signoffs.get(db, token.subjectId);
    const document = token.documentId ? await repos.documents.get(db, token.documentId) : null;
    if (!signoff || !document) throw new AppError('NOT_FOUND', 'This link no longer points to a document.');
    const network = await repos.records.getNetwork(db, signoff.networkId);
    const programme = network ? await repos.records.getProgramme(db, network.programmeId) : null;
    const signature = await repos.signoffs.signatureByPerson(db, signoff.id, person.id);
    const request = (await repos.signoffs.requests(db, signoff.id)).find((r) => r.personId === person.id);
    const requestStatus: Record<string, ActionStatus> = {
      declined: 'declined',
      'signed-by-colleague': 'signed-by-colleague',
      delegated: 'delegated',
      voided: 'superseded',
      closed: 'closed',
    };
    let status: ActionStatus;
    if (signature) status = 'signed';
    else if (request && requestStatus[request.status]) status = requestStatus[request.status];
    else if (signoff.status === 'voided') status = 'superseded';
    else if (signoff.completedAt) status = 'closed';
    else if (link.expired || signoff.status === 'expired') status = 'expired';
    else status = 'pending';
    const practices = (network?.practices ?? []).map((p) => ({
      practiceId: p.id,
      practiceName: p.name,
      people: p.people.map((x) => ({ personId: x.id, name: x.name, email: x.email, roles: x.roles })),
    }));
    const mySlots = signoff.slots.filter((s: Slot) => s.eligible.some((e) => e.personId === person.id));
    return {
      signoff,
      document,
      signature,
      view: {
        kind: 'sign' as const,
        status,
        expiresAt: token.expiresAt,
        ...linkHolder(link),
        network: { id: signoff.networkId, name: network?.name ?? '' },
        capacities: [...new Set(mySlots.map((s) => s.capacity))],
        secondFactor: programme?.settings.signingCodeByEmail ? ('email-code' as const) : null,
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
        // who the page offers; the workflow decides whether a hand-over is allowed when asked
        delegateTo: status === 'pending' ? delegationTargets(signoff.slots, practices, person.id).map((p) => ({ personId: p.personId, name: p.name })) : [],
      },
    };
  }

  /**
   * Sends an update to the round's workflow. A finished workflow cannot answer, so its refusal is
   * said from the record of how the round ended for this person.
   */
  async function update<T>(link: ActionLink, fn: (workflowId: string) => Promise<T>): Promise<T> {
    try {
      // the link names its round's workflow: nothing else is read before the validator judges
      return await callWorkflow(temporal, () => fn(link.token.workflowId));
    } catch (err) {
      if (!(err instanceof AppError) || (err.code !== 'ROUND_CLOSED' && err.code !== 'NOT_FOUND')) throw err;
      const { view } = await describe(link);
      if (view.status === 'pending') throw err;
      const [code, message] = ENDED[view.status];
      throw new AppError(
        code,
        message,
        view.status === 'signed' ? { signatureId: view.signature?.signatureId, signedAt: view.signature?.signedAt } : undefined,
      );
    }
  }

  /** The one-time code, where the programme asks for one: a second factor beside the link. */
  async function checkCode(link: ActionLink, code: string | undefined): Promise<'action-link' | 'action-link+email-code'> {
    // read with the link: describe() would load the whole network and round
    if (!link.signingCodeByEmail) return 'action-link';
    if (!code) throw new AppError('CODE_REQUIRED', 'Enter the 6-digit code we emailed you (ask for one first).');
    const outcome = await repos.codes.consume(db, link.token.id, code);
    const problems: Record<string, string> = {
      missing: 'Ask for a code first; it is emailed to you.',
      expired: 'That code has expired. Ask for a new one.',
      wrong: 'That code is not right. Check the email and try again.',
      locked: 'Too many wrong codes. Ask for a new one.',
    };
    if (outcome !== 'ok') throw new AppError('CODE_INVALID', problems[outcome]);
    return 'action-link+email-code';
  }

  return {
    describe,

    /**
     * The signing page's picture of the round: the link's view, what became of the request and
     * when, the deadline, who else must sign, and whether the completed copy is ready.
     */
    async standing(link: ActionLink) {
      const { view, signoff } = await describe(link);
      return { view, ...(await signing.standing(link, view.status, signoff)) };
    },

    /** A fresh personal link to the sealed copy of the round this person signed (see signing-standing). */
    async sealedCopyLink(link: ActionLink) {
      const { view, signoff } = await describe(link);
      return signing.sealedCopyLink(link, view.status, signoff);
    },

    /** Records the first opening of a link (audited as "viewed"). */
    async markViewed(link: ActionLink) {
      const { signoff, document } = await describe(link);
      await transactionRetryingContention(db, async (trx) => {
        if (await repos.tokens.markViewed(trx, link.token.id)) {
          await repos.audit.append(
            trx,
            actorLabel(linkActor(link)),
            { type: 'signature.viewed', signoffId: signoff.id, personId: link.person.id, documentId: document.id, documentVersion: document.version },
            signoff.networkId,
          );
        }
      });
    },

    /** The document as HTML, and what changed since the last version this person opened (or the previous version). */
    async preview(link: ActionLink) {
      requireCurrent(link);
      const { document } = await describe(link);
      const text = await repos.documents.text(db, document.id);
      const versions = (await repos.documents.versions(db, document.networkId, document.type)).filter((v) => v.version < document.version);
      let compareWith = null;
      if (versions.length) {
        const seen = new Set(
          await repos.tokens.viewedVersions(
            db,
            link.person.id,
            versions.map((v) => v.id),
          ),
        );
        compareWith = [...versions].reverse().find((v) => seen.has(v.id)) ?? versions.at(-1)!;
      }
      let changes = null;
      if (compareWith && text) {
        const before = await repos.documents.text(db, compareWith.id);
        const parts = textDiff(before?.markdown ?? '', text.markdown);
        changes = {
          fromVersion: compareWith.version,
          parts: parts.filter((p) => p.op !== 'equal').map((p) => ({ op: p.op, text: p.text })),
          // the same changes as a reader sees them (sections, clauses, words), for the signing page
          blocks: describeChanges(before?.markdown ?? '', text.markdown),
        };
      }
      return { html: text?.html ?? '', changes };
    },

    /** The document's file, while the link is current (not expired, not superseded by a newer version). */
    async file(link: ActionLink, kind: 'pdf' | 'docx') {
      requireCurrent(link);
      const { document } = await describe(link);
      const bytes = await repos.documents.file(db, document.id, kind);
      if (!bytes) throw new AppError('NOT_FOUND', 'The document file is missing.');
      return { bytes, document };
    },

    /** Sends a one-time code to the signer's email, where the programme asks for one. */
    async sendCode(link: ActionLink): Promise<{ sentTo: string; expiresAt: string }> {
      requireLive(link);
      const { person } = link;
      const { signoff, view } = await describe(link);
      if (!view.secondFactor) throw new AppError('CONFLICT', 'This programme does not use signing codes.');
      if (view.status !== 'pending') throw new AppError(...ENDED[view.status]);
      const keys: string[] = [];
      const issued = await transactionRetryingContention(db, async (trx) => {
        const { code, expiresAt } = await repos.codes.issue(trx, link.token.id);
        keys.push(
          await outbox.queue(trx, {
            key: `code:${link.token.id}:${crypto.randomUUID()}`,
            to: person.email,
            networkId: signoff.networkId,
            template: 'signing-code',
            data: { code, documentTitle: view.document.title, documentVersion: view.document.version, practiceName: person.practiceName },
          }),
        );
        await repos.audit.append(
          trx,
          actorLabel(linkActor(link)),
          { type: 'signature.code-sent', signoffId: signoff.id, personId: person.id },
          signoff.networkId,
        );
        return { expiresAt };
      });
      await outbox.deliver(keys).catch((err) => deps.log.warn({ err: (err as Error).message }, 'signing code not delivered yet'));
      const [user, domain] = person.email.split('@');
      return { sentTo: `${user.slice(0, 1)}…@${domain}`, expiresAt: issued.expiresAt };
    },

    async sign(link: ActionLink, input: { typedName: string; consent: true; code?: string }, meta: RequestMeta): Promise<SignatureReceipt> {
      requireLive(link);
      const method = await checkCode(link, input.code);
      const { token, person } = link;
      return update(link, (workflowId) =>
        sendSignature(workflowId, {
          personId: person.id,
          tokenId: token.id,
          documentVersion: token.documentVersion ?? 0,
          typedName: input.typedName,
          consent: input.consent,
          consentVersion: CONSENT.version,
          method,
          ip: meta.ip,
          userAgent: meta.userAgent,
        }),
      );
    },

    // what waits for the link's person or a signed-in one, and a fresh link to it (waiting-actions.ts)
    ...waiting,

    async decline(link: ActionLink, input: { reason: string; code?: string }) {
      requireLive(link);
      // like signing, declining acts for the practice: the code is part of the credential
      await checkCode(link, input.code);
      return update(link, (workflowId) =>
        temporal.workflow
          .getHandle(workflowId)
          .executeUpdate(declineUpdate, { args: [{ personId: link.person.id, tokenId: link.token.id, reason: input.reason }] }),
      );
    },

    async delegate(link: ActionLink, input: { toPersonId: string; code?: string }) {
      requireLive(link);
      await checkCode(link, input.code);
      return update(link, (workflowId) =>
        temporal.workflow
          .getHandle(workflowId)
          .executeUpdate(delegateUpdate, { args: [{ personId: link.person.id, tokenId: link.token.id, toPersonId: input.toPersonId }] }),
      );
    },
  };
}

export type ActionsService = ReturnType<typeof createActionsService>;
