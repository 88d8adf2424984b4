import { transactionRetryingContention } from '../../db/knex';
import crypto from 'node:crypto';
import type { Issue, Risk } from '../../db/repos/risks.repo';
import { formatDate } from '../../documents/format';
import type { AccessScope } from '../../domain/access/actions';
import type { PersonActor } from '../../domain/access/policy';
import { riskRating, riskScore } from '../../domain/disputes/risk';
import type { StageKey } from '../../domain/stages';
import { riskReviewSignal, riskReviewWorkflowId } from '../../workflows/dispute-messages';
import type { ServerDeps } from '../deps';
import { AppError } from '../errors';
import { callWorkflow } from './deadline';
import { calendarNow } from './dispute-views';
import type { DisputesService } from './disputes.service';

export interface RiskBody {
  title: string;
  cause: string;
  impact: string;
  likelihood: number;
  impactScore: number;
  ownerPersonId: string;
  mitigation: string;
  reviewOn: string;
}

export interface IssueBody {
  title: string;
  description: string;
  raisedOn?: string;
  ownerPersonId: string;
  action: string;
  dueOn: string;
  riskId?: string;
}

/**
 * A network's risk register and issue log. Every change is logged against its entry and audited;
 * each open risk has a durable review timer (a `riskReviewWorkflow`, told of a new review date or
 * closure by signal); an issue can be escalated into a dispute case that keeps its log as history.
 */
