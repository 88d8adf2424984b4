import crypto from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { Knex } from 'knex';
import type { CaseSnapshot, DisputeRow } from '../db/repos/disputes.repo';
import type { Network } from '../db/repos/records.repo';
import { type CaseActor, type CaseStatus, standingAside } from '../domain/disputes/case';
import { describeLimit, EXTERNAL_ROLE_WORDS, type ExternalRole, ladderStep } from '../domain/disputes/ladder';
import { formatDate, listAnd } from '../documents/format';
import { termsFromText, type SettlementRecordContext } from '../templates';
import type { DocumentRef } from '../workflows/messages';
import { actorWords, queueCaseNotices } from './dispute-notices';
import type { ActivityDeps } from './formation.activities';
import type { AuditEntry } from '../db/repos/audit.repo';
import { documentRef, insertRendered, renderForActivity, storeOnce } from './stored-documents';

/** What a case event asks to be told, beyond the record itself. */
export type CaseNotice = 'none' | 'escalated' | 'closed';

const OUTCOME_WORDS: Record<Exclude<CaseStatus, 'opening' | 'open'>, string> = { resolved: 'resolved', withdrawn: 'withdrawn', determined: 'determined' };

export interface CaseEventRecord {
  caseId: string;
  seq: number;
  /** workflow time of the event (ISO) */
  at: string;
  type: string;
  text: string;
  /** null when the case did it by itself (a breach, a reminder) */
  actor: CaseActor | null;
  /** the step the event happened at */
  step: number;
  snapshot: CaseSnapshot;
  notice?: CaseNotice;
  data?: Record<string, unknown>;
}

/**
 * What a dispute case does to the world: its read model and history (one row per event, numbered by
 * the workflow, so a retried write is recorded once), audit events, the notices everyone concerned
 * is sent, the outside people of its steps, and its settlement record. A write, its audit event and
 * its messages share one transaction; messages are delivered after it commits.
 */
