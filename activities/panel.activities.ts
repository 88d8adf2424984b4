import crypto from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { isUniqueViolation } from '../db/repos/executor';
import type { Presentation } from '../db/repos/panels.repo';
import { panelConflicts, type PanelOutcome, type PanelState, type ScoreSheet } from '../domain/panel';
import { formationWorkflowId } from '../workflows/messages';
import type { OutcomeReceipt, ScoreReceipt } from '../workflows/panel-messages';
import { writeAudited } from './audited-write';
import type { ActivityDeps } from './formation.activities';
import { createPanelLetterActivities } from './panel-letter';

const DAY_MS = 86_400_000;

/** What the formation workflow keeps of a presentation, rebuilt from the database on every opening. */
export type OpenedPresentation = Omit<PanelState, 'presentationId' | 'waveNumber' | 'deciding' | 'deferrals'> & { presentationId: string; waveNumber: number };

/**
 * The panel stage's writes: a network's presentation to its wave's panel (score links, exclusions of
 * conflicted members), scores, the outcome (and a deferral to the next wave), the outcome letter and
 * conditions. Idempotent: each finds its earlier work (unique keys, dedupe keys) before writing.
 */
export function createPanelActivities(deps: ActivityDeps) {
  const { db, repos, outbox } = deps;

  async function requireNetwork(networkId: string) {
    const network = await repos.records.getNetwork(db, networkId);
    if (!network) throw ApplicationFailure.nonRetryable(`network ${networkId} not found`, 'NOT_FOUND');
    return network;
  }

  async function requirePresentation(id: string): Promise<Presentation> {
    const presentation = await repos.panels.presentation(db, id);
    if (!presentation) throw ApplicationFailure.nonRetryable(`presentation ${id} not found`, 'NOT_FOUND');
    return presentation;
  }

  return {
    ...createPanelLetterActivities(deps, requireNetwork, requirePresentation),

    /**
     * Opens (or, on a reissue, refreshes) the network's presentation to its current wave's panel:
     * each member is invited to score it once, except a partner of a member practice, who is
     * excluded. The pack the panel reads is the latest issued. No message goes out here: the
     * workflow learns who may score first, then `sendPanelInvitations` sends the links.
     */
    async openPanelPresentation(input: { networkId: string; documentId: string; actor: string }): Promise<OpenedPresentation> {
      const network = await requireNetwork(input.networkId);
      const wave = await repos.records.getWave(db, network.waveId);
      if (!wave) throw ApplicationFailure.nonRetryable(`wave ${network.waveId} not found`, 'NOT_FOUND');
      const panel = await repos.panels.byWave(db, wave.id);
      const conflicts = panelConflicts(
        panel?.members ?? [],
        network.practices.flatMap((p) => p.people.map((x) => ({ email: x.email, roles: x.roles, practiceName: p.name }))),
      );
      const presentationId = await db.transaction(async (trx) => {
        let presentation = await repos.panels.presentationFor(trx, network.id, wave.id);
        if (!presentation) {
          const id = crypto.randomUUID();
          await repos.panels.insertPresentation(trx, {
            id,
            networkId: network.id,
            waveId: wave.id,
            panelId: panel?.id ?? null,
            documentId: input.documentId,
            criteria: panel?.criteria ?? [],
          });
          presentation = (await repos.panels.presentation(trx, id))!;
          const invited = (panel?.members ?? []).filter((m) => !conflicts.has(m.id)).map((m) => m.id);
          await repos.audit.append(
            trx,
            input.actor,
            {
              type: 'panel.presentation-opened',
              networkId: network.id,
              presentationId: id,
              waveId: wave.id,
              documentId: input.documentId,
              invited,
              excluded: [...conflicts.keys()],
            },
            network.id,
          );
        } else {
          await repos.panels.setPresentationDocument(trx, presentation.id, input.documentId);
        }
        // a decided presentation invites nobody more
        if (!panel || presentation.outcome) return presentation.id;
        for (const member of panel.members) {
          const reason = conflicts.get(member.id) ?? null;
          if (!(await repos.panels.insertInvitation(trx, { presentationId: presentation.id, memberId: member.id, excluded: reason !== null, reason })))
            continue;
          if (reason)
            await repos.audit.append(
              trx,
              input.actor,
              { type: 'panel.member-excluded', networkId: network.id, presentationId: presentation.id, memberId: member.id, reason },
              network.id,
            );
        }
        return presentation.id;
      });
      const [presentation, invitations, scores, conditions] = await Promise.all([
        repos.panels.presentation(db, presentationId),
        repos.panels.invitations(db, presentationId),
        repos.panels.scores(db, presentationId),
        repos.panels.conditions(db, presentationId),
      ]);
      return {
        presentationId,
        waveNumber: wave.number,
        criteria: presentation!.criteria.map((c) => c.key),
        invited: invitations.filter((i) => !i.excluded).map((i) => i.memberId),
        excluded: invitations.filter((i) => i.excluded).map((i) => ({ memberId: i.memberId, reason: i.reason ?? '' })),
        scored: scores.map((s) => s.memberId),
        outcome: presentation!.outcome === 'defer' ? null : presentation!.outcome,
        conditions: conditions.map((c) => ({ n: c.n, text: c.text, open: c.status === 'open' })),
      };
    },

    /** Sends each invited member their score link, and each excluded member why, once per presentation (dedupe keys). */
    async sendPanelInvitations(input: { networkId: string; presentationId: string }): Promise<void> {
      const presentation = await requirePresentation(input.presentationId);
      if (presentation.outcome || !presentation.documentId) return;
      const network = await requireNetwork(input.networkId);
      const [wave, panel, invitations] = await Promise.all([
        repos.records.getWave(db, presentation.waveId),
        repos.panels.byWave(db, presentation.waveId),
        repos.panels.invitations(db, presentation.id),
      ]);
      if (!wave || !panel) return;
      const members = new Map(
        (
          await repos.panels.membersByIds(
            db,
            invitations.map((i) => i.memberId),
          )
        ).map((m) => [m.id, m]),
      );
      const expiresAt = new Date(Date.now() + deps.actionTokenTtlDays * DAY_MS).toISOString();
      const keys: string[] = [];
      await db.transaction(async (trx) => {
        for (const invitation of invitations) {
          const member = members.get(invitation.memberId);
          if (!member) continue;
          if (invitation.excluded) {
            keys.push(
              await outbox.queue(trx, {
                key: `panel-excluded:${presentation.id}:${member.id}`,
                to: member.email,
                networkId: network.id,
                template: 'panel-member-excluded',
                data: { name: member.name, networkName: network.name, waveNumber: wave.number, reason: invitation.reason ?? '' },
              }),
            );
            continue;
          }
          keys.push(
            await outbox.queueWithLink(trx, {
              key: `panel-score:${presentation.id}:${member.id}`,
              to: member.email,
              networkId: network.id,
              template: 'panel-score-request',
              link: {
                kind: 'score',
                personId: member.id,
                subjectId: presentation.id,
                documentId: presentation.documentId,
                workflowId: formationWorkflowId(network.id),
                expiresAt,
              },
              data: (link) => ({
                name: member.name,
                networkName: network.name,
                waveNumber: wave.number,
                panelDate: panel.date,
                criteria: presentation.criteria.map((c) => c.title),
                link,
                expiresAt,
              }),
            }),
          );
        }
      });
      await outbox.deliver(keys);
    },

    /** Stores a member's scores with their audit event; a retry finds the sheet it stored. */
    async recordPanelScore(input: { networkId: string; presentationId: string; memberId: string; tokenId: string; sheet: ScoreSheet }): Promise<ScoreReceipt> {
      const receipt = (s: { id: string; recommendation: PanelOutcome; scoredAt: string }): ScoreReceipt => ({
        scoreId: s.id,
        presentationId: input.presentationId,
        memberId: input.memberId,
        recommendation: s.recommendation,
        scoredAt: s.scoredAt,
      });
      const earlier = await repos.panels.scoreOf(db, input.presentationId, input.memberId);
      if (earlier) return receipt(earlier);
      const score = {
        id: crypto.randomUUID(),
        presentationId: input.presentationId,
        memberId: input.memberId,
        networkId: input.networkId,
        scores: input.sheet.scores.map((s) => ({ criterion: s.criterion, score: s.score, comment: s.comment ?? '' })),
        recommendation: input.sheet.recommendation,
        conditions: input.sheet.conditions ?? [],
        scoredAt: new Date().toISOString(),
      };
      try {
        await db.transaction(async (trx) => {
          await repos.panels.insertScore(trx, score);
          await repos.tokens.markActionTokenUsed(trx, input.presentationId, input.memberId);
          await repos.audit.append(
            trx,
            `panel-member:${input.memberId}`,
            {
              type: 'panel.scored',
              networkId: input.networkId,
              presentationId: input.presentationId,
              memberId: input.memberId,
              recommendation: score.recommendation,
            },
            input.networkId,
          );
        });
      } catch (err) {
        const again = isUniqueViolation(err) ? await repos.panels.scoreOf(db, input.presentationId, input.memberId) : null;
        if (again) return receipt(again);
        throw err;
      }
      return receipt(score);
    },

    /**
     * Records the outcome once. A deferral moves the network to the programme's next wave in the same
     * transaction; with no next wave nothing is written and the failure says so (NO_NEXT_WAVE).
     */
    async recordPanelOutcome(input: {
      networkId: string;
      presentationId: string;
      outcome: PanelOutcome;
      conditions: string[];
      reason: string;
      actor: string;
    }): Promise<{ outcome: PanelOutcome; conditions: { n: number; text: string }[]; toWave: OutcomeReceipt['toWave'] }> {
      const presentation = await requirePresentation(input.presentationId);
      const network = await requireNetwork(input.networkId);
      const wave = await repos.records.getWave(db, presentation.waveId);
      const waves = wave ? await repos.records.listWaves(db, wave.programmeId) : [];
      const next = wave ? (waves.find((w) => w.number > wave.number) ?? null) : null;
      const done = async () => {
        const stored = (await repos.panels.presentation(db, input.presentationId))!;
        const toWave = stored.toWaveId ? waves.find((w) => w.id === stored.toWaveId) : undefined;
        const conditions = await repos.panels.conditions(db, input.presentationId);
        return {
          outcome: stored.outcome!,
          conditions: conditions.map((c) => ({ n: c.n, text: c.text })),
          toWave: toWave ? { id: toWave.id, number: toWave.number, panelDate: toWave.panelDate } : null,
        };
      };
      if (presentation.outcome) return done();
      if (input.outcome === 'defer' && !next) {
        throw ApplicationFailure.create({
          type: 'NO_NEXT_WAVE',
          nonRetryable: true,
          message: `${network.name} cannot be deferred: wave ${wave?.number ?? '?'} is the programme's last wave. Add a wave to the programme first, or record pass or conditional.`,
        });
      }
      await db.transaction(async (trx) => {
        const toWaveId = input.outcome === 'defer' ? next!.id : null;
        if (!(await repos.panels.setOutcome(trx, input.presentationId, { outcome: input.outcome, reason: input.reason, by: input.actor, toWaveId }))) return;
        if (input.outcome === 'conditional') await repos.panels.insertConditions(trx, input.presentationId, network.id, input.conditions);
        await repos.audit.append(
          trx,
          input.actor,
          {
            type: 'panel.outcome-recorded',
            networkId: network.id,
            presentationId: input.presentationId,
            outcome: input.outcome,
            conditions: input.outcome === 'conditional' ? input.conditions.length : 0,
            reason: input.reason,
          },
          network.id,
        );
        if (toWaveId) {
          await repos.records.setNetworkWave(trx, network.id, toWaveId);
          await repos.audit.append(
            trx,
            input.actor,
            { type: 'network.deferred', networkId: network.id, fromWaveId: presentation.waveId, toWaveId },
            network.id,
          );
        }
      });
      return done();
    },

    /** Closes a condition with a note of its evidence; a retry finds it closed. */
    async closePanelCondition(input: {
      networkId: string;
      presentationId: string;
      n: number;
      note: string;
      evidenceDocumentId: string | null;
      actor: string;
    }): Promise<{ n: number; closedAt: string }> {
      await writeAudited(
        deps,
        (trx) =>
          repos.panels.closeCondition(trx, input.presentationId, input.n, { note: input.note, evidenceDocumentId: input.evidenceDocumentId, by: input.actor }),
        {
          actor: input.actor,
          event: {
            type: 'panel.condition-closed',
            networkId: input.networkId,
            presentationId: input.presentationId,
            n: input.n,
            evidenceDocumentId: input.evidenceDocumentId,
          },
          networkId: input.networkId,
        },
      );
      const closed = (await repos.panels.conditions(db, input.presentationId)).find((c) => c.n === input.n);
      return { n: input.n, closedAt: closed?.closedAt ?? new Date().toISOString() };
    },
  };
}

export type PanelActivities = ReturnType<typeof createPanelActivities>;
