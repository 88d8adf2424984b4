import crypto from 'node:crypto';
import { CONSENT } from '../../domain/consent';
import { newTokenSecret } from '../../db/repos/tokens.repo';
import { deliverPending } from '../../activities/notifications';
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
    const programme = network ? await repos.records.getProgramme(db, network.programmeId) : null;
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

    /** Sends a one-time code to the signer's email, where the programme asks for one. */
    async sendCode(secret: string): Promise<{ sentTo: string; expiresAt: string }> {
      const { token, person, signoff, view } = await describe(secret);
      refuseUnlessPending(view, person.practiceName);
      if (!view.secondFactor) throw new AppError('CONFLICT', 'This programme does not use signing codes.');
      const keys: string[] = [];
      const issued = await db.transaction(async (trx) => {
        const { code, expiresAt } = await repos.codes.issue(trx, token.id);
        const key = `code:${token.id}:${crypto.randomUUID()}`;
        keys.push(key);
        await repos.outbox.insert(trx, {
          id: crypto.randomUUID(),
          dedupeKey: key,
          to: person.email,
          subject: `Your signing code: ${code}`,
          text: [`Your code to sign "${view.document.title}" (version ${view.document.version}) for ${person.practiceName} is:`, '', `    ${code}`, '', `It works once, for 10 minutes. If you did not ask for it, you can ignore this message.`].join('\n'),
          links: [],
          networkId: signoff.networkId,
          delivery: deps.mailer ? 'pending' : 'outbox',
        });
        await repos.audit.append(trx, `person:${person.id}`, { type: 'signature.code-sent', signoffId: signoff.id, personId: person.id }, signoff.networkId);
        return { expiresAt };
      });
      await deliverPending({ db, repos, mailer: deps.mailer, log: deps.log }, keys).catch((err) => deps.log.warn({ err: (err as Error).message }, 'signing code not delivered yet'));
      const [user, domain] = person.email.split('@');
      return { sentTo: `${user.slice(0, 1)}…@${domain}`, expiresAt: issued.expiresAt };
    },

    async sign(secret: string, input: { typedName: string; consent: true; code?: string }, meta: RequestMeta): Promise<SignatureReceipt> {
      const { token, person, signoff, view } = await describe(secret);
      refuseUnlessPending(view, person.practiceName);
      let method = 'action-link';
      if (view.secondFactor === 'email-code') {
        if (!input.code) throw new AppError('CODE_REQUIRED', 'Enter the 6-digit code we emailed you (ask for one first).');
        const outcome = await repos.codes.consume(db, token.id, input.code);
        const problems: Record<string, string> = {
          missing: 'Ask for a code first; it is emailed to you.',
          expired: 'That code has expired. Ask for a new one.',
          wrong: 'That code is not right. Check the email and try again.',
          locked: 'Too many wrong codes. Ask for a new one.',
        };
        if (outcome !== 'ok') throw new AppError('CODE_INVALID', problems[outcome]);
        method = 'action-link+email-code';
      }
      return call(() =>
        temporal.workflow.getHandle(signoff.workflowId).executeUpdate(signUpdate, {
          args: [{ personId: person.id, tokenId: token.id, documentVersion: token.documentVersion ?? 0, typedName: input.typedName, consent: input.consent, consentVersion: CONSENT.version, method, ip: meta.ip, userAgent: meta.userAgent }],
        }),
      );
    },

    /**
     * Everything waiting for the holder of this link, across networks: every open signing request
     * addressed to the same email. Links are not stored, so opening one mints a fresh link.
     */
    async mine(secret: string) {
      const { person } = await describe(secret);
      const items = [];
      for (const t of await repos.tokens.pendingForEmail(db, person.email)) {
        if (t.kind !== 'sign' || !t.documentId) continue;
        const signoff = await repos.signoffs.get(db, t.subjectId);
        if (!signoff || signoff.completedAt || signoff.status !== 'open') continue;
        const request = (await repos.signoffs.requests(db, signoff.id)).find((r) => r.personId === t.personId);
        if (request?.status !== 'pending') continue;
        const doc = await repos.documents.get(db, t.documentId);
        const network = await repos.records.getNetwork(db, signoff.networkId);
        const who = await repos.records.getPerson(db, t.personId);
        items.push({ actionId: t.id, subjectId: signoff.id, documentTitle: doc?.title ?? '', documentVersion: t.documentVersion ?? 0, network: network?.name ?? '', practice: who?.practiceName ?? '', expiresAt: t.expiresAt });
      }
      // one line per round, however many links were sent for it
      return [...new Map(items.map((i) => [i.subjectId, i])).values()];
    },

    /** A fresh link for one of "my actions", checked to belong to the same person's email. */
    async openMine(secret: string, actionId: string): Promise<string> {
      const { person } = await describe(secret);
      const target = (await repos.tokens.pendingForEmail(db, person.email)).find((t) => t.id === actionId);
      if (!target) throw new AppError('NOT_FOUND', 'That action is no longer waiting for you.');
      const fresh = newTokenSecret();
      await repos.tokens.insertActionToken(db, { ...target, id: crypto.randomUUID(), secret: fresh });
      return fresh;
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
