import crypto from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { Knex } from 'knex';
import { isUniqueViolation } from '../db/repos/executor';
import type { AuditEntry } from '../db/repos/audit.repo';
import { bankHolidaysTable } from '../domain/calendar/bank-holidays';
import type { BankHolidayTable } from '../domain/calendar/working-days';
import { buildSlots, describeSigningRule, type PracticeForSigning, type SigningRule, type Slot } from '../domain/signing';
import type { StageKey } from '../domain/stages';
import type { SignatureReceipt, SignInput } from '../workflows/messages';
import type { MailData } from '../mail/compose';
import type { ActivityDeps } from './formation.activities';
import { recordSignatures as writeSignatureBatch, type RecordSignaturesInput } from './signature-batch';

export type { RecordedSignature, RecordSignaturesInput, SignatureToRecord } from './signature-batch';

const SYSTEM = 'system';

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
  const { db, repos, outbox } = deps;

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
    return outbox.queueManyWithLinks(
      trx,
      people.map((person) => ({
        key: `${ctx.workflowId}:${batch}:${person.personId}`,
        to: person.email,
        networkId: ctx.networkId,
        template,
        link: {
          kind: 'sign' as const,
          personId: person.personId,
          subjectId: ctx.signoffId,
          documentId: ctx.documentId,
          documentVersion: ctx.documentVersion,
          workflowId: ctx.workflowId,
          expiresAt: ctx.expiresAt,
        },
        data: (link: string) => data({ name: person.name, practiceName: person.practiceName, link }),
      })),
    );
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

  /** Writes a batch of one round's signatures in one transaction (signature-batch.ts). */
  const recordSignatures = (input: RecordSignaturesInput) => writeSignatureBatch(deps, input);

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
        const requested = unique.filter((person) => !known.has(person.personId));
        await repos.signoffs.insertRequests(
          trx,
          requested.map((person) => ({ id: crypto.randomUUID(), signoffId: input.signoffId, personId: person.personId, practiceId: person.practiceId })),
        );
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
        // the audit chain's head is taken last, so other networks' writes wait on it for the least time
        const events: AuditEntry[] = requested.map((person) => ({
          actor: SYSTEM,
          event: {
            type: 'signature.requested',
            signoffId: input.signoffId,
            personId: person.personId,
            practiceId: person.practiceId,
            documentId: input.documentId,
          },
          networkId: input.networkId,
        }));
        if (input.reminder && unique.length) {
          events.push({
            actor: SYSTEM,
            event: { type: 'signature.reminded', signoffId: input.signoffId, personIds: unique.map((p) => p.personId), batch: input.batch },
            networkId: input.networkId,
          });
        } else if (input.batch.startsWith('resend') && unique.length) {
          events.push({
            actor: input.actor,
            event: { type: 'signature.resent', signoffId: input.signoffId, personIds: unique.map((p) => p.personId) },
            networkId: input.networkId,
          });
        }
        await repos.audit.appendMany(trx, events);
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
          await repos.signoffs.insertRequests(trx, [
            { id: crypto.randomUUID(), signoffId: input.signoffId, personId: input.toPersonId, practiceId: to.practiceId },
          ]);
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
