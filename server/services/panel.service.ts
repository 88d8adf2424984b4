import { transactionRetryingContention } from '../../db/knex';
import crypto from 'node:crypto';
import { WorkflowIdReusePolicy } from '@temporalio/client';
import type { z } from 'zod';
import type { Presentation } from '../../db/repos/panels.repo';
import { OUTCOME_WORDS, summariseScores, type ScoreSheet } from '../../domain/panel';
import { formationWorkflowId } from '../../workflows/messages';
import {
  closePanelConditionUpdate,
  panelLetterWorkflowId,
  recordPanelOutcomeUpdate,
  scorePanelUpdate,
  type PanelLetterInput,
} from '../../workflows/panel-messages';
import { requireLive, type ActionLink } from '../action-links';
import type { ServerDeps } from '../deps';
import { AppError } from '../errors';
import type { closeConditionBody, outcomeBody, panelBody } from '../routes/panel.routes';
import { callWorkflow, startWorkflow } from './deadline';
import { createPanelPeople } from './panel-people';

/**
 * The wave panel: setting its members and criteria, the panel view of a network (scores by member
 * and criterion, weighted mean, recommendations, outcome, conditions), and the acts that go to the
 * network's formation workflow — a member's scores, the outcome, closing a condition. Whether an act
 * is allowed now is the workflow validator's decision; this service checks the credential and maps
 * the refusal.
 */
