import crypto from 'node:crypto';
import { z } from 'zod';
import type { Choice } from '../../domain/voting/ballot';
import { type BallotRow, type MotionVoter, type TurnoutRow } from '../../domain/voting/electorate';
import { motionVoterSchema } from '../../domain/voting/voting.schema';
import { type DecisionType, type VotingRule, votingRuleSchema } from '../../domain/voting/rule';
import type { Knex } from 'knex';
import { rewriteInIdOrder, vacuumTable } from './ballot-storage';
import { type Executor, insertOnce, nowIso } from './executor';

/**
 * Motions, their proxies, turnout and ballots.
 *
 * Secrecy: for a secret ballot, `motion_turnout` (who voted) and `motion_ballots` (what was voted)
 * share nothing but the motion id. Ballot ids are random, neither table has a timestamp, the two
 * rows of one vote are written in separate transactions (so on Postgres they never share a
 * transaction id), and at close the ballot rows are rewritten in id order (`reshuffleBallots`), so
 * neither storage order nor transaction ids follow arrival order afterwards (ballot-storage.ts).
 */

export interface Motion {
  id: string;
  workflowId: string;
  networkId: string;
  title: string;
  text: string;
  decisionType: DecisionType;
  documentId: string | null;
  subjectPracticeId: string | null;
  rule: VotingRule;
  electorate: MotionVoter[];
  status: 'open' | 'closed';
  openedAt: string;
  closesAt: string;
  closedAt: string | null;
  result: unknown;
  resultDocumentId: string | null;
  hasBallotKey: boolean;
  createdBy: string;
}

export interface Proxy {
  principalId: string;
  proxyId: string;
  appointedBy: string;
  appointedAt: string;
}

type Row = Record<string, unknown>;
const str = (v: unknown): string => String(v);
const opt = (v: unknown): string | null => (v == null ? null : String(v));

function motionFromRow(r: Row): Motion {
  return {
    id: str(r.id),
    workflowId: str(r.workflow_id),
    networkId: str(r.network_id),
    title: str(r.title),
    text: str(r.text),
    decisionType: str(r.decision_type) as DecisionType,
    documentId: opt(r.document_id),
    subjectPracticeId: opt(r.subject_practice_id),
    rule: votingRuleSchema.parse(JSON.parse(str(r.rule))),
    electorate: z.array(motionVoterSchema).parse(JSON.parse(str(r.electorate))),
    status: str(r.status) as Motion['status'],
    openedAt: str(r.opened_at),
    closesAt: str(r.closes_at),
    closedAt: opt(r.closed_at),
    result: r.result ? JSON.parse(str(r.result)) : null,
    resultDocumentId: opt(r.result_document_id),
    hasBallotKey: Boolean(r.ballot_key),
    createdBy: str(r.created_by),
  };
}

