import crypto from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { Repos } from '../db/repos';
import type { StageOutcome, StageVote } from '../db/repos/stages.repo';
import { overrideVersionLabel } from '../db/repos/templates.repo';
import { STAGES, stageDecision, type StageDecision, type StageKey } from '../domain/stages';
import { STAGE_TEMPLATES, type NetworkFacts } from '../templates';
import * as torSchema from '../templates/terms-of-reference/schema';
import type { DocumentRef } from '../workflows/messages';
import type { Mailer } from '../mail/mailer';
import type { Outbox } from '../mail/outbox';
import { writeAudited } from './audited-write';
import { documentRef, renderForActivity, storeOnce, storeRendered, withContextCheck } from './stored-documents';

export interface ActivityDeps {
  db: Knex;
  repos: Repos;
  log: Logger;
  mailer?: Mailer;
  /** the one way to send a message (and the action link it carries) */
  outbox: Outbox;
  publicUrl: string;
  actionTokenTtlDays: number;
}

const SYSTEM = 'system';

/**
 * What the formation workflow does to the world: stage read model, stage data, documents. Each activity is idempotent:
 * Temporal retries it after a crash, so a repeat must find its earlier work and not redo it.
 */
export function createFormationActivities(deps: ActivityDeps) {
  const { db, repos } = deps;

  async function networkFacts(networkId: string): Promise<{ programmeId: string; facts: NetworkFacts }> {
    const found = await repos.records.networkFacts(db, networkId);
    if (!found) throw ApplicationFailure.nonRetryable(`network ${networkId} not found`, 'NOT_FOUND');
    return found;
  }

  return {
    async markFormation(input: { networkId: string; status: 'running' | 'completed'; currentStage: StageKey | null }): Promise<void> {
      await db.transaction(async (trx) => {
        await repos.stages.ensure(
          trx,
          input.networkId,
          STAGES.map((s) => ({ key: s.key, position: s.position })),
        );
        await repos.records.setFormation(trx, input.networkId, { formationStatus: input.status, currentStage: input.currentStage });
      });
    },

    /**
     * Writes a stage's status to the read model, with how its last round or vote ended and its vote
     * (dashboards read these; they never query the workflow). A move to a new status is audited.
     */
    async markStage(input: {
      networkId: string;
      stage: StageKey;
      status: string;
      event?: 'started' | 'completed' | 'returned';
      reason?: string;
      lastOutcome?: StageOutcome | null;
      vote?: StageVote | null;
    }): Promise<void> {
      await db.transaction(async (trx) => {
        const before = (await repos.stages.list(trx, input.networkId)).find((s) => s.stageKey === input.stage);
        await repos.stages.setStatus(trx, input.networkId, input.stage, input.status, { lastOutcome: input.lastOutcome, vote: input.vote });
        if (before?.status === input.status) return;
        if (input.event === 'started') {
          await repos.records.setFormation(trx, input.networkId, { currentStage: input.stage });
          await repos.audit.append(trx, SYSTEM, { type: 'stage.started', networkId: input.networkId, stage: input.stage }, input.networkId);
        } else if (input.event === 'completed') {
          await repos.audit.append(trx, SYSTEM, { type: 'stage.completed', networkId: input.networkId, stage: input.stage }, input.networkId);
        } else if (input.event === 'returned') {
          await repos.audit.append(
            trx,
            SYSTEM,
            { type: 'stage.returned-to-drafting', networkId: input.networkId, stage: input.stage, reason: input.reason ?? '' },
            input.networkId,
          );
        }
      });
    },

    /**
     * Adopts the voting rules stated in the network's signed terms of reference: every later vote
     * uses them, and results name the ToR version that set them.
     */
    async adoptConstitutionRules(input: { networkId: string; documentVersion: number }): Promise<void> {
      const stage = (await repos.stages.list(db, input.networkId)).find((s) => s.stageKey === 'terms-of-reference');
      const version = `constitution-v${input.documentVersion}`;
      const rules = torSchema.adoptedVotingRules(stage?.data, version);
      await db.transaction(async (trx) => {
        const current = await repos.votingRules.ruleOverrides(trx, input.networkId);
        if (current.length && current.every((r) => r.version === version)) return;
        for (const rule of rules) await repos.votingRules.setRuleOverride(trx, input.networkId, rule, SYSTEM);
        await repos.audit.appendMany(
          trx,
          rules.map((rule) => ({
            actor: SYSTEM,
            event: { type: 'voting-rule.set' as const, networkId: input.networkId, decisionType: rule.decisionType, version },
            networkId: input.networkId,
          })),
        );
      });
    },

    /** How this network decides a stage: by vote (and which kind), by signatures, or both. */
    async stageDecisionPlan(input: { networkId: string; stage: StageKey }): Promise<StageDecision & { voteWindowDays: number }> {
      const network = await repos.records.getNetwork(db, input.networkId);
      const programme = network ? await repos.records.getProgramme(db, network.programmeId) : null;
      if (!programme) throw ApplicationFailure.nonRetryable(`network ${input.networkId} not found`, 'NOT_FOUND');
      return { ...stageDecision(input.stage, programme.settings.decideStagesByVote), voteWindowDays: programme.settings.voteWindowDays };
    },

    async persistStageData(input: { networkId: string; stage: StageKey; data: unknown; revision: number; actor: string }): Promise<void> {
      await writeAudited(deps, (trx) => repos.stages.setData(trx, input.networkId, input.stage, input.data, input.revision), {
        actor: input.actor,
        event: { type: 'stage.data-submitted', networkId: input.networkId, stage: input.stage, revision: input.revision },
        networkId: input.networkId,
      });
    },

    async renderStageDocument(input: { networkId: string; stage: StageKey; data: unknown; idempotencyKey: string; actor: string }): Promise<DocumentRef> {
      const doc = await storeOnce(db, repos, input.idempotencyKey, async () => {
        const { programmeId, facts } = await networkFacts(input.networkId);
        const template = STAGE_TEMPLATES[input.stage];
        const override = await repos.templates.latest(db, programmeId, template.documentType);
        const id = crypto.randomUUID();
        const version = (await repos.documents.latestVersion(db, input.networkId, template.documentType)) + 1;
        const context = await withContextCheck(() => template.buildContext(facts, input.data ?? {}));
        const rendered = await renderForActivity(
          template.documentType,
          context,
          { documentId: id, version, networkName: facts.network.name, issuedOn: new Date().toISOString().slice(0, 10) },
          override ? { source: override.source, version: overrideVersionLabel(override) } : undefined,
        );
        return db.transaction(async (trx) => {
          for (const older of await repos.documents.listForNetwork(trx, input.networkId)) {
            if (older.type === template.documentType && older.status === 'issued') await repos.documents.setStatus(trx, older.id, 'superseded');
          }
          return storeRendered(trx, repos, input.actor, {
            id,
            networkId: input.networkId,
            stageKey: input.stage,
            type: template.documentType,
            version,
            title: rendered.title,
            idempotencyKey: input.idempotencyKey,
            rendered,
          });
        });
      });
      return documentRef(doc);
    },
  };
}

export type FormationActivities = ReturnType<typeof createFormationActivities>;