export function createPanelService(deps: ServerDeps) {
  const { db, repos, temporal, publicUrl, taskQueue } = deps;
  const people = createPanelPeople(deps);

  async function requireNetwork(id: string) {
    const network = await repos.records.getNetwork(db, id);
    if (!network) throw new AppError('NOT_FOUND', `No network with id ${id}.`);
    return network;
  }

  async function requireStarted(id: string) {
    const network = await requireNetwork(id);
    if (network.formationStatus === 'not-started') throw new AppError('FORMATION_NOT_STARTED', 'Start formation and issue the panel pack first.');
    return network;
  }

  function panelView(panel: NonNullable<Awaited<ReturnType<typeof repos.panels.byWave>>>) {
    return {
      id: panel.id,
      waveId: panel.waveId,
      date: panel.date,
      criteria: panel.criteria,
      members: panel.members.map((m) => ({ id: m.id, name: m.name, email: m.email, organisation: m.organisation, external: m.external })),
    };
  }

  /** One presentation as the panel view shows it. */
  async function presentationView(p: Presentation) {
    const [invitations, scores, conditions, wave, toWave, pack] = await Promise.all([
      repos.panels.invitations(db, p.id),
      repos.panels.scores(db, p.id),
      repos.panels.conditions(db, p.id),
      repos.records.getWave(db, p.waveId),
      p.toWaveId ? repos.records.getWave(db, p.toWaveId) : null,
      p.documentId ? repos.documents.get(db, p.documentId) : null,
    ]);
    const members = new Map(
      (
        await repos.panels.membersByIds(
          db,
          invitations.map((i) => i.memberId),
        )
      ).map((m) => [m.id, m]),
    );
    const summary = summariseScores(p.criteria, scores);
    return {
      id: p.id,
      wave: { id: p.waveId, number: wave?.number ?? 0, panelDate: wave?.panelDate ?? '' },
      pack: pack ? { documentId: pack.id, title: pack.title, version: pack.version } : null,
      criteria: p.criteria,
      members: invitations.map((i) => {
        const m = members.get(i.memberId);
        const sheet = scores.find((s) => s.memberId === i.memberId);
        return {
          memberId: i.memberId,
          name: m?.name ?? '',
          organisation: m?.organisation ?? '',
          external: m?.external ?? false,
          status: i.excluded ? ('excluded' as const) : sheet ? ('scored' as const) : ('awaiting' as const),
          exclusionReason: i.reason,
          scores: sheet?.scores ?? [],
          weighted: summary.members.find((x) => x.memberId === i.memberId)?.weighted ?? null,
          recommendation: sheet?.recommendation ?? null,
          conditions: sheet?.conditions ?? [],
          scoredAt: sheet?.scoredAt ?? null,
        };
      }),
      criteriaMeans: summary.criteria,
      weightedMean: summary.weightedMean,
      recommendations: summary.recommendations,
      outcome: p.outcome
        ? {
            outcome: p.outcome,
            words: OUTCOME_WORDS[p.outcome],
            reason: p.outcomeReason ?? '',
            decidedBy: p.outcomeBy ?? '',
            decidedAt: p.outcomeAt ?? '',
            toWave: toWave ? { id: toWave.id, number: toWave.number, panelDate: toWave.panelDate } : null,
            letterDocumentId: p.letterDocumentId,
            letter: {
              status: p.letterDocumentId ? ('sent' as const) : p.letterError ? ('failed' as const) : ('sending' as const),
              documentId: p.letterDocumentId,
              error: p.letterDocumentId ? null : p.letterError,
              failedAt: p.letterDocumentId ? null : p.letterFailedAt,
            },
          }
        : null,
      conditions: conditions.map((c) => ({
        n: c.n,
        text: c.text,
        status: c.status,
        note: c.closedNote,
        evidenceDocumentId: c.evidenceDocumentId,
        closedBy: c.closedBy,
        closedAt: c.closedAt,
      })),
    };
  }

  /** What a score link allows, and where it stands. */
  async function describeScore(link: ActionLink) {
    const member = await repos.panels.member(db, link.person.id);
    if (!member) throw new AppError('NOT_FOUND', 'This link is not valid.');
    const presentation = await repos.panels.presentation(db, link.token.subjectId);
    if (!presentation) throw new AppError('NOT_FOUND', 'This link no longer points to a presentation.');
    const [network, wave, invitations, score, pack] = await Promise.all([
      repos.records.getNetwork(db, presentation.networkId),
      repos.records.getWave(db, presentation.waveId),
      repos.panels.invitations(db, presentation.id),
      repos.panels.scoreOf(db, presentation.id, member.id),
      presentation.documentId ? repos.documents.get(db, presentation.documentId) : null,
    ]);
    const invitation = invitations.find((i) => i.memberId === member.id);
    let status: 'pending' | 'scored' | 'excluded' | 'closed' | 'expired';
    if (score) status = 'scored';
    else if (invitation?.excluded) status = 'excluded';
    else if (presentation.outcome || network?.waveId !== presentation.waveId) status = 'closed';
    else if (link.expired) status = 'expired';
    else status = 'pending';
    return {
      kind: 'score' as const,
      status,
      expiresAt: link.token.expiresAt,
      member: { name: member.name, organisation: member.organisation, external: member.external },
      network: { id: presentation.networkId, name: network?.name ?? '' },
      wave: { number: wave?.number ?? 0, panelDate: (await repos.panels.byWave(db, presentation.waveId))?.date ?? wave?.panelDate ?? '' },
      criteria: presentation.criteria,
      exclusionReason: invitation?.excluded ? invitation.reason : null,
      pack: pack ? { title: pack.title, version: pack.version, pdfUrl: `${publicUrl}/api/v1/actions/${link.secret}/pack` } : null,
      score: score ? { scores: score.scores, recommendation: score.recommendation, conditions: score.conditions, scoredAt: score.scoredAt } : null,
    };
  }

  return {
    async setPanel(actor: string, waveId: string, body: z.infer<typeof panelBody>) {
      const wave = await repos.records.getWave(db, waveId);
      if (!wave) throw new AppError('NOT_FOUND', `No wave with id ${waveId}.`);
      await transactionRetryingContention(db, async (trx) => {
        const before = (await repos.panels.byWave(trx, waveId))?.members.map((m) => m.email) ?? [];
        const panelId = await repos.panels.upsert(trx, {
          id: crypto.randomUUID(),
          programmeId: wave.programmeId,
          waveId,
          date: body.date,
          criteria: body.criteria,
          members: body.members.map((m) => ({ ...m, id: crypto.randomUUID() })),
        });
        await repos.audit.append(trx, actor, {
          type: 'panel.set',
          programmeId: wave.programmeId,
          waveId,
          panelId,
          members: body.members.length,
          criteria: body.criteria.map((c) => c.key),
        });
        // each member is a person with a panel-member grant on the programme, so they can sign in
        await people.syncGrants(trx, { actor, programmeId: wave.programmeId, waveId, before, members: body.members });
      });
      return panelView((await repos.panels.byWave(db, waveId))!);
    },

    async wavePanel(waveId: string) {
      if (!(await repos.records.getWave(db, waveId))) throw new AppError('NOT_FOUND', `No wave with id ${waveId}.`);
      const panel = await repos.panels.byWave(db, waveId);
      if (!panel) throw new AppError('NOT_FOUND', 'This wave has no panel yet: PUT /waves/:id/panel sets one.');
      return panelView(panel);
    },

    /** Scores by member and criterion, weighted mean, recommendations, outcome and conditions: the current presentation first, then earlier ones. */
    async networkPanel(networkId: string) {
      const network = await requireNetwork(networkId);
      const presentations = await repos.panels.presentationsForNetworks(db, [network.id]);
      const views = await Promise.all(presentations.map(presentationView));
      const current = views.find((v) => v.wave.id === network.waveId) ?? null;
      return {
        networkId: network.id,
        name: network.name,
        waveId: network.waveId,
        current,
        outcome: current?.outcome ?? null,
        conditions: current?.conditions ?? [],
        earlier: views.filter((v) => v !== current).reverse(),
      };
    },

    async recordOutcome(actor: string, networkId: string, body: z.infer<typeof outcomeBody>) {
      const network = await requireStarted(networkId);
      const handle = temporal.workflow.getHandle(formationWorkflowId(network.id));
      return callWorkflow(temporal, () =>
        handle.executeUpdate(recordPanelOutcomeUpdate, { args: [{ outcome: body.outcome, conditions: body.conditions ?? [], reason: body.reason, actor }] }),
      );
    },

    /**
     * Sends again an outcome letter that could not be sent (the newest such of the network's
     * presentations). One attempt at a time: a second request while one runs is refused.
     */
    async resendLetter(actor: string, networkId: string) {
      const network = await requireNetwork(networkId);
      const presentations = await repos.panels.presentationsForNetworks(db, [network.id]);
      const failed = presentations.filter((p) => p.outcome && !p.letterDocumentId && p.letterError).at(-1);
      if (!failed) {
        const latest = presentations.filter((p) => p.outcome).at(-1);
        throw new AppError(
          'LETTER_NOT_FAILED',
          !latest
            ? `The panel has not recorded an outcome for ${network.name} yet.`
            : latest.letterDocumentId
              ? `The outcome letter for ${network.name} has been sent.`
              : `The outcome letter for ${network.name} is being sent.`,
        );
      }
      const input: PanelLetterInput = { networkId: network.id, presentationId: failed.id, actor };
      await startWorkflow(
        temporal,
        () =>
          temporal.workflow.start('panelLetterWorkflow', {
            taskQueue,
            workflowId: panelLetterWorkflowId(failed.id),
            args: [input],
            workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
          }),
        () => new AppError('LETTER_SENDING', `The outcome letter for ${network.name} is already being sent again.`),
      );
      return { presentationId: failed.id, letter: 'sending' as const };
    },

    async closeCondition(actor: string, networkId: string, n: number, body: z.infer<typeof closeConditionBody>) {
      const network = await requireStarted(networkId);
      if (body.evidenceDocumentId) {
        const doc = await repos.documents.get(db, body.evidenceDocumentId);
        if (!doc || doc.networkId !== network.id)
          throw new AppError('VALIDATION_FAILED', 'The evidence document is not a document of this network.', [
            { path: 'evidenceDocumentId', message: 'no such document of this network' },
          ]);
      }
      const handle = temporal.workflow.getHandle(formationWorkflowId(network.id));
      return callWorkflow(temporal, () =>
        handle.executeUpdate(closePanelConditionUpdate, { args: [{ n, note: body.note, evidenceDocumentId: body.evidenceDocumentId ?? null, actor }] }),
      );
    },

    describeScore,

    /** The /panel page: per wave, the networks awaiting the signed-in member's score, and those scored. */
    queueFor: people.queueFor,

    /** A fresh score link for the signed-in member and a presentation awaiting their score. */
    openScoreLink: people.openScoreLink,

    /** A member's scores, sent to the network's formation workflow, whose validator judges them (once per member and presentation). */
    async score(link: ActionLink, sheet: ScoreSheet) {
      requireLive(link);
      const presentation = await repos.panels.presentation(db, link.token.subjectId);
      if (!presentation) throw new AppError('NOT_FOUND', 'This link no longer points to a presentation.');
      const handle = temporal.workflow.getHandle(formationWorkflowId(presentation.networkId));
      try {
        return await callWorkflow(temporal, () =>
          handle.executeUpdate(scorePanelUpdate, { args: [{ memberId: link.person.id, tokenId: link.token.id, presentationId: presentation.id, sheet }] }),
        );
      } catch (err) {
        // a finished formation cannot answer: say why from the record
        if (!(err instanceof AppError) || err.code !== 'ROUND_CLOSED') throw err;
        const { status } = await describeScore(link);
        if (status === 'scored') throw new AppError('ALREADY_SCORED', 'You have already scored this presentation; a panel member scores once.');
        throw new AppError('PANEL_CLOSED', "The panel's outcome has been recorded; scoring has closed.");
      }
    },

    /** The latest panel pack of the presentation a score link is for. */
    async packFile(link: ActionLink) {
      const presentation = await repos.panels.presentation(db, link.token.subjectId);
      const doc = presentation?.documentId ? await repos.documents.get(db, presentation.documentId) : null;
      const bytes = doc ? await repos.documents.file(db, doc.id, 'pdf') : null;
      if (!doc || !bytes) throw new AppError('NOT_FOUND', 'The panel pack is not available.');
      return { bytes, fileName: `${doc.type}-v${doc.version}.pdf` };
    },
  };
}

export type PanelService = ReturnType<typeof createPanelService>;
