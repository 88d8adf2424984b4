import crypto from 'node:crypto';
import { WorkflowIdReusePolicy } from '@temporalio/client';
import type { ActionToken } from '../../db/repos/tokens.repo';
import { ballotsForTally, hashReceipt, type Motion, newReceiptCode, sealBallot, toVoters } from '../../db/repos/votes.repo';
import { fptpBallotProblem } from '../../domain/voting/fptp';
import { describeRule, type DecisionType, type VotingRule, votingRuleSchema } from '../../domain/voting/rule';
import { usablePreferences } from '../../domain/voting/stv';
import { type Choice, tallyVotes } from '../../domain/voting/tally';
import {
  advanceElectionUpdate,
  appointProxyUpdate,
  castVoteUpdate,
  closeMotionUpdate,
  electionBallotUpdate,
  electionStateQuery,
  electionWorkflowId,
  extendMotionUpdate,
  motionStateQuery,
  nominateUpdate,
  voteWorkflowId,
  type ElectionState,
  type VoteOutcome,
} from '../../workflows/vote-messages';
import type { ServerDeps } from '../deps';
import { AppError, fromTemporal } from '../errors';
import { withDeadline } from './deadline';

/** Default term of office of an elected board member (DOMAIN.md §4: shadow term of at least two years). */
const DEFAULT_TERM_MONTHS = 24;

export interface MotionRequest {
  title: string;
  text: string;
  decisionType: DecisionType;
  closesAt: string;
  documentId?: string;
  subjectPracticeId?: string;
}

export interface ElectionRequest {
  title: string;
  method: 'stv' | 'fptp';
  constituencies: { name: string; seats: number; practiceIds: string[] }[];
  nominationsCloseAt: string;
  ballotCloseAt: string;
  termMonths?: number;
}

type RulePatch = Partial<Omit<VotingRule, 'version' | 'decisionType'>> & { decisionType: DecisionType };

/**
 * Motions and elections over HTTP: opening them (a workflow each), reading their state and
 * results, and casting ballots through action links. A secret ballot's choice is sealed here with
 * the motion's key before it goes to the workflow, so workflow history never holds it in clear.
 */
