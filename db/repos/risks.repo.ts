import type { IssueStatus, RiskStatus } from '../../domain/disputes/risk';
import { rowOf } from './columns';
import { type Executor, nowIso } from './executor';

export interface Risk {
  id: string;
  networkId: string;
  title: string;
  cause: string;
  impact: string;
  likelihood: number;
  impactScore: number;
  score: number;
  ownerPersonId: string;
  mitigation: string;
  status: RiskStatus;
  reviewOn: string;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface Issue {
  id: string;
  networkId: string;
  title: string;
  description: string;
  raisedOn: string;
  ownerPersonId: string;
  action: string;
  dueOn: string;
  riskId: string | null;
  status: IssueStatus;
  disputeId: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface LogEvent {
  id: string;
  networkId: string;
  subjectKind: 'risk' | 'issue';
  subjectId: string;
  at: string;
  actor: string;
  type: string;
  text: string;
}

function riskFromRow(r: Record<string, unknown>): Risk {
  return {
    id: String(r.id),
    networkId: String(r.network_id),
    title: String(r.title),
    cause: String(r.cause),
    impact: String(r.impact),
    likelihood: Number(r.likelihood),
    impactScore: Number(r.impact_score),
    score: Number(r.score),
    ownerPersonId: String(r.owner_person_id),
    mitigation: String(r.mitigation),
    status: String(r.status) as RiskStatus,
    reviewOn: String(r.review_on),
    createdBy: String(r.created_by),
    createdAt: String(r.created_at),
    updatedAt: String(r.updated_at),
  };
}

function issueFromRow(r: Record<string, unknown>): Issue {
  return {
    id: String(r.id),
    networkId: String(r.network_id),
    title: String(r.title),
    description: String(r.description),
    raisedOn: String(r.raised_on),
    ownerPersonId: String(r.owner_person_id),
    action: String(r.action),
    dueOn: String(r.due_on),
    riskId: (r.risk_id as string | null) ?? null,
    status: String(r.status) as IssueStatus,
    disputeId: (r.dispute_id as string | null) ?? null,
    createdBy: String(r.created_by),
    createdAt: String(r.created_at),
    updatedAt: String(r.updated_at),
  };
}

/** The fields of a risk and of an issue that a change may write (the rest are set once, at insert). */
const RISK_FIELDS = ['title', 'cause', 'impact', 'likelihood', 'impactScore', 'score', 'ownerPersonId', 'mitigation', 'status', 'reviewOn'] as const;
const ISSUE_FIELDS = ['title', 'description', 'ownerPersonId', 'action', 'dueOn', 'riskId', 'status', 'disputeId'] as const;

/** A network's risk register and issue log, and what happened to each entry. */
export function createRisksRepo() {
  return {
    async insertRisk(db: Executor, r: Omit<Risk, 'createdAt' | 'updatedAt'>): Promise<Risk> {
      const at = nowIso();
      await db('risks').insert({ ...rowOf(r, ['id', 'networkId', 'createdBy', ...RISK_FIELDS]), created_at: at, updated_at: at });
      return { ...r, createdAt: at, updatedAt: at };
    },
    async updateRisk(
      db: Executor,
      id: string,
      patch: Partial<
        Pick<Risk, 'title' | 'cause' | 'impact' | 'likelihood' | 'impactScore' | 'score' | 'ownerPersonId' | 'mitigation' | 'status' | 'reviewOn'>
      >,
    ): Promise<void> {
      await db('risks')
        .where({ id })
        .update({ ...rowOf(patch, RISK_FIELDS), updated_at: nowIso() });
    },
    async getRisk(db: Executor, id: string): Promise<Risk | null> {
      const r = await db('risks').where({ id }).first();
      return r ? riskFromRow(r) : null;
    },
    async risksOf(db: Executor, networkId: string): Promise<Risk[]> {
      return (
        await db('risks')
          .where({ network_id: networkId })
          .orderBy([{ column: 'score', order: 'desc' }, { column: 'created_at' }])
      ).map(riskFromRow);
    },

    async insertIssue(db: Executor, i: Omit<Issue, 'createdAt' | 'updatedAt'>): Promise<Issue> {
      const at = nowIso();
      await db('issues').insert({ ...rowOf(i, ['id', 'networkId', 'raisedOn', 'createdBy', ...ISSUE_FIELDS]), created_at: at, updated_at: at });
      return { ...i, createdAt: at, updatedAt: at };
    },
    async updateIssue(
      db: Executor,
      id: string,
      patch: Partial<Pick<Issue, 'title' | 'description' | 'ownerPersonId' | 'action' | 'dueOn' | 'riskId' | 'status' | 'disputeId'>>,
    ): Promise<void> {
      await db('issues')
        .where({ id })
        .update({ ...rowOf(patch, ISSUE_FIELDS), updated_at: nowIso() });
    },
    async getIssue(db: Executor, id: string): Promise<Issue | null> {
      const r = await db('issues').where({ id }).first();
      return r ? issueFromRow(r) : null;
    },
    async issuesOf(db: Executor, networkId: string): Promise<Issue[]> {
      return (
        await db('issues')
          .where({ network_id: networkId })
          .orderBy([{ column: 'due_on' }, { column: 'created_at' }])
      ).map(issueFromRow);
    },

    async insertLogEvent(db: Executor, e: Omit<LogEvent, 'at'> & { at?: string }): Promise<void> {
      await db('risk_log_events').insert({
        id: e.id,
        network_id: e.networkId,
        subject_kind: e.subjectKind,
        subject_id: e.subjectId,
        at: e.at ?? nowIso(),
        actor: e.actor,
        type: e.type,
        text: e.text,
      });
    },
    async logOf(db: Executor, subjectId: string): Promise<LogEvent[]> {
      const rows = await db('risk_log_events').where({ subject_id: subjectId }).orderBy('at');
      return rows.map((r) => ({
        id: r.id,
        networkId: r.network_id,
        subjectKind: r.subject_kind,
        subjectId: r.subject_id,
        at: r.at,
        actor: r.actor,
        type: r.type,
        text: r.text,
      }));
    },
  };
}

export type RisksRepo = ReturnType<typeof createRisksRepo>;
