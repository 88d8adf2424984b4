import crypto from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { Knex } from 'knex';
import { isUniqueViolation } from '../db/repos/executor';
import { bankHolidaysTable } from '../domain/calendar/bank-holidays';
import type { BankHolidayTable } from '../domain/calendar/working-days';
import { buildSlots, describeSigningRule, type PracticeForSigning, type SigningRule, type Slot } from '../domain/signing';
import type { StageKey } from '../domain/stages';
import type { SignatureReceipt, SignInput } from '../workflows/messages';
import type { MailData } from '../mail/compose';
import type { ActivityDeps } from './formation.activities';

const SYSTEM = 'system';

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

interface RequestContext {
  signoffId: string;
  workflowId: string;
  networkId: string;
  documentId: string;
  documentVersion: number;
  documentTitle: string;
  expiresAt: string;
}

/**
 * What a sign-off round does to the world: requests, signatures, declines, delegation, reminders,
 * expiry. Every activity is idempotent (dedupe keys, unique constraints, "find earlier work first"),
 * because Temporal retries it after a crash.
 */
export function createSigningActivities(deps: ActivityDeps) {
  const { db, repos, log, outbox } = deps;

  async function practicesOf(networkId: string): Promise<{ name: string; practices: PracticeForSigning[] }> {
    const network = await repos.records.getNetwork(db, networkId);
    if (!network) throw ApplicationFailure.nonRetryable(`network ${networkId} not found`, 'NOT_FOUND');
    return {
      name: network.name,
      practices: network.practices.map((p) => ({
        practiceId: p.id,
        practiceName: p.name,
        people: p.people.map((x) => ({ personId: x.id, name: x.name, email: x.email, roles: x.roles })),
      })),
    };
  }

  /** Writes one message per recipient with a fresh signing link, in the caller's transaction. */
  async function queueLinks<T extends 'signature-request' | 'signature-delegated'>(
    trx: Knex.Transaction,
    ctx: RequestContext,
    people: { personId: string; name: string; email: string; practiceName: string }[],
    batch: string,
    template: T,
    data: (p: { name: string; practiceName: string; link: string }) => MailData[T],
  ): Promise<string[]> {
    const keys: string[] = [];
    for (const person of people) {
      keys.push(
        await outbox.queueWithLink(trx, {
          key: `${ctx.workflowId}:${batch}:${person.personId}`,
          to: person.email,
          networkId: ctx.networkId,
          template,
          link: {
            kind: 'sign',
            personId: person.personId,
            subjectId: ctx.signoffId,
            documentId: ctx.documentId,
            documentVersion: ctx.documentVersion,
            workflowId: ctx.workflowId,
            expiresAt: ctx.expiresAt,
          },
          data: (link) => data({ name: person.name, practiceName: person.practiceName, link }),
        }),
      );
    }
    return keys;
  }

  async function notifyFacilitators<T extends 'signature-declined' | 'round-expired'>(
    trx: Knex.Transaction,
    dedupeKey: string,
    networkId: string,
    template: T,
    data: MailData[T],
  ): Promise<string[]> {
    const keys: string[] = [];
    for (const email of await repos.tokens.facilitatorEmails(trx, networkId)) {
      keys.push(
        await outbox.queue(trx, { key: `${dedupeKey}:${email}`, to: email, networkId, template, data, links: [`${deps.publicUrl}/networks/${networkId}`] }),
      );
    }
    return keys;
  }

  /**
   * Writes a batch of signatures of one round in one transaction: the signatures, the request
   * statuses, the links used and one audit event each. The workflow collects the signatures that
   * arrive while a write is running and hands them over together (group commit), so a burst of
   * signers costs a few transactions rather than one each. Idempotent: a signature written by an
   * earlier attempt is answered with its stored receipt.
   */
  async function recordSignatures(input: RecordSignaturesInput): Promise<RecordedSignature[]> {
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

  return {
    /** England and Wales bank holidays for the working-day timers (computed here: too heavy for workflow code). */
    async bankHolidayTable(input: { fromYear: number; toYear: number }): Promise<BankHolidayTable> {
      return bankHolidaysTable(input.fromYear, input.toYear);
    },

    async openSignoff(input: {
      signoffId: string;
      workflowId: string;
      networkId: string;
      stage: StageKey | null;
      subject?: string;
      practiceIds?: string[];
      documentId: string;
      documentVersion: number;
      rule: SigningRule;
      expiresAt: string;
    }): Promise<{ signoffId: string; slots: Slot[]; practices: PracticeForSigning[] }> {
      const all = (await practicesOf(input.networkId)).practices;
      // a round for some practices only (the parties to a dispute) has slots for those alone
      const practices = input.practiceIds ? all.filter((p) => input.practiceIds!.includes(p.practiceId)) : all;
      const existing = await repos.signoffs.byWorkflowId(db, input.workflowId);
      if (existing) return { signoffId: existing.id, slots: existing.slots, practices };
      const slots = buildSlots(practices, input.rule);
      try {
        await repos.signoffs.insert(db, {
          id: input.signoffId,
          workflowId: input.workflowId,
          networkId: input.networkId,
          stageKey: input.stage ?? input.subject ?? 'none',
          documentId: input.documentId,
          documentVersion: input.documentVersion,
          status: 'open',
          rule: input.rule,
          slots,
          expiresAt: input.expiresAt,
        });
      } catch (err) {
        const again = isUniqueViolation(err) ? await repos.signoffs.byWorkflowId(db, input.workflowId) : null;
        if (again) return { signoffId: again.id, slots: again.slots, practices };
        throw err;
      }
      return { signoffId: input.signoffId, slots, practices };
    },

    /** Sends links to the named people; a batch (first group, reminder n, resend) is sent once. */
    async sendSignatureRequests(input: RequestContext & { personIds: string[]; batch: string; reminder: boolean; actor: string }): Promise<void> {
      const { name: networkName, practices } = await practicesOf(input.networkId);
      const signoff = await repos.signoffs.get(db, input.signoffId);
      if (!signoff) throw ApplicationFailure.nonRetryable('signoff not found', 'NOT_FOUND');
      const people = practices
        .flatMap((p) => p.people.map((x) => ({ ...x, practiceId: p.practiceId, practiceName: p.practiceName })))
        .filter((x) => input.personIds.includes(x.personId));
      const unique = [...new Map(people.map((p) => [p.personId, p])).values()];
      const rule = describeSigningRule(signoff.rule as SigningRule);
      const keys = await db.transaction(async (trx) => {
        const known = new Set((await repos.signoffs.requests(trx, input.signoffId)).map((r) => r.personId));
        for (const person of unique) {
          if (known.has(person.personId)) continue;
          await repos.signoffs.insertRequest(trx, {
            id: crypto.randomUUID(),
            signoffId: input.signoffId,
            personId: person.personId,
            practiceId: person.practiceId,
          });
          await repos.audit.append(
            trx,
            SYSTEM,
            { type: 'signature.requested', signoffId: input.signoffId, personId: person.personId, practiceId: person.practiceId, documentId: input.documentId },
            input.networkId,
          );
        }
        const sent = await queueLinks(trx, input, unique, input.batch, 'signature-request', ({ name, practiceName, link }) => ({
          name,
          practiceName,
          link,
          networkName,
          documentTitle: input.documentTitle,
          documentVersion: input.documentVersion,
          rule,
          expiresAt: input.expiresAt,
          reminder: input.reminder,
        }));
        if (input.reminder && unique.length) {
          await repos.audit.append(
            trx,
            SYSTEM,
            { type: 'signature.reminded', signoffId: input.signoffId, personIds: unique.map((p) => p.personId), batch: input.batch },
            input.networkId,
          );
        } else if (input.batch.startsWith('resend') && unique.length) {
          await repos.audit.append(
            trx,
            input.actor,
            { type: 'signature.resent', signoffId: input.signoffId, personIds: unique.map((p) => p.personId) },
            input.networkId,
          );
        }
        return sent;
      });
      await outbox.deliver(keys);
    },

    recordSignatures,

    /** One signature on its own: rounds that began before signatures were written in batches still call it. */
    async recordSignature(
      input: SignInput & Omit<RecordSignaturesInput, 'signatures'> & { workflowId: string; slotIds: string[]; capacity: string },
    ): Promise<Omit<SignatureReceipt, 'roundComplete'>> {
      const { signoffId, workflowId: _workflowId, documentId, documentVersion, documentSha256, ...signature } = input;
      const [result] = await recordSignatures({ signoffId, documentId, documentVersion, documentSha256, signatures: [signature] });
      if ('rejected' in result) throw ApplicationFailure.nonRetryable(result.rejected.message, result.rejected.code);
      return result.receipt;
    },

    async recordDecline(input: {
      signoffId: string;
      networkId: string;
      personId: string;
      tokenId: string;
      reason: string;
      documentTitle: string;
      documentVersion: number;
    }): Promise<{ declinedAt: string }> {
      const earlier = await repos.signoffs.declineByPerson(db, input.signoffId, input.personId);
      if (earlier) return { declinedAt: earlier.declinedAt };
      const person = await repos.records.getPerson(db, input.personId);
      if (!person) throw ApplicationFailure.nonRetryable('signer not found', 'NOT_A_SIGNER');
      const keys = await db.transaction(async (trx) => {
        await repos.signoffs.insertDecline(trx, { id: crypto.randomUUID(), signoffId: input.signoffId, personId: input.personId, reason: input.reason });
        await repos.signoffs.setRequestStatus(trx, input.signoffId, input.personId, 'declined');
        await repos.tokens.markActionTokenUsed(trx, input.signoffId, input.personId);
        await repos.audit.append(
          trx,
          `person:${input.personId}`,
          { type: 'signature.declined', signoffId: input.signoffId, personId: input.personId, practiceId: person.practiceId, reason: input.reason },
          input.networkId,
        );
        return notifyFacilitators(trx, `${input.signoffId}:declined:${input.personId}`, input.networkId, 'signature-declined', {
          signerName: person.name,
          practiceName: person.practiceName,
          documentTitle: input.documentTitle,
          documentVersion: input.documentVersion,
          reason: input.reason,
        });
      });
      await outbox.deliver(keys);
      const stored = await repos.signoffs.declineByPerson(db, input.signoffId, input.personId);
      return { declinedAt: stored?.declinedAt ?? new Date().toISOString() };
    },

    async recordDelegation(input: RequestContext & { fromPersonId: string; tokenId: string; toPersonId: string; slots: Slot[] }): Promise<void> {
      const [from, to] = [await repos.records.getPerson(db, input.fromPersonId), await repos.records.getPerson(db, input.toPersonId)];
      if (!from || !to) throw ApplicationFailure.nonRetryable('person not found', 'CANNOT_DELEGATE');
      const keys = await db.transaction(async (trx) => {
        const requests = await repos.signoffs.requests(trx, input.signoffId);
        const mine = requests.find((r) => r.personId === input.fromPersonId);
        if (mine?.status === 'delegated') return [] as string[];
        await repos.signoffs.setRequestStatus(trx, input.signoffId, input.fromPersonId, 'delegated');
        await repos.tokens.markActionTokenUsed(trx, input.signoffId, input.fromPersonId);
        await repos.signoffs.setOpenState(trx, input.signoffId, { slots: input.slots });
        if (!requests.some((r) => r.personId === input.toPersonId)) {
          await repos.signoffs.insertRequest(trx, {
            id: crypto.randomUUID(),
            signoffId: input.signoffId,
            personId: input.toPersonId,
            practiceId: to.practiceId,
          });
        } else {
          await repos.signoffs.setRequestStatus(trx, input.signoffId, input.toPersonId, 'pending');
        }
        await repos.audit.append(
          trx,
          `person:${input.fromPersonId}`,
          { type: 'signature.delegated', signoffId: input.signoffId, fromPersonId: input.fromPersonId, toPersonId: input.toPersonId },
          input.networkId,
        );
        return queueLinks(
          trx,
          input,
          [{ personId: to.id, name: to.name, email: to.email, practiceName: to.practiceName }],
          `delegated-from-${input.fromPersonId}`,
          'signature-delegated',
          ({ name, practiceName, link }) => ({
            name,
            practiceName,
            link,
            fromName: from.name,
            documentTitle: input.documentTitle,
            documentVersion: input.documentVersion,
          }),
        );
      });
      await outbox.deliver(keys);
    },

    async extendSignoff(input: { signoffId: string; networkId: string; expiresAt: string; actor: string }): Promise<void> {
      await db.transaction(async (trx) => {
        await repos.signoffs.setOpenState(trx, input.signoffId, { status: 'open', expiresAt: input.expiresAt });
        await repos.tokens.extendForSubject(trx, input.signoffId, input.expiresAt);
        await repos.audit.append(trx, input.actor, { type: 'signoff.extended', signoffId: input.signoffId, expiresAt: input.expiresAt }, input.networkId);
      });
    },

    async expireSignoff(input: {
      signoffId: string;
      networkId: string;
      documentTitle: string;
      documentVersion: number;
      owedPersonIds: string[];
    }): Promise<void> {
      const signoff = await repos.signoffs.get(db, input.signoffId);
      if (!signoff || signoff.status === 'expired') return;
      const network = await repos.records.getNetwork(db, input.networkId);
      const names = (network?.practices ?? [])
        .flatMap((p) => p.people.map((x) => ({ id: x.id, label: `${x.name} (${p.name})` })))
        .filter((x) => input.owedPersonIds.includes(x.id))
        .map((x) => x.label);
      const keys = await db.transaction(async (trx) => {
        await repos.signoffs.setOpenState(trx, input.signoffId, { status: 'expired' });
        await repos.audit.append(trx, SYSTEM, { type: 'signoff.expired', signoffId: input.signoffId, owedPersonIds: input.owedPersonIds }, input.networkId);
        return notifyFacilitators(trx, `${input.signoffId}:expired:${signoff.expiresAt}`, input.networkId, 'round-expired', {
          networkName: network?.name ?? 'a network',
          documentTitle: input.documentTitle,
          documentVersion: input.documentVersion,
          owedBy: names,
        });
      });
      await outbox.deliver(keys);
    },

    async completeSignoff(input: {
      signoffId: string;
      networkId: string;
      documentId: string;
      outcome: 'signed' | 'declined' | 'voided';
      reason?: string;
    }): Promise<void> {
      await db.transaction(async (trx) => {
        const signoff = await repos.signoffs.get(trx, input.signoffId);
        if (!signoff || signoff.completedAt) return;
        await repos.signoffs.complete(trx, input.signoffId, input.outcome);
        await repos.documents.setStatus(
          trx,
          input.documentId,
          input.outcome === 'signed' ? 'signed' : input.outcome === 'declined' ? 'declined' : 'superseded',
        );
        for (const request of await repos.signoffs.requests(trx, input.signoffId)) {
          if (request.status === 'pending')
            await repos.signoffs.setRequestStatus(trx, input.signoffId, request.personId, input.outcome === 'voided' ? 'voided' : 'closed');
        }
        await repos.audit.append(
          trx,
          SYSTEM,
          { type: 'signoff.completed', signoffId: input.signoffId, documentId: input.documentId, outcome: input.outcome },
          input.networkId,
        );
      });
    },
  };
}

export type SigningActivities = ReturnType<typeof createSigningActivities>;
