import crypto from 'node:crypto';
import { WorkflowIdReusePolicy } from '@temporalio/client';
import { hashReceipt, newReceiptCode, sealBallot } from '../../crypto/ballot-seal';
import type { Motion } from '../../db/repos/motions.repo';
import { type Choice, excludesSubject } from '../../domain/voting/ballot';
import { ballotsForTally, toVoters } from '../../domain/voting/electorate';
import { describeRule, type DecisionType } from '../../domain/voting/rule';
import { type TallyResult, tallyVotes } from '../../domain/voting/tally';
import {
  appointProxyUpdate,
  awaitMotionOpenUpdate,
  castVoteUpdate,
  closeMotionUpdate,
  extendMotionUpdate,
  type CastVoteInput,
  voteWorkflowId,
  type VoteOutcome,
} from '../../workflows/vote-messages';
import type { ServerDeps } from '../deps';
import { AppError } from '../errors';
import { linkHolder, requireLive, type ActionLink } from '../action-links';
import { callWorkflow } from './deadline';
import { futureInstant } from './vote-requests';

export interface MotionRequest {
  title: string;
  text: string;
  decisionType: DecisionType;
  closesAt: string;
  documentId?: string;
  subjectPracticeId?: string;
  /** secret or open: overrides the ballot of the rule in force for this motion only */
  ballot?: 'open' | 'secret';
}

const CLOSED = () => new AppError('VOTING_CLOSED', 'This vote has closed.');

/**
 * Motions over HTTP: opening one (a vote workflow), reading its state and result, closing,
 * extending, proxies, receipts, and casting a ballot through a vote link. Whether a ballot,
 * proxy or extension is allowed now is the workflow validator's decision; this service checks
 * the link, sends the update and maps the answer. A secret ballot's choice is sealed here with
 * the motion's key, so workflow history never holds it in clear.
 */