export function createMotionsRepo() {
  return {
    async insertMotion(
      db: Executor,
      m: Omit<Motion, 'status' | 'closedAt' | 'result' | 'resultDocumentId' | 'hasBallotKey'> & { ballotKey: string | null },
    ): Promise<void> {
      await db('motions').insert({
        id: m.id,
        workflow_id: m.workflowId,
        network_id: m.networkId,
        title: m.title,
        text: m.text,
        decision_type: m.decisionType,
        document_id: m.documentId,
        subject_practice_id: m.subjectPracticeId,
        rule: JSON.stringify(m.rule),
        rule_version: m.rule.version,
        electorate: JSON.stringify(m.electorate),
        status: 'open',
        opened_at: m.openedAt,
        closes_at: m.closesAt,
        ballot_key: m.ballotKey,
        created_by: m.createdBy,
      });
    },
    async getMotion(db: Executor, id: string): Promise<Motion | null> {
      const r = await db('motions').where({ id }).first();
      return r ? motionFromRow(r) : null;
    },
    async motionBallotKey(db: Executor, id: string): Promise<string | null> {
      const r = await db('motions').where({ id }).first('ballot_key');
      return r?.ballot_key ?? null;
    },
    async listMotions(db: Executor, networkId: string): Promise<Motion[]> {
      return (await db('motions').where({ network_id: networkId }).orderBy('opened_at')).map(motionFromRow);
    },
    async setClosesAt(db: Executor, id: string, closesAt: string): Promise<void> {
      await db('motions').where({ id }).update({ closes_at: closesAt });
    },
    /** Keeps the ballot links of a motion alive until (at least) a new closing time. */
    async extendLinks(db: Executor, motionId: string, expiresAt: string): Promise<void> {
      await db('action_tokens').where({ subject_id: motionId }).where('expires_at', '<', expiresAt).update({ expires_at: expiresAt });
    },
    async closeMotion(db: Executor, id: string, patch: { result: unknown; closedAt: string }): Promise<void> {
      // the key goes with the close: sealed choices in workflow history can no longer be opened
      await db('motions')
        .where({ id })
        .update({ status: 'closed', closed_at: patch.closedAt, result: JSON.stringify(patch.result), ballot_key: null });
    },
    async setResultDocument(db: Executor, id: string, documentId: string): Promise<void> {
      await db('motions').where({ id }).update({ result_document_id: documentId });
    },

    async insertProxy(db: Executor, p: { motionId: string; principalId: string; proxyId: string; appointedBy: string }): Promise<boolean> {
      return insertOnce(
        db,
        'motion_proxies',
        { motion_id: p.motionId, principal_id: p.principalId },
        { proxy_id: p.proxyId, appointed_by: p.appointedBy, appointed_at: nowIso() },
      );
    },
    async proxies(db: Executor, motionId: string): Promise<Proxy[]> {
      const rows = await db('motion_proxies').where({ motion_id: motionId }).orderBy('principal_id');
      return rows.map((r) => ({ principalId: r.principal_id, proxyId: r.proxy_id, appointedBy: r.appointed_by, appointedAt: r.appointed_at }));
    },

    /** Records that a principal has voted (who, never what); false if it already has (a retried write). */
    async insertTurnout(db: Executor, t: { motionId: string } & TurnoutRow): Promise<boolean> {
      return insertOnce(db, 'motion_turnout', { motion_id: t.motionId, voter_id: t.voterId }, { cast_by: t.castBy, by_proxy: t.byProxy });
    },
    /**
     * Stores a ballot under its receipt hash; false if that receipt is already stored (a retried
     * write). For a secret ballot `voterId` is null and nothing in the row names the voter.
     */
    async insertBallot(db: Executor, b: { motionId: string; receiptHash: string } & BallotRow): Promise<boolean> {
      if (await db('motion_ballots').where({ receipt_hash: b.receiptHash }).first('id')) return false;
      await db('motion_ballots').insert({
        id: crypto.randomUUID(),
        motion_id: b.motionId,
        choice: b.choice,
        weight_partners: b.weightPartners,
        weight_list: b.weightList,
        receipt_hash: b.receiptHash,
        voter_id: b.voterId,
      });
      return true;
    },
    async turnout(db: Executor, motionId: string): Promise<TurnoutRow[]> {
      const rows = await db('motion_turnout').where({ motion_id: motionId }).orderBy('voter_id');
      return rows.map((r) => ({ voterId: r.voter_id, castBy: r.cast_by, byProxy: Boolean(r.by_proxy) }));
    },
    async ballots(db: Executor, motionId: string): Promise<(BallotRow & { id: string })[]> {
      const rows = await db('motion_ballots').where({ motion_id: motionId }).orderBy('id');
      return rows.map((r) => ({
        id: r.id,
        choice: r.choice as Choice,
        weightPartners: Number(r.weight_partners),
        weightList: Number(r.weight_list),
        voterId: r.voter_id ?? null,
      }));
    },
    async ballotByReceipt(db: Executor, motionId: string, receiptHash: string): Promise<boolean> {
      return Boolean(await db('motion_ballots').where({ motion_id: motionId, receipt_hash: receiptHash }).first('id'));
    },
    /** Rewrites a motion's ballot rows in random-id order so neither storage order nor transaction ids follow arrival. */
    async reshuffleBallots(trx: Executor, motionId: string): Promise<void> {
      await rewriteInIdOrder(trx, 'motion_ballots', { motion_id: motionId });
    },
    /** Removes what a reshuffle leaves behind (dead row versions on Postgres); outside any transaction. */
    async purgeBallotHistory(db: Knex): Promise<void> {
      await vacuumTable(db, 'motion_ballots');
    },
  };
}

export type MotionsRepo = ReturnType<typeof createMotionsRepo>;