export function createRisksService(deps: ServerDeps & { disputes: DisputesService }) {
  const { db, repos, temporal, taskQueue, disputes } = deps;

  async function requireNetwork(id: string) {
    const network = await repos.records.getNetwork(db, id);
    if (!network) throw new AppError('NOT_FOUND', `No network with id ${id}.`);
    return network;
  }

  function requireOwner(network: Awaited<ReturnType<typeof requireNetwork>>, personId: string) {
    const person = network.practices.flatMap((p) => p.people).find((p) => p.id === personId);
    if (!person)
      throw new AppError('VALIDATION_FAILED', 'The owner must be a person of this network.', [
        { path: 'ownerPersonId', message: 'not a person of this network' },
      ]);
    return person;
  }

  async function requireRisk(networkId: string, riskId: string): Promise<Risk> {
    const risk = await repos.risks.getRisk(db, riskId);
    if (!risk || risk.networkId !== networkId) throw new AppError('NOT_FOUND', `No risk with id ${riskId} in this network.`);
    return risk;
  }

  async function requireIssue(networkId: string, issueId: string): Promise<Issue> {
    const issue = await repos.risks.getIssue(db, issueId);
    if (!issue || issue.networkId !== networkId) throw new AppError('NOT_FOUND', `No issue with id ${issueId} in this network.`);
    return issue;
  }

  /** Tells (or starts) the risk's review timer. */
  function reviewTimer(risk: Pick<Risk, 'id' | 'networkId' | 'reviewOn'>, change: { reviewOn: string | null; closed: boolean }) {
    return callWorkflow(temporal, () =>
      temporal.workflow.signalWithStart('riskReviewWorkflow', {
        taskQueue,
        workflowId: riskReviewWorkflowId(risk.id),
        args: [{ riskId: risk.id, networkId: risk.networkId, reviewOn: risk.reviewOn }],
        signal: riskReviewSignal,
        signalArgs: [change],
      }),
    );
  }

  const changed = (before: object, patch: object) =>
    Object.entries(patch)
      .filter(([k, v]) => v !== undefined && (before as Record<string, unknown>)[k] !== v)
      .map(([k]) => k);

  return {
    /** The register and the log, with owners' names, ratings and what is due. */
    async log(networkId: string) {
      const network = await requireNetwork(networkId);
      const people = new Map(network.practices.flatMap((p) => p.people.map((x) => [x.id, `${x.name} (${p.name})`] as const)));
      const { today } = calendarNow();
      const [risks, issues] = await Promise.all([repos.risks.risksOf(db, networkId), repos.risks.issuesOf(db, networkId)]);
      return {
        networkId,
        risks: await Promise.all(
          risks.map(async (r) => ({
            ...r,
            owner: people.get(r.ownerPersonId) ?? r.ownerPersonId,
            rating: riskRating(r.score),
            reviewOverdue: r.status === 'open' && r.reviewOn < today,
            log: await repos.risks.logOf(db, r.id),
          })),
        ),
        issues: await Promise.all(
          issues.map(async (i) => ({
            ...i,
            owner: people.get(i.ownerPersonId) ?? i.ownerPersonId,
            overdue: i.status === 'open' && i.dueOn < today,
            log: await repos.risks.logOf(db, i.id),
          })),
        ),
      };
    },

    async createRisk(actor: string, networkId: string, body: RiskBody) {
      const network = await requireNetwork(networkId);
      requireOwner(network, body.ownerPersonId);
      const id = crypto.randomUUID();
      const score = riskScore(body.likelihood, body.impactScore);
      // the timer first: a risk is never recorded without one (a timer whose risk was never written ends at its date)
      await reviewTimer({ id, networkId, reviewOn: body.reviewOn }, { reviewOn: body.reviewOn, closed: false });
      const risk = await transactionRetryingContention(db, async (trx) => {
        const risk = await repos.risks.insertRisk(trx, { id, networkId, ...body, score, status: 'open', createdBy: actor });
        await repos.risks.insertLogEvent(trx, {
          id: crypto.randomUUID(),
          networkId,
          subjectKind: 'risk',
          subjectId: id,
          actor,
          type: 'recorded',
          text: `Recorded with score ${score} (likelihood ${body.likelihood} × impact ${body.impactScore}); review on ${formatDate(body.reviewOn)}.`,
        });
        await repos.audit.append(trx, actor, { type: 'risk.recorded', riskId: id, networkId, score }, networkId);
        return risk;
      });
      return { ...risk, rating: riskRating(score) };
    },

    /** Changes a risk: a review (a new review date and a note), a new score or owner, or closing it. */
    async updateRisk(actor: string, networkId: string, riskId: string, patch: Partial<RiskBody> & { status?: 'open' | 'closed'; note?: string }) {
      const network = await requireNetwork(networkId);
      const risk = await requireRisk(networkId, riskId);
      if (risk.status === 'closed') throw new AppError('CONFLICT', 'This risk is closed.');
      if (patch.ownerPersonId) requireOwner(network, patch.ownerPersonId);
      const { note, ...fields } = patch;
      const next = { ...risk, ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) } as Risk;
      next.score = riskScore(next.likelihood, next.impactScore);
      const names = changed(risk, { ...fields, score: next.score });
      if (names.length === 0 && !note) throw new AppError('VALIDATION_FAILED', 'Nothing to change: give new values or a note.');
      await transactionRetryingContention(db, async (trx) => {
        await repos.risks.updateRisk(trx, riskId, { ...fields, score: next.score });
        await repos.risks.insertLogEvent(trx, {
          id: crypto.randomUUID(),
          networkId,
          subjectKind: 'risk',
          subjectId: riskId,
          actor,
          type: next.status === 'closed' ? 'closed' : names.includes('reviewOn') ? 'reviewed' : 'updated',
          text: note ?? `Changed: ${names.join(', ')}.`,
        });
        await repos.audit.append(trx, actor, { type: 'risk.updated', riskId, fields: names }, networkId);
      });
      if (next.status === 'closed' || names.includes('reviewOn')) await reviewTimer(next, { reviewOn: next.reviewOn, closed: next.status === 'closed' });
      return { ...next, rating: riskRating(next.score) };
    },

    async createIssue(actor: string, networkId: string, body: IssueBody) {
      const network = await requireNetwork(networkId);
      requireOwner(network, body.ownerPersonId);
      if (body.riskId) await requireRisk(networkId, body.riskId);
      const id = crypto.randomUUID();
      return transactionRetryingContention(db, async (trx) => {
        const issue = await repos.risks.insertIssue(trx, {
          id,
          networkId,
          title: body.title,
          description: body.description,
          raisedOn: body.raisedOn ?? calendarNow().today,
          ownerPersonId: body.ownerPersonId,
          action: body.action,
          dueOn: body.dueOn,
          riskId: body.riskId ?? null,
          status: 'open',
          disputeId: null,
          createdBy: actor,
        });
        await repos.risks.insertLogEvent(trx, {
          id: crypto.randomUUID(),
          networkId,
          subjectKind: 'issue',
          subjectId: id,
          actor,
          type: 'raised',
          text: `${body.description} Action: ${body.action}`,
        });
        await repos.audit.append(trx, actor, { type: 'issue.recorded', issueId: id, networkId, riskId: body.riskId ?? null }, networkId);
        return issue;
      });
    },

    async updateIssue(
      actor: string,
      networkId: string,
      issueId: string,
      patch: Partial<Omit<IssueBody, 'raisedOn'>> & { status?: 'open' | 'closed'; note?: string },
    ) {
      const network = await requireNetwork(networkId);
      const issue = await requireIssue(networkId, issueId);
      if (issue.status !== 'open') throw new AppError('CONFLICT', `This issue is ${issue.status}.`);
      if (patch.ownerPersonId) requireOwner(network, patch.ownerPersonId);
      if (patch.riskId) await requireRisk(networkId, patch.riskId);
      const { note, ...fields } = patch;
      const names = changed(issue, fields);
      if (names.length === 0 && !note) throw new AppError('VALIDATION_FAILED', 'Nothing to change: give new values or a note.');
      await transactionRetryingContention(db, async (trx) => {
        await repos.risks.updateIssue(trx, issueId, fields);
        await repos.risks.insertLogEvent(trx, {
          id: crypto.randomUUID(),
          networkId,
          subjectKind: 'issue',
          subjectId: issueId,
          actor,
          type: fields.status === 'closed' ? 'closed' : 'updated',
          text: note ?? `Changed: ${names.join(', ')}.`,
        });
        await repos.audit.append(trx, actor, { type: 'issue.updated', issueId, fields: names }, networkId);
      });
      return { ...(await repos.risks.getIssue(db, issueId))! };
    },

    /** An issue the members cannot resolve becomes a dispute case; the case shows the issue's log as its first history. */
    async escalateIssue(
      person: PersonActor,
      scope: AccessScope | null,
      actorName: string,
      networkId: string,
      issueId: string,
      body: { parties: string[]; stage?: StageKey; summary?: string },
    ) {
      const issue = await requireIssue(networkId, issueId);
      const opener = await disputes.actorOf(person, scope, body.parties);
      if (issue.status !== 'open')
        throw new AppError('CONFLICT', issue.disputeId ? 'This issue has already been escalated into a dispute case.' : `This issue is ${issue.status}.`);
      const opened = await disputes.open(
        opener,
        networkId,
        { title: issue.title, summary: body.summary ?? issue.description, parties: body.parties, stage: body.stage },
        issue.id,
      );
      await transactionRetryingContention(db, async (trx) => {
        await repos.risks.updateIssue(trx, issueId, { status: 'escalated', disputeId: opened.id });
        await repos.risks.insertLogEvent(trx, {
          id: crypto.randomUUID(),
          networkId,
          subjectKind: 'issue',
          subjectId: issueId,
          actor: actorName,
          type: 'escalated',
          text: 'Escalated into a dispute case.',
        });
        await repos.audit.append(trx, actorName, { type: 'issue.escalated', issueId, disputeId: opened.id }, networkId);
      });
      return { ...opened, issueId };
    },
  };
}

export type RisksService = ReturnType<typeof createRisksService>;
