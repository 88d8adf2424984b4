import crypto from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { isUniqueViolation } from '../db/repos/executor';
import type { Network } from '../db/repos/records.repo';
import type { Presentation } from '../db/repos/panels.repo';
import { OUTCOME_WORDS, summariseScores } from '../domain/panel';
import type { PanelOutcomeLetterInput } from '../templates';
import { formationWorkflowId } from '../workflows/messages';
import type { ActivityDeps } from './formation.activities';
import { writeAudited } from './audited-write';
import { insertRendered, renderForActivity } from './stored-documents';

const SYSTEM = 'system';
const DAY_MS = 86_400_000;

/** The panel's outcome letter, one of the panel activities (panel.activities.ts). */
export function createPanelLetterActivities(
  deps: ActivityDeps,
  requireNetwork: (networkId: string) => Promise<Network>,
  requirePresentation: (id: string) => Promise<Presentation>,
) {
  const { db, repos, outbox } = deps;
  return {
    /** Renders the outcome letter, stores it as a document of the network, and mails it to the people of each member practice. */
    async sendPanelOutcomeLetter(input: { networkId: string; presentationId: string }): Promise<{ documentId: string }> {
      const presentation = await requirePresentation(input.presentationId);
      if (presentation.letterDocumentId) return { documentId: presentation.letterDocumentId };
      if (!presentation.outcome) throw ApplicationFailure.nonRetryable('no outcome recorded yet', 'NOT_FOUND');
      const network = await requireNetwork(input.networkId);
      const found = await repos.records.networkFacts(db, network.id);
      const wave = await repos.records.getWave(db, presentation.waveId);
      if (!found || !wave) throw ApplicationFailure.nonRetryable(`network ${network.id} has no programme or wave`, 'NOT_FOUND');
      const toWave = presentation.toWaveId ? await repos.records.getWave(db, presentation.toWaveId) : null;
      const panel = await repos.panels.byWave(db, wave.id);
      const [scores, conditions] = await Promise.all([repos.panels.scores(db, presentation.id), repos.panels.conditions(db, presentation.id)]);
      const summary = summariseScores(presentation.criteria, scores);
      const context: PanelOutcomeLetterInput = {
        programme: { name: found.facts.programme.name, sponsor: found.facts.programme.sponsor },
        network: { name: network.name },
        practices: network.practices.map((p) => ({ name: p.name, odsCode: p.odsCode })),
        wave: { number: wave.number, panelDate: panel?.date ?? wave.panelDate },
        panel: { members: (panel?.members ?? []).map((m) => ({ name: m.name, organisation: m.organisation, external: m.external })) },
        outcome: presentation.outcome,
        reason: presentation.outcomeReason ?? '',
        decidedOn: (presentation.outcomeAt ?? new Date().toISOString()).slice(0, 10),
        conditions: conditions.map((c) => c.text),
        toWave: toWave ? { number: toWave.number, panelDate: toWave.panelDate } : null,
        scores: {
          members: scores.length,
          criteria: summary.criteria.map((c) => ({ title: c.title, weight: c.weight, mean: c.mean })),
          weightedMean: summary.weightedMean,
          recommendations: summary.recommendations,
        },
      };
      const idempotencyKey = `panel-letter:${presentation.id}`;
      const existing = await repos.documents.byIdempotencyKey(db, idempotencyKey);
      const id = existing?.id ?? crypto.randomUUID();
      const version = existing?.version ?? (await repos.documents.latestVersion(db, network.id, 'panel-outcome-letter')) + 1;
      const rendered = existing
        ? null
        : await renderForActivity('panel-outcome-letter', context, { documentId: id, version, networkName: network.name, issuedOn: context.decidedOn });
      const expiresAt = new Date(Date.now() + deps.actionTokenTtlDays * DAY_MS).toISOString();
      const recipients = network.practices.flatMap((p) =>
        p.people.filter((x) => x.roles.includes('partner') || x.roles.includes('practice-manager')).map((person) => ({ person, practice: p })),
      );
      const keys: string[] = [];
      try {
        await db.transaction(async (trx) => {
          // the audit chain's head last (see insertRendered): the letter's mark on the presentation locks the network's row
          const stored = rendered
            ? await insertRendered(trx, repos, SYSTEM, {
                id,
                networkId: network.id,
                stageKey: null,
                type: 'panel-outcome-letter',
                version,
                title: rendered.title,
                idempotencyKey,
                rendered,
              })
            : null;
          await repos.panels.setLetter(trx, presentation.id, id);
          for (const { person, practice } of recipients) {
            keys.push(
              await outbox.queueWithLink(trx, {
                key: `panel-letter:${presentation.id}:${person.id}`,
                to: person.email,
                networkId: network.id,
                template: 'panel-outcome',
                link: {
                  kind: 'panel-letter',
                  personId: person.id,
                  subjectId: presentation.id,
                  documentId: id,
                  documentVersion: version,
                  workflowId: formationWorkflowId(network.id),
                  expiresAt,
                  url: (secret, base) => `${base}/api/v1/documents/${id}/pdf?token=${secret}`,
                },
                data: (link) => ({
                  name: person.name,
                  practiceName: practice.name,
                  networkName: network.name,
                  outcome: context.outcome,
                  outcomeWords: OUTCOME_WORDS[context.outcome],
                  reason: context.reason,
                  conditions: context.conditions.map((c, i) => `${i + 1}. ${c}`),
                  toWaveNumber: context.toWave?.number ?? null,
                  toWavePanelDate: context.toWave?.panelDate ?? null,
                  link,
                  expiresAt,
                }),
              }),
            );
          }
          await repos.audit.appendMany(trx, [
            ...(stored ? [stored.audit] : []),
            {
              actor: SYSTEM,
              event: { type: 'panel.letter-sent', networkId: network.id, presentationId: presentation.id, documentId: id, recipients: recipients.length },
              networkId: network.id,
            },
          ]);
        });
      } catch (err) {
        // a retry racing an earlier attempt that did commit
        const again = isUniqueViolation(err) ? await repos.panels.presentation(db, presentation.id) : null;
        if (again?.letterDocumentId) return { documentId: again.letterDocumentId };
        throw err;
      }
      await outbox.deliver(keys);
      return { documentId: id };
    },

    /** The letter could not be sent: the panel view says why, and offers to send it again. */
    async recordPanelLetterFailure(input: { networkId: string; presentationId: string; error: string }): Promise<void> {
      const error = input.error.slice(0, 2000);
      await writeAudited(deps, (trx) => repos.panels.setLetterFailure(trx, input.presentationId, error), {
        actor: SYSTEM,
        event: { type: 'panel.letter-failed', networkId: input.networkId, presentationId: input.presentationId, error },
        networkId: input.networkId,
      });
    },

    /** A facilitator asked for the letter again: the recorded failure is cleared as the new attempt starts. */
    async clearPanelLetterFailure(input: { networkId: string; presentationId: string; actor: string }): Promise<void> {
      await writeAudited(deps, (trx) => repos.panels.clearLetterFailure(trx, input.presentationId), {
        actor: input.actor,
        event: { type: 'panel.letter-resent', networkId: input.networkId, presentationId: input.presentationId },
        networkId: input.networkId,
      });
    },
  };
}