export function createDisputesActivities(deps: ActivityDeps) {
  const { db, repos, outbox } = deps;

  async function load(caseId: string): Promise<{ caseRow: DisputeRow; network: Network }> {
    const caseRow = await repos.disputes.get(db, caseId);
    const network = caseRow ? await repos.records.getNetwork(db, caseRow.networkId) : null;
    if (!caseRow || !network) throw ApplicationFailure.nonRetryable(`dispute case ${caseId} not found`, 'NOT_FOUND');
    return { caseRow, network };
  }

  const partyNames = (caseRow: DisputeRow, network: Network) => caseRow.parties.map((id) => network.practices.find((p) => p.id === id)?.name ?? id);

  /** Writes an event with its snapshot and audit event, in the caller's transaction; false if it was already written. */
  async function writeEvent(
    trx: Knex.Transaction,
    caseRow: DisputeRow,
    network: Network,
    e: CaseEventRecord,
    extra: { display?: string; data?: Record<string, unknown>; auditFirst?: AuditEntry[] } = {},
  ): Promise<boolean> {
    // the audit chain's head last: the snapshot's write locks the network's row (its readiness), so
    // events of the transaction recorded before it (`auditFirst`) are appended with this one, after it
    const auditFirst = extra.auditFirst ?? [];
    if (await repos.disputes.eventBySeq(trx, caseRow.id, e.seq)) {
      if (auditFirst.length > 0) await repos.audit.appendMany(trx, auditFirst);
      return false;
    }
    const external = e.actor?.kind === 'external' ? await repos.disputes.getExternal(trx, e.actor.externalId) : null;
    const who = actorWords(e.actor, network, external);
    const id = crypto.randomUUID();
    await repos.disputes.insertEvent(trx, {
      id,
      disputeId: caseRow.id,
      seq: e.seq,
      at: e.at,
      type: e.type,
      actor: extra.display ?? who.display,
      text: e.text,
      stepNumber: e.step,
      data: { ...(e.data ?? {}), ...(extra.data ?? {}) },
    });
    await repos.disputes.writeSnapshot(trx, caseRow.id, e.seq, e.snapshot);
    await repos.audit.appendMany(trx, [
      ...auditFirst,
      {
        actor: who.audit,
        event: { type: 'dispute.event', disputeId: caseRow.id, eventId: id, seq: e.seq, eventType: e.type, step: e.step },
        networkId: caseRow.networkId,
      },
    ]);
    return true;
  }

  return {
    /** The open cases of a network that hold a formation stage (read by the formation workflow as it starts). */
    async openStageHolds(input: { networkId: string }): Promise<{ caseId: string; stage: string }[]> {
      return repos.disputes.openStageHolds(db, input.networkId);
    },

    /** Records a new case (event 1, "opened") and tells everyone concerned. */
    async openCase(
      input: Pick<DisputeRow, 'workflowId' | 'networkId' | 'programmeId' | 'title' | 'summary' | 'parties' | 'ladder' | 'fromIssueId'> & {
        caseId: string;
        stage: string | null;
        openedBy: CaseActor;
        at: string;
        snapshot: CaseSnapshot;
      },
    ): Promise<void> {
      const network = await repos.records.getNetwork(db, input.networkId);
      if (!network) throw ApplicationFailure.nonRetryable(`network ${input.networkId} not found`, 'NOT_FOUND');
      const who = actorWords(input.openedBy, network);
      const keys = await db.transaction(async (trx) => {
        // a retry finds the case recorded and only queues (idempotently) what it had to send
        const row = {
          id: input.caseId,
          workflowId: input.workflowId,
          networkId: input.networkId,
          programmeId: input.programmeId,
          title: input.title,
          summary: input.summary,
          parties: input.parties,
          stageKey: input.stage,
          ladder: input.ladder,
          openedBy: who.display,
          openedAt: input.at,
          fromIssueId: input.fromIssueId,
          ...input.snapshot,
        };
        const opened: AuditEntry[] = [];
        if (!(await repos.disputes.get(trx, input.caseId))) {
          await repos.disputes.insertCase(trx, row);
          opened.push({
            actor: who.audit,
            event: {
              type: 'dispute.opened',
              disputeId: input.caseId,
              networkId: input.networkId,
              parties: input.parties,
              stage: input.stage,
              fromIssueId: input.fromIssueId,
            },
            networkId: input.networkId,
          });
        }
        const caseRow = (await repos.disputes.get(trx, input.caseId))!;
        await writeEvent(
          trx,
          caseRow,
          network,
          {
            caseId: input.caseId,
            seq: 1,
            at: input.at,
            type: 'opened',
            text: input.summary,
            actor: input.openedBy,
            step: 1,
            snapshot: input.snapshot,
            data: { parties: input.parties, stage: input.stage },
          },
          { auditFirst: opened },
        );
        const first = ladderStep(input.ladder, 1);
        return queueCaseNotices(deps, trx, {
          caseRow,
          network,
          seq: 1,
          stepNumber: 1,
          template: 'dispute-opened',
          data: (name, link) => ({
            name,
            networkName: network.name,
            title: input.title,
            summary: input.summary,
            parties: partyNames(caseRow, network),
            stepName: first.name,
            dueOn: input.snapshot.stepDueOn,
            limit: describeLimit(first.limit),
            link,
          }),
        });
      });
      await outbox.deliver(keys);
    },

    /** Records an event of a case (and, when it moved up a step or closed, tells everyone concerned). */
    async recordCaseEvent(input: CaseEventRecord): Promise<void> {
      const { caseRow, network } = await load(input.caseId);
      const keys = await db.transaction(async (trx) => {
        const fresh = await writeEvent(trx, caseRow, network, input);
        const status = input.snapshot.status;
        if (fresh && (status === 'resolved' || status === 'withdrawn' || status === 'determined')) {
          await repos.audit.append(trx, 'system', { type: 'dispute.closed', disputeId: caseRow.id, outcome: status }, caseRow.networkId);
        }
        if (input.notice === 'escalated') {
          const from = ladderStep(caseRow.ladder, input.step);
          const to = ladderStep(caseRow.ladder, input.snapshot.stepNumber);
          return queueCaseNotices(deps, trx, {
            caseRow,
            network,
            seq: input.seq,
            stepNumber: to.number,
            template: 'dispute-escalated',
            data: (name, link) => ({
              name,
              networkName: network.name,
              title: caseRow.title,
              fromStep: from.name,
              toStep: to.name,
              breach: input.type === 'breach',
              dueOn: input.snapshot.stepDueOn,
              link,
            }),
          });
        }
        if (input.notice === 'closed' && (status === 'resolved' || status === 'withdrawn' || status === 'determined')) {
          return queueCaseNotices(deps, trx, {
            caseRow,
            network,
            seq: input.seq,
            stepNumber: input.step,
            template: 'dispute-closed',
            data: (name, link) => ({ name, networkName: network.name, title: caseRow.title, outcome: OUTCOME_WORDS[status], text: input.text, link }),
          });
        }
        return [] as string[];
      });
      await outbox.deliver(keys);
    },

    /** At the board step: board members (and the chair) from the parties' practices stand aside, recorded by name. */
    async recordStandAside(input: { caseId: string; seq: number; at: string; step: number; snapshot: CaseSnapshot }): Promise<void> {
      const { caseRow, network } = await load(input.caseId);
      const people = network.practices.flatMap((p) =>
        p.people.map((x) => ({ personId: x.id, name: x.name, practiceId: p.id, practiceName: p.name, roles: x.roles })),
      );
      const aside = standingAside(people, caseRow.parties).map((p) => ({
        ...p,
        practiceName: network.practices.find((x) => x.id === p.practiceId)?.name ?? '',
      }));
      const text = aside.length
        ? `${listAnd(aside.map((p) => `${p.name} (${p.practiceName})`))} ${aside.length === 1 ? 'stands' : 'stand'} aside from the board’s hearing: ${aside.length === 1 ? 'their practice is' : 'their practices are'} a party.`
        : 'No board member is from a party’s practice: nobody stands aside.';
      await db.transaction(async (trx) => {
        await writeEvent(trx, caseRow, network, {
          ...input,
          type: 'stood-aside',
          text,
          actor: null,
          data: { people: aside.map((p) => ({ personId: p.personId, name: p.name, practiceId: p.practiceId })) },
        });
      });
    },

    /** Two working days before a step's due date: everyone concerned is reminded. */
    async sendStepReminder(input: { caseId: string; seq: number; at: string; step: number; dueOn: string; snapshot: CaseSnapshot }): Promise<void> {
      const { caseRow, network } = await load(input.caseId);
      const step = ladderStep(caseRow.ladder, input.step);
      const keys = await db.transaction(async (trx) => {
        await writeEvent(trx, caseRow, network, {
          ...input,
          type: 'reminder',
          text: `Everyone concerned was reminded that the ${step.name} step is due on ${formatDate(input.dueOn)}.`,
          actor: null,
          data: { dueOn: input.dueOn },
        });
        return queueCaseNotices(deps, trx, {
          caseRow,
          network,
          seq: input.seq,
          stepNumber: input.step,
          template: 'dispute-reminder',
          data: (name, link) => ({ name, networkName: network.name, title: caseRow.title, stepName: step.name, dueOn: input.dueOn, link }),
        });
      });
      await outbox.deliver(keys);
    },

    /** Appoints the outside person of a step and sends them their link to record a view or determination. */
    async appointExternal(input: {
      caseId: string;
      externalId: string;
      seq: number;
      at: string;
      step: number;
      role: ExternalRole;
      name: string;
      email: string;
      organisation: string;
      actor: CaseActor;
      snapshot: CaseSnapshot;
    }): Promise<void> {
      const { caseRow, network } = await load(input.caseId);
      const step = ladderStep(caseRow.ladder, input.step);
      const who = actorWords(input.actor, network);
      const dueMs = input.snapshot.stepDueOn ? Date.parse(`${input.snapshot.stepDueOn}T00:00:00Z`) : Date.now();
      // the link lives at least as long as the step, with a month to spare
      const expiresAt = new Date(Math.max(Date.now() + deps.actionTokenTtlDays * 86_400_000, dueMs + 30 * 86_400_000)).toISOString();
      const keys = await db.transaction(async (trx) => {
        if (!(await repos.disputes.getExternal(trx, input.externalId))) {
          await repos.disputes.insertExternal(trx, {
            id: input.externalId,
            disputeId: caseRow.id,
            stepNumber: input.step,
            role: input.role,
            name: input.name,
            email: input.email,
            organisation: input.organisation,
            appointedBy: who.display,
            appointedAt: input.at,
          });
        }
        const role = EXTERNAL_ROLE_WORDS[input.role];
        await writeEvent(trx, caseRow, network, {
          ...input,
          type: 'external-appointed',
          text: `${input.name} (${input.organisation}) was appointed ${role} for the ${step.name} step.`,
          data: { externalId: input.externalId, role: input.role },
        });
        return [
          await outbox.queueWithLink(trx, {
            key: `${caseRow.workflowId}:${input.seq}:external`,
            to: input.email,
            networkId: network.id,
            template: 'dispute-external',
            link: { kind: 'dispute-external', personId: input.externalId, subjectId: caseRow.id, workflowId: caseRow.workflowId, expiresAt },
            data: (link) => ({
              name: input.name,
              networkName: network.name,
              title: caseRow.title,
              role,
              stepName: step.name,
              parties: partyNames(caseRow, network),
              summary: caseRow.summary,
              dueOn: input.snapshot.stepDueOn,
              mayDetermine: step.mayDetermine,
              link,
            }),
          }),
        ];
      });
      await outbox.deliver(keys);
    },

    /** Renders and stores the settlement record of the terms agreed (a new document version). */
    async renderSettlement(input: { caseId: string; terms: string; agreedOn: string; idempotencyKey: string; actor: string }): Promise<DocumentRef> {
      const doc = await storeOnce(db, repos, input.idempotencyKey, async () => {
        const { caseRow, network } = await load(input.caseId);
        const context: SettlementRecordContext = {
          network: { name: network.name },
          dispute: {
            reference: caseRow.id.slice(0, 8).toUpperCase(),
            title: caseRow.title,
            summary: caseRow.summary,
            openedOn: caseRow.openedAt.slice(0, 10),
            step: ladderStep(caseRow.ladder, caseRow.stepNumber).name,
          },
          parties: caseRow.parties.map((id) => {
            const p = network.practices.find((x) => x.id === id);
            return { name: p?.name ?? id, odsCode: p?.odsCode ?? '' };
          }),
          terms: termsFromText(input.terms),
          agreedOn: input.agreedOn,
        };
        const id = crypto.randomUUID();
        const version = (await repos.documents.latestVersion(db, network.id, 'settlement-record')) + 1;
        const rendered = await renderForActivity('settlement-record', context, {
          documentId: id,
          version,
          networkName: network.name,
          issuedOn: input.agreedOn,
        });
        return db.transaction(async (trx) => {
          // the audit chain's head last (see insertRendered): the case's settlement locks the network's row
          const { stored, audit } = await insertRendered(trx, repos, input.actor, {
            id,
            networkId: network.id,
            stageKey: null,
            type: 'settlement-record',
            version,
            title: rendered.title || `Settlement record: ${caseRow.title}`,
            idempotencyKey: input.idempotencyKey,
            rendered,
          });
          await repos.disputes.setSettlementDocument(trx, caseRow.id, id);
          await repos.audit.appendMany(trx, [audit]);
          return stored;
        });
      });
      return documentRef(doc);
    },
  };
}

export type DisputesActivities = ReturnType<typeof createDisputesActivities>;