export function createMotionsService(deps: ServerDeps) {
  const { db, repos, temporal, taskQueue, publicUrl } = deps;
  const call = <T>(fn: () => Promise<T>) => callWorkflow(temporal, fn, CLOSED);

  async function requireNetwork(id: string) {
    const network = await repos.records.getNetwork(db, id);
    if (!network) throw new AppError('NOT_FOUND', `No network with id ${id}.`);
    return network;
  }

  async function requireMotion(id: string): Promise<Motion> {
    const motion = await repos.motions.getMotion(db, id);
    if (!motion) throw new AppError('NOT_FOUND', `No motion with id ${id}.`);
    return motion;
  }

  /**
   * A motion as GET /motions/:id shows it. `result` is the outcome ("carried" | "lost" |
   * "inquorate", API.md) and `count` the arithmetic that reached it; an open ballot also shows
   * each practice's choice, and while voting is open a provisional count.
   */
  async function motionView(motion: Motion) {
    const [turnout, proxies, rows] = await Promise.all([
      repos.motions.turnout(db, motion.id),
      repos.motions.proxies(db, motion.id),
      repos.motions.ballots(db, motion.id),
    ]);
    const nameOf = (practiceId: string) => motion.electorate.find((v) => v.practiceId === practiceId)?.practiceName ?? practiceId;
    const open = motion.rule.ballot === 'open';
    const votedBy = new Map(turnout.map((t) => [t.voterId, t]));
    const choiceOf = new Map(rows.filter((r) => r.voterId).map((r) => [r.voterId as string, r.choice]));
    const document = motion.resultDocumentId ? await repos.documents.get(db, motion.resultDocumentId) : null;
    let live = null;
    if (open && motion.status === 'open') {
      const tally = tallyVotes({
        electorate: toVoters(motion.electorate),
        ballots: ballotsForTally(motion.rule, motion.electorate, turnout, rows),
        rule: motion.rule,
        subjectPracticeId: motion.subjectPracticeId ?? undefined,
      });
      live = { provisional: true, result: tally.result, tallies: tally.tallies, perBasis: tally.perBasis, explanationLines: tally.explanationLines };
    }
    const counted = motion.result as TallyResult | null;
    return {
      id: motion.id,
      networkId: motion.networkId,
      workflowId: motion.workflowId,
      title: motion.title,
      text: motion.text,
      decisionType: motion.decisionType,
      documentId: motion.documentId,
      subjectPracticeId: motion.subjectPracticeId,
      status: motion.status,
      ballot: motion.rule.ballot,
      rule: motion.rule,
      ruleDescription: describeRule(motion.rule),
      openedAt: motion.openedAt,
      closesAt: motion.closesAt,
      closedAt: motion.closedAt,
      electorate: motion.electorate.map((v) => ({
        practiceId: v.practiceId,
        practiceName: v.practiceName,
        listSize: v.listSize,
        partnerCount: v.partnerCount,
      })),
      turnout: {
        voted: turnout.length,
        eligible: motion.electorate.length,
        practices: motion.electorate.map((v) => {
          const t = votedBy.get(v.practiceId);
          return {
            practiceId: v.practiceId,
            practiceName: v.practiceName,
            voted: Boolean(t),
            byProxy: t?.byProxy ?? false,
            castByPracticeId: t?.castBy ?? null,
            ...(open ? { choice: choiceOf.get(v.practiceId) ?? null } : {}),
          };
        }),
      },
      proxies: proxies.map((p) => ({
        principalPracticeId: p.principalId,
        principalName: nameOf(p.principalId),
        proxyPracticeId: p.proxyId,
        proxyName: nameOf(p.proxyId),
        appointedBy: p.appointedBy,
        appointedAt: p.appointedAt,
      })),
      live,
      result: counted ? counted.result : null,
      count: counted
        ? {
            ruleVersion: counted.ruleVersion,
            quorum: counted.quorum,
            tallies: counted.tallies,
            perBasis: counted.perBasis,
            thresholdExplanation: counted.thresholdExplanation,
            explanationLines: counted.explanationLines,
            castingVoteUsed: counted.castingVoteUsed,
            tie: counted.tie,
            ...(open ? { accepted: counted.accepted } : {}),
          }
        : null,
      certificate: document
        ? {
            documentId: document.id,
            sha256: document.sha256Pdf,
            pdfUrl: `${publicUrl}/api/v1/documents/${document.id}/pdf`,
            docxUrl: `${publicUrl}/api/v1/documents/${document.id}/docx`,
          }
        : null,
    };
  }

  return {
    async createMotion(actor: string, networkId: string, body: MotionRequest) {
      const network = await requireNetwork(networkId);
      const closesAt = futureInstant(body.closesAt, 'closesAt');
      if (body.documentId) {
        const doc = await repos.documents.get(db, body.documentId);
        if (!doc || doc.networkId !== network.id)
          throw new AppError('VALIDATION_FAILED', 'documentId is not a document of this network.', [{ path: 'documentId', message: 'unknown document' }]);
      }
      if (body.subjectPracticeId && !network.practices.some((p) => p.id === body.subjectPracticeId)) {
        throw new AppError('VALIDATION_FAILED', 'subjectPracticeId is not a practice of this network.', [
          { path: 'subjectPracticeId', message: 'unknown practice' },
        ]);
      }
      const inForce = await repos.votingRules.ruleInForce(db, network.id, body.decisionType);
      // the person opening the motion may choose a secret or an open ballot; the rest of the rule stands
      const rule = body.ballot ? { ...inForce, ballot: body.ballot } : inForce;
      if (excludesSubject(rule) && !body.subjectPracticeId) {
        throw new AppError('VALIDATION_FAILED', 'This decision type excludes the practice it concerns: give subjectPracticeId.', [
          { path: 'subjectPracticeId', message: 'required' },
        ]);
      }
      const motionId = crypto.randomUUID();
      const workflowId = voteWorkflowId(motionId);
      await call(() =>
        temporal.workflow.start('voteWorkflow', {
          taskQueue,
          workflowId,
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          args: [
            {
              motionId,
              networkId: network.id,
              title: body.title,
              text: body.text,
              decisionType: body.decisionType,
              closesAt,
              documentId: body.documentId ?? null,
              subjectPracticeId: body.subjectPracticeId ?? null,
              actor,
              rule,
            },
          ],
        }),
      );
      // answer once the motion is recorded, accepts ballots and its links are out
      try {
        await call(() => temporal.workflow.getHandle(workflowId).executeUpdate(awaitMotionOpenUpdate));
      } catch (err) {
        if (err instanceof AppError && err.code === 'UNAVAILABLE')
          throw new AppError('UNAVAILABLE', 'The vote was started but has not opened yet; check GET /motions/:id shortly.', { id: motionId });
        throw err;
      }
      return { id: motionId, workflowId, closesAt, rule, ruleDescription: describeRule(rule) };
    },

    async listMotions(networkId: string) {
      await requireNetwork(networkId);
      return (await repos.motions.listMotions(db, networkId)).map((m) => ({
        id: m.id,
        title: m.title,
        decisionType: m.decisionType,
        status: m.status,
        closesAt: m.closesAt,
        result: (m.result as TallyResult | null)?.result ?? null,
      }));
    },

    async getMotion(id: string) {
      return motionView(await requireMotion(id));
    },

    /** Closes now; the chair's casting vote (if the rule gives one) settles an exact tie. Waits for the count. */
    async closeMotion(actor: string, id: string, body: { chairCasting?: 'for' | 'against' }) {
      const motion = await requireMotion(id);
      const handle = temporal.workflow.getHandle(motion.workflowId);
      await call(() => handle.executeUpdate(closeMotionUpdate, { args: [{ actor, chairCasting: body.chairCasting }] }));
      await call(() => handle.result() as Promise<VoteOutcome>);
      return motionView(await requireMotion(id));
    },

    async extendMotion(actor: string, id: string, body: { closesAt: string }) {
      const motion = await requireMotion(id);
      const closesAt = new Date(body.closesAt).toISOString();
      await call(() => temporal.workflow.getHandle(motion.workflowId).executeUpdate(extendMotionUpdate, { args: [{ closesAt, actor }] }));
      return motionView(await requireMotion(id));
    },

    async appointProxy(actor: string, id: string, body: { principalPracticeId: string; proxyPracticeId: string }) {
      const motion = await requireMotion(id);
      await call(() =>
        temporal.workflow
          .getHandle(motion.workflowId)
          .executeUpdate(appointProxyUpdate, { args: [{ principalId: body.principalPracticeId, proxyId: body.proxyPracticeId, actor }] }),
      );
      return (await motionView(await requireMotion(id))).proxies;
    },

    async motionReceipt(id: string, code: string) {
      const motion = await requireMotion(id);
      const counted = await repos.motions.ballotByReceipt(db, motion.id, hashReceipt(code));
      return { motionId: motion.id, counted, motionStatus: motion.status, result: (motion.result as TallyResult | null)?.result ?? null };
    },

    /** What a vote link shows its holder: the motion, their practice, its status, proxies held, and the result once closed. */
    async describeVoteLink(link: ActionLink) {
      const { token, person } = link;
      const motion = await requireMotion(token.subjectId);
      const [turnout, proxies, network, view] = await Promise.all([
        repos.motions.turnout(db, motion.id),
        repos.motions.proxies(db, motion.id),
        repos.records.getNetwork(db, motion.networkId),
        motionView(motion),
      ]);
      const mine = turnout.find((t) => t.voterId === person.practiceId);
      const status = motion.status === 'closed' ? 'closed' : mine ? 'voted' : link.expired ? 'expired' : 'pending';
      return {
        kind: 'vote' as const,
        status,
        expiresAt: token.expiresAt,
        ...linkHolder(link),
        network: { id: motion.networkId, name: network?.name ?? '' },
        motion: {
          id: motion.id,
          title: motion.title,
          text: motion.text,
          decisionType: motion.decisionType,
          closesAt: motion.closesAt,
          closedAt: motion.closedAt,
          ballot: motion.rule.ballot,
          ruleDescription: view.ruleDescription,
          documentId: motion.documentId,
        },
        choices: ['for', 'against', 'abstain'] as Choice[],
        votedByProxy: mine?.byProxy ?? false,
        /** practices that appointed this practice as their proxy, and whether their vote is still to cast */
        proxyFor: proxies
          .filter((p) => p.proxyId === person.practiceId)
          .map((p) => ({
            practiceId: p.principalId,
            practiceName: view.electorate.find((v) => v.practiceId === p.principalId)?.practiceName ?? p.principalId,
            voted: turnout.some((t) => t.voterId === p.principalId),
          })),
        turnout: { voted: view.turnout.voted, eligible: view.turnout.eligible },
        result: view.result,
        count: view.count ? { explanationLines: view.count.explanationLines, ruleVersion: view.count.ruleVersion } : null,
        certificate: view.certificate,
        links: { page: `${publicUrl}/a/${link.secret}` },
      };
    },

    /** The motion's document or its result certificate, for the holder of a vote link. */
    async voteLinkDocument(link: ActionLink, which: 'document' | 'certificate', kind: 'pdf' | 'docx'): Promise<Buffer> {
      const motion = await requireMotion(link.token.subjectId);
      const documentId = which === 'document' ? motion.documentId : motion.resultDocumentId;
      const bytes = documentId ? await repos.documents.file(db, documentId, kind) : null;
      if (!bytes) throw new AppError('NOT_FOUND', 'There is no such document for this vote.');
      return bytes;
    },

    /** Casts the practice's vote (or, with `onBehalfOf`, a vote as another practice's proxy); answers with a receipt code. */
    async castVote(link: ActionLink, body: { choice: Choice; onBehalfOf?: string }) {
      const { token, person } = link;
      requireLive(link);
      const motion = await requireMotion(token.subjectId);
      const proxyFor = body.onBehalfOf && body.onBehalfOf !== person.practiceId ? body.onBehalfOf : undefined;
      const receiptCode = newReceiptCode();
      const receiptHash = hashReceipt(receiptCode);
      const secret = motion.rule.ballot === 'secret';
      let ballot: CastVoteInput = { voterId: person.practiceId, castBy: person.id, proxyFor, choice: body.choice, receiptHash };
      if (secret) {
        // the key is erased at the close: without it there is nothing to seal with, and nothing to vote in
        const key = await repos.motions.motionBallotKey(db, motion.id);
        if (!key) throw CLOSED();
        ballot = { voterId: person.practiceId, castBy: person.id, proxyFor, sealed: sealBallot(key, { choice: body.choice, receiptHash }) };
      }
      await call(() => temporal.workflow.getHandle(motion.workflowId).executeUpdate(castVoteUpdate, { args: [ballot] }));
      const principal = proxyFor ?? person.practiceId;
      return {
        kind: 'vote' as const,
        motionId: motion.id,
        practice: { id: principal, name: motion.electorate.find((v) => v.practiceId === principal)?.practiceName ?? principal },
        byProxy: proxyFor !== undefined,
        ...(secret ? {} : { choice: body.choice }),
        receiptCode,
        checkUrl: `${publicUrl}/api/v1/motions/${motion.id}/receipts/${receiptCode}`,
      };
    },
  };
}

export type MotionsService = ReturnType<typeof createMotionsService>;
