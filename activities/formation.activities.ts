import crypto from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { Repos } from '../db/repos';
import { isUniqueViolation } from '../db/repos/executor';
import { newTokenSecret } from '../db/repos/tokens.repo';
import { renderDocument, TemplateContextError } from '../documents';
import { DEFAULT_SIGNING_RULE, requiredSignatories, type RequiredPractice } from '../domain/signing';
import { STAGES, stageDefinition, type StageKey } from '../domain/stages';
import { STAGE_TEMPLATES, type NetworkFacts } from '../templates';
import type { DocumentRef, SignatureReceipt, SignInput } from '../workflows/messages';
import type { Mailer } from './mailer';
import { deliverPending } from './notifications';

export interface ActivityDeps {
  db: Knex;
  repos: Repos;
  log: Logger;
  mailer?: Mailer;
  publicUrl: string;
  actionTokenTtlDays: number;
}

const SYSTEM = 'system';

/**
 * Everything the formation and sign-off workflows do to the world. Each activity is idempotent:
 * Temporal retries it after a crash, so a repeat must find its earlier work and not redo it.
 */
export function createFormationActivities(deps: ActivityDeps) {
  const { db, repos, log } = deps;

  async function networkFacts(networkId: string): Promise<NetworkFacts> {
    const network = await repos.records.getNetwork(db, networkId);
    if (!network) throw ApplicationFailure.nonRetryable(`network ${networkId} not found`, 'NOT_FOUND');
    const programme = await repos.records.getProgramme(db, network.programmeId);
    const wave = await repos.records.getWave(db, network.waveId);
    if (!programme || !wave) throw ApplicationFailure.nonRetryable(`programme or wave of ${networkId} not found`, 'NOT_FOUND');
    return {
      programme: { name: programme.name, sponsor: programme.sponsor, footprint: programme.footprint },
      wave: { number: wave.number, panelDate: wave.panelDate },
      network: { id: network.id, name: network.name },
      practices: network.practices.map((p) => ({
        id: p.id,
        name: p.name,
        odsCode: p.odsCode,
        listSize: p.listSize,
        people: p.people.map((x) => ({ id: x.id, name: x.name, email: x.email, roles: x.roles })),
      })),
    };
  }

  return {
    async markFormation(input: { networkId: string; status: 'running' | 'completed'; currentStage: StageKey | null }): Promise<void> {
      await db.transaction(async (trx) => {
        await repos.stages.ensure(trx, input.networkId, STAGES.map((s) => ({ key: s.key, position: s.position })));
        await repos.records.setFormation(trx, input.networkId, { formationStatus: input.status, currentStage: input.currentStage });
      });
    },

    async markStage(input: { networkId: string; stage: StageKey; status: string; event?: 'started' | 'completed' | 'returned'; reason?: string }): Promise<void> {
      await db.transaction(async (trx) => {
        const before = (await repos.stages.list(trx, input.networkId)).find((s) => s.stageKey === input.stage);
        if (before?.status === input.status) return;
        await repos.stages.setStatus(trx, input.networkId, input.stage, input.status);
        if (input.event === 'started') {
          await repos.records.setFormation(trx, input.networkId, { currentStage: input.stage });
          await repos.audit.append(trx, SYSTEM, { type: 'stage.started', networkId: input.networkId, stage: input.stage }, input.networkId);
        } else if (input.event === 'completed') {
          await repos.audit.append(trx, SYSTEM, { type: 'stage.completed', networkId: input.networkId, stage: input.stage }, input.networkId);
        } else if (input.event === 'returned') {
          await repos.audit.append(trx, SYSTEM, { type: 'stage.returned-to-drafting', networkId: input.networkId, stage: input.stage, reason: input.reason ?? '' }, input.networkId);
        }
      });
    },

    async persistStageData(input: { networkId: string; stage: StageKey; data: unknown; revision: number; actor: string }): Promise<void> {
      await db.transaction(async (trx) => {
        const changed = await repos.stages.setData(trx, input.networkId, input.stage, input.data, input.revision);
        if (changed) {
          await repos.audit.append(trx, input.actor, { type: 'stage.data-submitted', networkId: input.networkId, stage: input.stage, revision: input.revision }, input.networkId);
        }
      });
    },

    async renderStageDocument(input: { networkId: string; stage: StageKey; data: unknown; idempotencyKey: string; actor: string }): Promise<DocumentRef> {
      const toRef = (d: { id: string; type: string; title: string; version: number; sha256Pdf: string }): DocumentRef => ({ id: d.id, type: d.type, title: d.title, version: d.version, sha256: d.sha256Pdf });
      const existing = await repos.documents.byIdempotencyKey(db, input.idempotencyKey);
      if (existing) return toRef(existing);

      const facts = await networkFacts(input.networkId);
      const template = STAGE_TEMPLATES[input.stage];
      const id = crypto.randomUUID();
      const version = (await repos.documents.latestVersion(db, input.networkId, template.documentType)) + 1;
      let rendered;
      try {
        const context = template.buildContext(facts, input.data ?? {});
        rendered = await renderDocument(template.documentType, context, { documentId: id, version, networkName: facts.network.name, issuedOn: new Date().toISOString().slice(0, 10) });
      } catch (err) {
        if (err instanceof TemplateContextError) {
          throw ApplicationFailure.create({ type: 'TEMPLATE_CONTEXT_INVALID', message: err.message, nonRetryable: true, details: [err.issues] });
        }
        throw err;
      }
      try {
        const doc = await db.transaction(async (trx) => {
          for (const older of await repos.documents.listForNetwork(trx, input.networkId)) {
            if (older.type === template.documentType && older.status === 'issued') await repos.documents.setStatus(trx, older.id, 'superseded');
          }
          const stored = await repos.documents.insert(trx, {
            id,
            networkId: input.networkId,
            stageKey: input.stage,
            type: template.documentType,
            version,
            title: rendered.title || stageDefinition(input.stage).title,
            status: 'issued',
            templateVersion: rendered.templateVersion,
            sha256Pdf: rendered.sha256Pdf,
            sha256Docx: rendered.sha256Docx,
            pdf: rendered.pdf,
            docx: rendered.docx,
            markdown: rendered.markdown,
            idempotencyKey: input.idempotencyKey,
          });
          await repos.audit.append(
            trx,
            input.actor,
            { type: 'document.stored', documentId: id, networkId: input.networkId, docType: template.documentType, version, sha256Pdf: rendered.sha256Pdf, sha256Docx: rendered.sha256Docx },
            input.networkId,
          );
          return stored;
        });
        return toRef(doc);
      } catch (err) {
        // a retry racing an earlier attempt that did commit
        const again = isUniqueViolation(err) ? await repos.documents.byIdempotencyKey(db, input.idempotencyKey) : null;
        if (again) return toRef(again);
        throw err;
      }
    },

    async openSignoff(input: { signoffId: string; workflowId: string; networkId: string; stage: StageKey; documentId: string; documentVersion: number; documentTitle: string }): Promise<RequiredPractice[]> {
      const network = await repos.records.getNetwork(db, input.networkId);
      if (!network) throw ApplicationFailure.nonRetryable(`network ${input.networkId} not found`, 'NOT_FOUND');
      const required = requiredSignatories(
        network.practices.map((p) => ({ practiceId: p.id, practiceName: p.name, people: p.people.map((x) => ({ personId: x.id, name: x.name, email: x.email, roles: x.roles })) })),
        DEFAULT_SIGNING_RULE,
      );
      const existing = await repos.signoffs.byWorkflowId(db, input.workflowId);
      const signoffId = existing?.id ?? input.signoffId;
      const expiresAt = new Date(Date.now() + deps.actionTokenTtlDays * 86_400_000).toISOString();
      const dedupeKeys: string[] = [];
      await db.transaction(async (trx) => {
        if (!existing) {
          await repos.signoffs.insert(trx, { id: signoffId, workflowId: input.workflowId, networkId: input.networkId, stageKey: input.stage, documentId: input.documentId, documentVersion: input.documentVersion, status: 'open', rule: DEFAULT_SIGNING_RULE });
        }
        const already = new Set((await repos.signoffs.requests(trx, signoffId)).map((r) => r.personId));
        for (const practice of required) {
          for (const signer of practice.signers) {
            const dedupeKey = `${input.workflowId}:request:${signer.personId}`;
            dedupeKeys.push(dedupeKey);
            if (already.has(signer.personId)) continue;
            const secret = newTokenSecret();
            const link = `${deps.publicUrl}/a/${secret}`;
            await repos.signoffs.insertRequest(trx, { id: crypto.randomUUID(), signoffId, personId: signer.personId, practiceId: practice.practiceId });
            await repos.tokens.insertActionToken(trx, {
              id: crypto.randomUUID(),
              secret,
              kind: 'sign',
              personId: signer.personId,
              subjectId: signoffId,
              documentId: input.documentId,
              documentVersion: input.documentVersion,
              workflowId: input.workflowId,
              expiresAt,
            });
            await repos.outbox.insert(trx, {
              id: crypto.randomUUID(),
              dedupeKey,
              to: signer.email,
              subject: `Please sign: ${input.documentTitle} (version ${input.documentVersion}) for ${practice.practiceName}`,
              text: [
                `Dear ${signer.name},`,
                '',
                `${network.name} has issued "${input.documentTitle}" (version ${input.documentVersion}) for signature.`,
                `One partner's signature is needed on behalf of ${practice.practiceName}.`,
                '',
                `Read and sign it here: ${link}`,
                '',
                `This link is personal to you and expires on ${expiresAt.slice(0, 10)}. If you did not expect it, you can ignore this message.`,
              ].join('\n'),
              links: [link],
              networkId: input.networkId,
              delivery: deps.mailer ? 'pending' : 'outbox',
            });
            await repos.audit.append(trx, SYSTEM, { type: 'signature.requested', signoffId, personId: signer.personId, practiceId: practice.practiceId, documentId: input.documentId }, input.networkId);
          }
        }
      });
      await deliverPending(deps, dedupeKeys);
      return required;
    },

    async recordSignature(input: SignInput & { signoffId: string; workflowId: string; documentId: string; documentVersion: number; documentSha256: string; practiceId: string }): Promise<Omit<SignatureReceipt, 'roundComplete'>> {
      const person = await repos.records.getPerson(db, input.personId);
      if (!person) throw ApplicationFailure.nonRetryable('signer not found', 'NOT_A_SIGNER');
      const receiptOf = (s: { id: string; signedAt: string }) => ({
        signatureId: s.id,
        documentId: input.documentId,
        documentVersion: input.documentVersion,
        documentSha256: input.documentSha256,
        practiceId: input.practiceId,
        practiceName: person.practiceName,
        signedBy: person.name,
        signedAt: s.signedAt,
      });
      const earlier = await repos.signoffs.signatureByPerson(db, input.signoffId, input.personId);
      if (earlier) return receiptOf(earlier);
      const signature = {
        id: crypto.randomUUID(),
        signoffId: input.signoffId,
        documentId: input.documentId,
        documentVersion: input.documentVersion,
        documentSha256: input.documentSha256,
        personId: input.personId,
        practiceId: input.practiceId,
        typedName: input.typedName,
        capacity: 'partner',
        consentVersion: input.consentVersion,
        method: 'action-link',
        ip: input.ip,
        userAgent: input.userAgent,
        signedAt: new Date().toISOString(),
      };
      try {
        await db.transaction(async (trx) => {
          await repos.signoffs.insertSignature(trx, signature);
          for (const request of await repos.signoffs.requests(trx, input.signoffId)) {
            if (request.practiceId !== input.practiceId) continue;
            await repos.signoffs.setRequestStatus(trx, input.signoffId, request.personId, request.personId === input.personId ? 'signed' : 'signed-by-colleague');
          }
          await repos.tokens.markActionTokenUsed(trx, input.signoffId, input.personId);
          await repos.audit.append(
            trx,
            `person:${input.personId}`,
            { type: 'signature.signed', signoffId: input.signoffId, signatureId: signature.id, personId: input.personId, practiceId: input.practiceId, documentId: input.documentId, documentVersion: input.documentVersion, documentSha256: input.documentSha256 },
            person.networkId,
          );
        });
      } catch (err) {
        const again = isUniqueViolation(err) ? await repos.signoffs.signatureByPerson(db, input.signoffId, input.personId) : null;
        if (again) return receiptOf(again);
        throw err;
      }
      log.info({ signoffId: input.signoffId, practiceId: input.practiceId }, 'signature recorded');
      return receiptOf(signature);
    },

    async recordDecline(input: { signoffId: string; networkId: string; practiceId: string; personId: string; tokenId: string; reason: string }): Promise<{ declinedAt: string }> {
      const earlier = await repos.signoffs.declineByPerson(db, input.signoffId, input.personId);
      if (earlier) return { declinedAt: earlier.declinedAt };
      const id = crypto.randomUUID();
      await db.transaction(async (trx) => {
        await repos.signoffs.insertDecline(trx, { id, signoffId: input.signoffId, personId: input.personId, reason: input.reason });
        await repos.signoffs.setRequestStatus(trx, input.signoffId, input.personId, 'declined');
        await repos.tokens.markActionTokenUsed(trx, input.signoffId, input.personId);
        await repos.audit.append(trx, `person:${input.personId}`, { type: 'signature.declined', signoffId: input.signoffId, personId: input.personId, practiceId: input.practiceId, reason: input.reason }, input.networkId);
      });
      const stored = await repos.signoffs.declineByPerson(db, input.signoffId, input.personId);
      return { declinedAt: stored?.declinedAt ?? new Date().toISOString() };
    },

    async completeSignoff(input: { signoffId: string; networkId: string; documentId: string; outcome: 'signed' | 'declined' }): Promise<void> {
      await db.transaction(async (trx) => {
        const signoff = await repos.signoffs.get(trx, input.signoffId);
        if (!signoff || signoff.completedAt) return;
        await repos.signoffs.complete(trx, input.signoffId, input.outcome);
        await repos.documents.setStatus(trx, input.documentId, input.outcome === 'signed' ? 'signed' : 'declined');
        for (const request of await repos.signoffs.requests(trx, input.signoffId)) {
          if (request.status === 'pending') await repos.signoffs.setRequestStatus(trx, input.signoffId, request.personId, 'closed');
        }
        await repos.audit.append(trx, SYSTEM, { type: 'signoff.completed', signoffId: input.signoffId, documentId: input.documentId, outcome: input.outcome }, input.networkId);
      });
    },
  };
}

export type FormationActivities = ReturnType<typeof createFormationActivities>;