export function createVotesService(deps: ServerDeps) {
  const { db, repos, temporal, taskQueue, publicUrl } = deps;

  async function call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await withDeadline(temporal, fn);
    } catch (err) {
      throw fromTemporal(err) ?? err;
    }
  }

  async function requireNetwork(id: string) {
    const network = await repos.records.getNetwork(db, id);
    if (!network) throw new AppError('NOT_FOUND', `No network with id ${id}.`);
    return network;
  }

  async function requireMotion(id: string): Promise<Motion> {
    const motion = await repos.votes.getMotion(db, id);
    if (!motion) throw new AppError('NOT_FOUND', `No motion with id ${id}.`);
    return motion;
  }

  async function requireElection(id: string) {
    const election = await repos.votes.getElection(db, id);
    if (!election) throw new AppError('NOT_FOUND', `No election with id ${id}.`);
    return election;
  }

  function futureInstant(iso: string, field: string): string {
    const at = Date.parse(iso);
    if (Number.isNaN(at)) throw new AppError('VALIDATION_FAILED', `${field} is not a date-time.`, [{ path: field, message: 'must be an ISO date-time' }]);
    if (at <= Date.now()) throw new AppError('VALIDATION_FAILED', `${field} must be in the future.`, [{ path: field, message: 'must be in the future' }]);
    return new Date(at).toISOString();
  }

  /** Updates that reach a workflow in the moment between its links going out and it opening are retried. */
  async function updateWhenOpen<T>(isOpen: () => Promise<boolean>, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await call(fn);
      } catch (err) {
        const opening = err instanceof AppError && err.code === 'VOTING_CLOSED' && /not opened yet|not open yet/i.test(err.message);
        if (!opening || attempt >= 30 || !(await isOpen())) throw err;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  async function rulesInForce(networkId: string) {
    const rules = await Promise.all((['ordinary', 'allocation', 'constitutional', 'admission', 'expulsion', 'legal-form', 'appointment', 'dissolution'] as const).map((t) => repos.votes.ruleInForce(db, networkId, t)));
    return rules.map((rule) => ({ ...rule, description: describeRule(rule) }));
  }

  async function motionView(motion: Motion) {
    const [turnout, proxies, rows] = await Promise.all([repos.votes.turnout(db, motion.id), repos.votes.proxies(db, motion.id), repos.votes.ballots(db, motion.id)]);
    const nameOf = (practiceId: string) => motion.electorate.find((v) => v.practiceId === practiceId)?.practiceName ?? practiceId;
    const open = motion.rule.ballot === 'open';
    const votedBy = new Map(turnout.map((t) => [t.voterId, t]));
    const choiceOf = new Map(rows.filter((r) => r.voterId).map((r) => [r.voterId as string, r.choice]));
    const document = motion.resultDocumentId ? await repos.documents.get(db, motion.resultDocumentId) : null;
    let live = null;
    if (open && motion.status === 'open') {
      const tally = tallyVotes({ electorate: toVoters(motion.electorate), ballots: ballotsForTally(motion.rule, motion.electorate, turnout, rows), rule: motion.rule, subjectPracticeId: motion.subjectPracticeId ?? undefined });
      live = { provisional: true, result: tally.result, tallies: tally.tallies, perBasis: tally.perBasis, explanationLines: tally.explanationLines };
    }
    const result = motion.result as (Record<string, unknown> & { accepted?: unknown; rejected?: unknown }) | null;
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
      electorate: motion.electorate.map((v) => ({ practiceId: v.practiceId, practiceName: v.practiceName, listSize: v.listSize, partnerCount: v.partnerCount })),
      turnout: {
        voted: turnout.length,
        eligible: motion.electorate.length,
        practices: motion.electorate.map((v) => {
          const t = votedBy.get(v.practiceId);
          return { practiceId: v.practiceId, practiceName: v.practiceName, voted: Boolean(t), byProxy: t?.byProxy ?? false, castByPracticeId: t?.castBy ?? null, ...(open ? { choice: choiceOf.get(v.practiceId) ?? null } : {}) };
        }),
      },
      proxies: proxies.map((p) => ({ principalPracticeId: p.principalId, principalName: nameOf(p.principalId), proxyPracticeId: p.proxyId, proxyName: nameOf(p.proxyId), appointedBy: p.appointedBy, appointedAt: p.appointedAt })),
      live,
      result: result
        ? {
            result: result.result,
            ruleVersion: result.ruleVersion,
            quorum: result.quorum,
            tallies: result.tallies,
            perBasis: result.perBasis,
            thresholdExplanation: result.thresholdExplanation,
            explanationLines: result.explanationLines,
            castingVoteUsed: result.castingVoteUsed,
            tie: result.tie,
            ...(open ? { accepted: result.accepted } : {}),
          }
        : null,
      certificate: document ? { documentId: document.id, sha256: document.sha256Pdf, pdfUrl: `${publicUrl}/api/v1/documents/${document.id}/pdf`, docxUrl: `${publicUrl}/api/v1/documents/${document.id}/docx` } : null,
    };
  }

  async function electionView(electionId: string) {
    const election = await requireElection(electionId);
    const network = await requireNetwork(election.networkId);
    const [candidates, turnout, appointments] = await Promise.all([repos.votes.candidates(db, election.id), repos.votes.electionTurnout(db, election.id), repos.votes.appointmentsForElection(db, election.id)]);
    const result = election.result as { constituencies: { name: string; elected: string[]; ballots: number; count: unknown }[]; seed: string; termOfOffice: unknown } | null;
    const nameOf = (candidateId: string) => candidates.find((c) => c.id === candidateId)?.name ?? candidateId;
    return {
      id: election.id,
      networkId: election.networkId,
      title: election.title,
      method: election.method,
      phase: election.phase,
      nominationsCloseAt: election.nominationsCloseAt,
      ballotCloseAt: election.ballotCloseAt,
      termMonths: election.termMonths,
      tieRule: `Ties are settled by lot, deterministically: FNV-1a-32 of the seed "${election.id}" and the candidate id; the lowest key is drawn first.`,
      turnout: { voted: turnout.length, eligible: election.constituencies.reduce((n, c) => n + c.practiceIds.length, 0) },
      constituencies: election.constituencies.map((c) => {
        const counted = result?.constituencies.find((r) => r.name === c.name);
        return {
          name: c.name,
          seats: c.seats,
          practices: c.practiceIds.map((id) => ({ id, name: network.practices.find((p) => p.id === id)?.name ?? id, voted: turnout.includes(id) })),
          candidates: candidates
            .filter((x) => x.constituency === c.name)
            .map((x) => ({ id: x.id, personId: x.personId, name: x.name, practiceId: x.practiceId, practiceName: x.practiceName, statement: x.statement, conflictOfInterest: x.conflictOfInterest })),
          result: counted ? { ballots: counted.ballots, elected: counted.elected.map((id) => ({ id, name: nameOf(id) })), count: counted.count } : null,
        };
      }),
      appointments: appointments.map((a) => ({ ...a, name: candidates.find((c) => c.personId === a.personId)?.name ?? a.personId })),
    };
  }

  async function motionAction(secret: string, token: ActionToken) {
    const motion = await requireMotion(token.subjectId);
    const person = await repos.records.getPerson(db, token.personId);
    if (!person) throw new AppError('NOT_FOUND', 'This link no longer points to a vote.');
    const turnout = await repos.votes.turnout(db, motion.id);
    const proxies = await repos.votes.proxies(db, motion.id);
    const mine = turnout.find((t) => t.voterId === person.practiceId);
    const expired = Date.parse(token.expiresAt) <= Date.now();
    const status = motion.status === 'closed' ? 'closed' : mine ? 'voted' : expired ? 'expired' : 'pending';
    const view = await motionView(motion);
    return {
      kind: 'vote' as const,
      status,
      expiresAt: token.expiresAt,
      person: { id: person.id, name: person.name, email: person.email },
      practice: { id: person.practiceId, name: person.practiceName },
      network: { id: motion.networkId, name: (await repos.records.getNetwork(db, motion.networkId))?.name ?? '' },
      motion: { id: motion.id, title: motion.title, text: motion.text, decisionType: motion.decisionType, closesAt: motion.closesAt, ballot: motion.rule.ballot, ruleDescription: view.ruleDescription, documentId: motion.documentId },
      choices: ['for', 'against', 'abstain'] as Choice[],
      votedByProxy: mine?.byProxy ?? false,
      /** practices that appointed this practice as their proxy, and whether their vote is still to cast */
      proxyFor: proxies
        .filter((p) => p.proxyId === person.practiceId)
        .map((p) => ({ practiceId: p.principalId, practiceName: view.electorate.find((v) => v.practiceId === p.principalId)?.practiceName ?? p.principalId, voted: turnout.some((t) => t.voterId === p.principalId) })),
      turnout: { voted: view.turnout.voted, eligible: view.turnout.eligible },
      result: view.result ? { result: view.result.result, explanationLines: view.result.explanationLines, ruleVersion: view.result.ruleVersion } : null,
      certificate: view.certificate,
      links: { page: `${publicUrl}/a/${secret}` },
    };
  }

  async function electionAction(token: ActionToken) {
    const view = await electionView(token.subjectId);
    const person = await repos.records.getPerson(db, token.personId);
    if (!person) throw new AppError('NOT_FOUND', 'This link no longer points to an election.');
    const constituency = view.constituencies.find((c) => c.practices.some((p) => p.id === person.practiceId));
    if (!constituency) throw new AppError('NOT_FOUND', 'Your practice does not vote in this election.');
    const voted = constituency.practices.find((p) => p.id === person.practiceId)?.voted ?? false;
    const expired = Date.parse(token.expiresAt) <= Date.now();
    const status = view.phase === 'counted' ? 'counted' : view.phase !== 'ballot' ? 'closed' : voted ? 'voted' : expired ? 'expired' : 'pending';
    return {
      kind: 'ballot' as const,
      status,
      expiresAt: token.expiresAt,
      person: { id: person.id, name: person.name, email: person.email },
      practice: { id: person.practiceId, name: person.practiceName },
      election: { id: view.id, title: view.title, method: view.method, phase: view.phase, ballotCloseAt: view.ballotCloseAt, tieRule: view.tieRule },
      constituency: { name: constituency.name, seats: constituency.seats },
      candidates: constituency.candidates.map((c) => ({ id: c.id, name: c.name, practiceName: c.practiceName, statement: c.statement, conflictOfInterest: c.conflictOfInterest })),
      instructions:
        view.method === 'stv'
          ? 'Rank the candidates in order of preference: 1 for your first choice, 2 for your second, and so on. Rank as many or as few as you like.'
          : `Choose up to ${constituency.seats} candidate${constituency.seats === 1 ? '' : 's'}.`,
      result: constituency.result,
    };
  }

  async function resolveToken(secret: string): Promise<ActionToken | null> {
    return repos.tokens.actionTokenBySecret(db, secret);
  }

  function assertLive(token: ActionToken) {
    if (Date.parse(token.expiresAt) <= Date.now()) throw new AppError('TOKEN_EXPIRED', 'This link has expired. Ask the facilitator to send a new one.');
  }

  return {
    async votingRules(networkId: string) {
      await requireNetwork(networkId);
      return { networkId, rules: await rulesInForce(networkId) };
    },

    /** Sets a network's own rules (what its adopted constitution says); each change is a new version. */
    async setVotingRules(actor: string, networkId: string, patches: RulePatch[]) {
      await requireNetwork(networkId);
      const existing = await repos.votes.ruleOverrides(db, networkId);
      const lastNumber = Math.max(0, ...existing.map((r) => Number(/-(\d+)$/.exec(r.version)?.[1] ?? 0)));
      const version = `network-rules-${lastNumber + 1}`;
      await db.transaction(async (trx) => {
        for (const patch of patches) {
          const current = await repos.votes.ruleInForce(trx, networkId, patch.decisionType);
          const parsed = votingRuleSchema.safeParse({ ...current, ...patch, version });
          if (!parsed.success) throw new AppError('VALIDATION_FAILED', `The rule for ${patch.decisionType} is not valid.`, parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
          await repos.votes.setRuleOverride(trx, networkId, parsed.data, actor);
          await repos.audit.append(trx, actor, { type: 'voting-rule.set', networkId, decisionType: patch.decisionType, version }, networkId);
        }
      });
      return { networkId, version, rules: await rulesInForce(networkId) };
    },

    async createMotion(actor: string, networkId: string, body: MotionRequest) {
      const network = await requireNetwork(networkId);
      const closesAt = futureInstant(body.closesAt, 'closesAt');
      if (body.documentId) {
        const doc = await repos.documents.get(db, body.documentId);
        if (!doc || doc.networkId !== network.id) throw new AppError('VALIDATION_FAILED', 'documentId is not a document of this network.', [{ path: 'documentId', message: 'unknown document' }]);
      }
      if (body.subjectPracticeId && !network.practices.some((p) => p.id === body.subjectPracticeId)) {
        throw new AppError('VALIDATION_FAILED', 'subjectPracticeId is not a practice of this network.', [{ path: 'subjectPracticeId', message: 'unknown practice' }]);
      }
      const rule = await repos.votes.ruleInForce(db, network.id, body.decisionType);
      if (rule.threshold === 'unanimous-excluding-subject' && !body.subjectPracticeId) {
        throw new AppError('VALIDATION_FAILED', 'This decision type excludes the practice it concerns: give subjectPracticeId.', [{ path: 'subjectPracticeId', message: 'required' }]);
      }
      const motionId = crypto.randomUUID();
      const workflowId = voteWorkflowId(motionId);
      await call(() =>
        temporal.workflow.start('voteWorkflow', {
          taskQueue,
          workflowId,
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          args: [{ motionId, networkId: network.id, title: body.title, text: body.text, decisionType: body.decisionType, closesAt, documentId: body.documentId ?? null, subjectPracticeId: body.subjectPracticeId ?? null, actor, rule }],
        }),
      );
      // answer once the ballot links are out and the workflow accepts ballots
      const deadline = Date.now() + 20_000;
      for (;;) {
        const state = await temporal.workflow
          .getHandle(workflowId)
          .query(motionStateQuery)
          .catch(() => null);
        if (state && state.phase !== 'opening') break;
        if (Date.now() > deadline) throw new AppError('UNAVAILABLE', 'The vote was started but has not opened yet; check GET /motions/:id shortly.', { id: motionId });
        await new Promise((r) => setTimeout(r, 150));
      }
      return { id: motionId, workflowId, closesAt, rule, ruleDescription: describeRule(rule) };
    },

    async listMotions(networkId: string) {
      await requireNetwork(networkId);
      return (await repos.votes.listMotions(db, networkId)).map((m) => ({ id: m.id, title: m.title, decisionType: m.decisionType, status: m.status, closesAt: m.closesAt, result: (m.result as { result?: string } | null)?.result ?? null }));
    },

    async getMotion(id: string) {
      return motionView(await requireMotion(id));
    },

    /** Closes now; the chair's casting vote (if the rule gives one) settles an exact tie. Waits for the count. */
    async closeMotion(actor: string, id: string, body: { chairCasting?: 'for' | 'against' }) {
      const motion = await requireMotion(id);
      if (motion.status === 'closed') throw new AppError('VOTING_CLOSED', 'This vote has already closed.');
      const handle = temporal.workflow.getHandle(motion.workflowId);
      await call(() => handle.executeUpdate(closeMotionUpdate, { args: [{ actor, chairCasting: body.chairCasting }] }));
      await call(() => handle.result() as Promise<VoteOutcome>);
      return motionView(await requireMotion(id));
    },

    async extendMotion(actor: string, id: string, body: { closesAt: string }) {
      const motion = await requireMotion(id);
      const closesAt = futureInstant(body.closesAt, 'closesAt');
      await call(() => temporal.workflow.getHandle(motion.workflowId).executeUpdate(extendMotionUpdate, { args: [{ closesAt, actor }] }));
      return motionView(await requireMotion(id));
    },

    async appointProxy(actor: string, id: string, body: { principalPracticeId: string; proxyPracticeId: string }) {
      const motion = await requireMotion(id);
      await call(() => temporal.workflow.getHandle(motion.workflowId).executeUpdate(appointProxyUpdate, { args: [{ principalId: body.principalPracticeId, proxyId: body.proxyPracticeId, actor }] }));
      return (await motionView(await requireMotion(id))).proxies;
    },

    async motionReceipt(id: string, code: string) {
      const motion = await requireMotion(id);
      const counted = await repos.votes.ballotByReceipt(db, motion.id, hashReceipt(code));
      return { motionId: motion.id, counted, motionStatus: motion.status, result: (motion.result as { result?: string } | null)?.result ?? null };
    },

    async createElection(actor: string, networkId: string, body: ElectionRequest) {
      const network = await requireNetwork(networkId);
      const nominationsCloseAt = futureInstant(body.nominationsCloseAt, 'nominationsCloseAt');
      const ballotCloseAt = futureInstant(body.ballotCloseAt, 'ballotCloseAt');
      if (Date.parse(ballotCloseAt) <= Date.parse(nominationsCloseAt)) throw new AppError('VALIDATION_FAILED', 'ballotCloseAt must be after nominationsCloseAt.', [{ path: 'ballotCloseAt', message: 'must be after nominationsCloseAt' }]);
      const seen = new Set<string>();
      body.constituencies.forEach((c, i) => {
        for (const id of c.practiceIds) {
          if (!network.practices.some((p) => p.id === id)) throw new AppError('VALIDATION_FAILED', `Practice ${id} is not in this network.`, [{ path: `constituencies.${i}.practiceIds`, message: `unknown practice ${id}` }]);
          if (seen.has(id)) throw new AppError('VALIDATION_FAILED', `Practice ${id} is in more than one constituency.`, [{ path: `constituencies.${i}.practiceIds`, message: `${id} appears twice` }]);
          seen.add(id);
        }
      });
      if (new Set(body.constituencies.map((c) => c.name)).size !== body.constituencies.length) throw new AppError('VALIDATION_FAILED', 'Constituency names must be unique.');
      const electionId = crypto.randomUUID();
      const workflowId = electionWorkflowId(electionId);
      await call(() =>
        temporal.workflow.start('electionWorkflow', {
          taskQueue,
          workflowId,
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          args: [
            {
              electionId,
              networkId: network.id,
              title: body.title,
              method: body.method,
              constituencies: body.constituencies,
              nominationsCloseAt,
              ballotCloseAt,
              termMonths: body.termMonths ?? DEFAULT_TERM_MONTHS,
              actor,
              eligiblePeople: network.practices.flatMap((p) => p.people.map((x) => ({ personId: x.id, practiceId: p.id }))),
            },
          ],
        }),
      );
      const deadline = Date.now() + 20_000;
      for (;;) {
        const state = await temporal.workflow
          .getHandle(workflowId)
          .query(electionStateQuery)
          .catch(() => null);
        if (state && state.phase !== 'opening') break;
        if (Date.now() > deadline) throw new AppError('UNAVAILABLE', 'The election was started but has not opened yet.', { id: electionId });
        await new Promise((r) => setTimeout(r, 150));
      }
      return electionView(electionId);
    },

    getElection: electionView,

    async nominate(actor: string, electionId: string, body: { personId: string; constituency: string; statement: string; conflictOfInterest?: string }) {
      const election = await requireElection(electionId);
      const person = await repos.records.getPerson(db, body.personId);
      if (!person || person.networkId !== election.networkId) throw new AppError('NOT_ELIGIBLE', 'A candidate must belong to a practice of the network.');
      const candidateId = crypto.randomUUID();
      await call(() =>
        temporal.workflow.getHandle(election.workflowId).executeUpdate(nominateUpdate, {
          args: [{ candidateId, personId: body.personId, constituency: body.constituency, statement: body.statement, conflictOfInterest: body.conflictOfInterest ?? null, actor }],
        }),
      );
      return { id: candidateId, personId: person.id, name: person.name, constituency: body.constituency, statement: body.statement, conflictOfInterest: body.conflictOfInterest ?? null };
    },

    /** Ends the current phase: closes nominations (the ballot opens) or closes the ballot (the count runs). */
    async advanceElection(actor: string, electionId: string) {
      const election = await requireElection(electionId);
      const handle = temporal.workflow.getHandle(election.workflowId);
      const { phase } = await call(() => handle.executeUpdate(advanceElectionUpdate, { args: [{ actor }] }));
      const target = phase === 'nominations' ? 'ballot' : 'counted';
      const deadline = Date.now() + 25_000;
      for (;;) {
        const state: ElectionState | null = await handle.query(electionStateQuery).catch(() => null);
        if (state?.phase === target) break;
        if (Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 150));
      }
      return electionView(electionId);
    },

    async electionReceipt(id: string, code: string) {
      const election = await requireElection(id);
      return { electionId: election.id, counted: await repos.votes.electionBallotByReceipt(db, election.id, hashReceipt(code)), phase: election.phase };
    },

    /** The view of a vote or ballot link, or null when the token is for something else (signing). */
    async describeAction(secret: string) {
      const token = await resolveToken(secret);
      if (!token) return null;
      if (token.kind === 'vote') return motionAction(secret, token);
      if (token.kind === 'ballot') return electionAction(token);
      return null;
    },

    async isVoteToken(secret: string): Promise<boolean> {
      const token = await resolveToken(secret);
      return token?.kind === 'vote' || token?.kind === 'ballot';
    },

    /** Casts the ballot of a vote or election link; answers with a receipt code the voter can check. */
    async castBallot(secret: string, body: { choice: Choice; onBehalfOf?: string } | { preferences: string[] }) {
      const token = await resolveToken(secret);
      if (!token || (token.kind !== 'vote' && token.kind !== 'ballot')) throw new AppError('NOT_FOUND', 'This link is not a ballot.');
      const person = await repos.records.getPerson(db, token.personId);
      if (!person) throw new AppError('NOT_FOUND', 'This link no longer points to a ballot.');
      const receiptCode = newReceiptCode();
      const receiptHash = hashReceipt(receiptCode);

      if (token.kind === 'vote') {
        if (!('choice' in body)) throw new AppError('VALIDATION_FAILED', 'A vote on a motion needs { choice: "for" | "against" | "abstain" }.');
        const motion = await requireMotion(token.subjectId);
        if (motion.status === 'closed') throw new AppError('VOTING_CLOSED', 'This vote has closed.');
        assertLive(token);
        const proxyFor = body.onBehalfOf && body.onBehalfOf !== person.practiceId ? body.onBehalfOf : undefined;
        const principal = proxyFor ?? person.practiceId;
        let payload;
        if (motion.rule.ballot === 'secret') {
          const key = await repos.votes.motionBallotKey(db, motion.id);
          if (!key) throw new AppError('VOTING_CLOSED', 'This vote has closed.');
          payload = { voterId: person.practiceId, castBy: person.id, proxyFor, sealed: sealBallot(key, { choice: body.choice, receiptHash }) };
        } else {
          payload = { voterId: person.practiceId, castBy: person.id, proxyFor, choice: body.choice, receiptHash };
        }
        const handle = temporal.workflow.getHandle(motion.workflowId);
        await updateWhenOpen(
          async () => (await repos.votes.getMotion(db, motion.id))?.status === 'open',
          () => handle.executeUpdate(castVoteUpdate, { args: [payload] }),
        );
        const principalName = motion.electorate.find((v) => v.practiceId === principal)?.practiceName ?? principal;
        return {
          kind: 'vote' as const,
          motionId: motion.id,
          practice: { id: principal, name: principalName },
          byProxy: proxyFor !== undefined,
          ...(motion.rule.ballot === 'open' ? { choice: body.choice } : {}),
          receiptCode,
          checkUrl: `${publicUrl}/api/v1/motions/${motion.id}/receipts/${receiptCode}`,
        };
      }

      if (!('preferences' in body)) throw new AppError('VALIDATION_FAILED', 'An election ballot needs { preferences: [candidateId, …] }.');
      const election = await requireElection(token.subjectId);
      if (election.phase !== 'ballot') throw new AppError('VOTING_CLOSED', election.phase === 'nominations' ? 'The ballot has not opened yet.' : 'The ballot has closed.');
      assertLive(token);
      const constituency = election.constituencies.find((c) => c.practiceIds.includes(person.practiceId));
      if (!constituency) throw new AppError('NOT_IN_ELECTORATE', 'Your practice does not vote in this election.');
      const candidateIds = new Set((await repos.votes.candidates(db, election.id)).filter((c) => c.constituency === constituency.name).map((c) => c.id));
      const problem =
        election.method === 'fptp'
          ? fptpBallotProblem(body.preferences, constituency.seats, candidateIds)
          : usablePreferences(body.preferences, candidateIds).length !== body.preferences.length || body.preferences.length === 0
            ? 'UNKNOWN_OR_REPEATED_CANDIDATE'
            : undefined;
      if (problem) throw new AppError('INVALID_BALLOT', `This ballot would be spoilt (${problem.toLowerCase().replace(/_/g, ' ')}). Use the candidate ids listed for your constituency, each once.`, { problem });
      const key = await repos.votes.electionBallotKey(db, election.id);
      if (!key) throw new AppError('VOTING_CLOSED', 'The ballot has closed.');
      await call(() =>
        temporal.workflow.getHandle(election.workflowId).executeUpdate(electionBallotUpdate, {
          args: [{ voterId: person.practiceId, castBy: person.id, sealed: sealBallot(key, { preferences: body.preferences, receiptHash }) }],
        }),
      );
      return {
        kind: 'ballot' as const,
        electionId: election.id,
        practice: { id: person.practiceId, name: person.practiceName },
        constituency: constituency.name,
        receiptCode,
        checkUrl: `${publicUrl}/api/v1/elections/${election.id}/receipts/${receiptCode}`,
      };
    },
  };
}

export type VotesService = ReturnType<typeof createVotesService>;
