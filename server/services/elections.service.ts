import crypto from 'node:crypto';
import { WorkflowIdReusePolicy } from '@temporalio/client';
import { hashReceipt, newReceiptCode, sealBallot } from '../../crypto/ballot-seal';
import { describeCount } from '../../domain/voting/count-words';
import type { FptpResult } from '../../domain/voting/fptp';
import type { StvResult } from '../../domain/voting/stv';
import { constituencyProblems, type ElectionMethod, tieRuleText } from '../../domain/voting/election';
import {
  advanceElectionUpdate,
  awaitElectionOpenUpdate,
  electionBallotUpdate,
  electionWorkflowId,
  nominateUpdate,
  withdrawCandidateUpdate,
} from '../../workflows/vote-messages';
import type { ServerDeps } from '../deps';
import { AppError } from '../errors';
import { linkHolder, requireLive, type ActionLink } from '../action-links';
import { callWorkflow } from './deadline';
import { futureInstant } from './vote-requests';

/** Default term of office of an elected board member (DOMAIN.md §4: shadow term of at least two years). */
const DEFAULT_TERM_MONTHS = 24;

export interface ElectionRequest {
  title: string;
  method: ElectionMethod;
  constituencies: { name: string; seats: number; practiceIds: string[] }[];
  nominationsCloseAt: string;
  ballotCloseAt: string;
  termMonths?: number;
}

/**
 * Board elections over HTTP: opening one (an election workflow), nominations, closing a phase,
 * the count and appointments, receipts, and casting a ballot through a ballot link. Who may stand
 * or vote, and whether now, is the workflow validator's decision; whether a ballot paper is
 * spoilt is checked where its sealed preferences are opened, in the recording activity.
 */
export function createElectionsService(deps: ServerDeps) {
  const { db, repos, temporal, taskQueue, publicUrl } = deps;
  const call = <T>(fn: () => Promise<T>, finished = () => new AppError('WRONG_PHASE', 'This election has been counted.')) =>
    callWorkflow(temporal, fn, finished);

  async function requireNetwork(id: string) {
    const network = await repos.records.getNetwork(db, id);
    if (!network) throw new AppError('NOT_FOUND', `No network with id ${id}.`);
    return network;
  }

  async function requireElection(id: string) {
    const election = await repos.elections.getElection(db, id);
    if (!election) throw new AppError('NOT_FOUND', `No election with id ${id}.`);
    return election;
  }

  async function electionView(electionId: string) {
    const election = await requireElection(electionId);
    const network = await requireNetwork(election.networkId);
    const [candidates, turnout, appointments, certificate] = await Promise.all([
      repos.elections.candidates(db, election.id),
      repos.elections.turnout(db, election.id),
      repos.elections.appointmentsForElection(db, election.id),
      repos.documents.byIdempotencyKey(db, `election:${election.id}:certificate`),
    ]);
    const result = election.result as { constituencies: { name: string; elected: string[]; ballots: number; count: unknown }[] } | null;
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
      tieRule: tieRuleText(election.id),
      turnout: { voted: turnout.length, eligible: election.constituencies.reduce((n, c) => n + c.practiceIds.length, 0) },
      constituencies: election.constituencies.map((c) => {
        const counted = result?.constituencies.find((r) => r.name === c.name);
        return {
          name: c.name,
          seats: c.seats,
          practices: c.practiceIds.map((id) => ({ id, name: network.practices.find((p) => p.id === id)?.name ?? id, voted: turnout.includes(id) })),
          candidates: candidates
            .filter((x) => x.constituency === c.name)
            .map((x) => ({
              id: x.id,
              personId: x.personId,
              name: x.name,
              practiceId: x.practiceId,
              practiceName: x.practiceName,
              statement: x.statement,
              conflictOfInterest: x.conflictOfInterest,
            })),
          result: counted
            ? {
                ballots: counted.ballots,
                elected: counted.elected.map((id) => ({ id, name: nameOf(id) })),
                count: counted.count,
                /** the count with candidates by name, round by round, every tie said as one (for pages) */
                words: describeCount(counted.count as StvResult | FptpResult, nameOf),
              }
            : null,
        };
      }),
      appointments: appointments.map((a) => ({ ...a, name: candidates.find((c) => c.personId === a.personId)?.name ?? a.personId })),
      /** the election result certificate, once the count is done (elections counted before it existed have none) */
      certificate: certificate
        ? {
            documentId: certificate.id,
            sha256: certificate.sha256Pdf,
            pdfUrl: `${publicUrl}/api/v1/documents/${certificate.id}/pdf`,
            docxUrl: `${publicUrl}/api/v1/documents/${certificate.id}/docx`,
          }
        : null,
    };
  }

  return {
    async createElection(actor: string, networkId: string, body: ElectionRequest) {
      const network = await requireNetwork(networkId);
      const nominationsCloseAt = futureInstant(body.nominationsCloseAt, 'nominationsCloseAt');
      const ballotCloseAt = futureInstant(body.ballotCloseAt, 'ballotCloseAt');
      if (Date.parse(ballotCloseAt) <= Date.parse(nominationsCloseAt))
        throw new AppError('VALIDATION_FAILED', 'ballotCloseAt must be after nominationsCloseAt.', [
          { path: 'ballotCloseAt', message: 'must be after nominationsCloseAt' },
        ]);
      const problems = constituencyProblems(
        network.practices.map((p) => p.id),
        body.constituencies,
      );
      if (problems.length > 0) throw new AppError('VALIDATION_FAILED', 'The constituencies are not valid for this network.', problems);
      const electionId = crypto.randomUUID();
      await call(() =>
        temporal.workflow.start('electionWorkflow', {
          taskQueue,
          workflowId: electionWorkflowId(electionId),
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
      // answer once the election is recorded and taking nominations
      try {
        await call(() => temporal.workflow.getHandle(electionWorkflowId(electionId)).executeUpdate(awaitElectionOpenUpdate));
      } catch (err) {
        if (err instanceof AppError && err.code === 'UNAVAILABLE')
          throw new AppError('UNAVAILABLE', 'The election was started but has not opened yet; check GET /elections/:id shortly.', { id: electionId });
        throw err;
      }
      return electionView(electionId);
    },

    getElection: electionView,

    /** A network's elections, newest first, for its staff page. */
    async listElections(networkId: string) {
      await requireNetwork(networkId);
      return (await repos.elections.listElections(db, networkId)).map((e) => ({
        id: e.id,
        title: e.title,
        method: e.method,
        phase: e.phase,
        nominationsCloseAt: e.nominationsCloseAt,
        ballotCloseAt: e.ballotCloseAt,
      }));
    },

    /** A candidate stands down while nominations are open; the workflow refuses it after they close. */
    async withdraw(actor: string, electionId: string, candidateId: string): Promise<void> {
      const election = await requireElection(electionId);
      await call(() => temporal.workflow.getHandle(election.workflowId).executeUpdate(withdrawCandidateUpdate, { args: [{ candidateId, actor }] }));
    },

    async nominate(actor: string, electionId: string, body: { personId: string; constituency: string; statement: string; conflictOfInterest?: string }) {
      const election = await requireElection(electionId);
      const candidateId = crypto.randomUUID();
      await call(() =>
        temporal.workflow.getHandle(election.workflowId).executeUpdate(nominateUpdate, {
          args: [
            {
              candidateId,
              personId: body.personId,
              constituency: body.constituency,
              statement: body.statement,
              conflictOfInterest: body.conflictOfInterest ?? null,
              actor,
            },
          ],
        }),
      );
      const person = await repos.records.getPerson(db, body.personId);
      return {
        id: candidateId,
        personId: body.personId,
        name: person?.name ?? body.personId,
        constituency: body.constituency,
        statement: body.statement,
        conflictOfInterest: body.conflictOfInterest ?? null,
      };
    },

    /**
     * Ends the current phase: closes nominations (the ballot opens and its links go out) or
     * closes the ballot (the count runs). Answers once the next phase has begun.
     */
    async advanceElection(actor: string, electionId: string) {
      const election = await requireElection(electionId);
      await call(() => temporal.workflow.getHandle(election.workflowId).executeUpdate(advanceElectionUpdate, { args: [{ actor }] }));
      return electionView(electionId);
    },

    async electionReceipt(id: string, code: string) {
      const election = await requireElection(id);
      return { electionId: election.id, counted: await repos.elections.ballotByReceipt(db, election.id, hashReceipt(code)), phase: election.phase };
    },

    /** What a ballot link shows its holder: their constituency's candidates and statements, status, and the count once done. */
    async describeBallotLink(link: ActionLink) {
      const { token, person } = link;
      const view = await electionView(token.subjectId);
      const constituency = view.constituencies.find((c) => c.practices.some((p) => p.id === person.practiceId));
      if (!constituency) throw new AppError('NOT_FOUND', 'Your practice does not vote in this election.');
      const voted = constituency.practices.find((p) => p.id === person.practiceId)?.voted ?? false;
      const status = view.phase === 'counted' ? 'counted' : view.phase !== 'ballot' ? 'closed' : voted ? 'voted' : link.expired ? 'expired' : 'pending';
      return {
        kind: 'ballot' as const,
        status,
        expiresAt: token.expiresAt,
        ...linkHolder(link),
        election: { id: view.id, title: view.title, method: view.method, phase: view.phase, ballotCloseAt: view.ballotCloseAt, tieRule: view.tieRule },
        constituency: { name: constituency.name, seats: constituency.seats },
        candidates: constituency.candidates.map((c) => ({
          id: c.id,
          name: c.name,
          practiceName: c.practiceName,
          statement: c.statement,
          conflictOfInterest: c.conflictOfInterest,
        })),
        instructions:
          view.method === 'stv'
            ? 'Rank the candidates in order of preference: 1 for your first choice, 2 for your second, and so on. Rank as many or as few as you like.'
            : `Choose up to ${constituency.seats} candidate${constituency.seats === 1 ? '' : 's'}.`,
        result: constituency.result,
      };
    },

    /** Casts the practice's ballot paper, sealed with the election's key; answers with a receipt code. */
    async castElectionBallot(link: ActionLink, body: { preferences: string[] }) {
      const { token, person } = link;
      requireLive(link);
      const election = await requireElection(token.subjectId);
      const closed = () => new AppError('VOTING_CLOSED', 'The ballot has closed.');
      // the key is erased at the count: without it there is nothing to seal with, and nothing to vote in
      const key = await repos.elections.electionBallotKey(db, election.id);
      if (!key) throw closed();
      const receiptCode = newReceiptCode();
      const sealed = sealBallot(key, { preferences: body.preferences, receiptHash: hashReceipt(receiptCode) });
      await call(
        () =>
          temporal.workflow
            .getHandle(election.workflowId)
            .executeUpdate(electionBallotUpdate, { args: [{ voterId: person.practiceId, castBy: person.id, sealed }] }),
        closed,
      );
      return {
        kind: 'ballot' as const,
        electionId: election.id,
        practice: { id: person.practiceId, name: person.practiceName },
        constituency: election.constituencies.find((c) => c.practiceIds.includes(person.practiceId))?.name ?? '',
        receiptCode,
        checkUrl: `${publicUrl}/api/v1/elections/${election.id}/receipts/${receiptCode}`,
      };
    },
  };
}

export type ElectionsService = ReturnType<typeof createElectionsService>;
