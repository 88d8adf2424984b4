import crypto from 'node:crypto';
import { z } from 'zod';
import { defaultVotingRules, votingRuleSchema, type DecisionType, type VotingRule } from '../../domain/voting/rule';
import type { Ballot, Choice, Voter } from '../../domain/voting/tally';
import { type Executor, nowIso } from './executor';

/**
 * Motions, proxies, turnout and ballots; elections, candidates and appointments; per-network
 * voting rule overrides.
 *
 * Secrecy: for a secret ballot, `motion_turnout` (who voted) and `motion_ballots` (what was voted)
 * share nothing but the motion id. Ballot ids are random, neither table has a timestamp, and at
 * close the ballot rows are rewritten in id order (`reshuffleBallots`), so storage order does not
 * follow arrival order afterwards either.
 */

export interface MotionVoter {
  voterId: string;
  practiceId: string;
  practiceName: string;
  listSize: number;
  partnerCount: number;
  offices: string[];
}

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

export interface ElectionConstituency {
  name: string;
  seats: number;
  practiceIds: string[];
}

export interface Election {
  id: string;
  workflowId: string;
  networkId: string;
  title: string;
  method: 'stv' | 'fptp';
  constituencies: ElectionConstituency[];
  termMonths: number;
  phase: 'nominations' | 'ballot' | 'counted';
  nominationsCloseAt: string;
  ballotCloseAt: string;
  result: unknown;
  createdBy: string;
  createdAt: string;
  countedAt: string | null;
}

export interface Candidate {
  id: string;
  electionId: string;
  personId: string;
  constituency: string;
  statement: string;
  conflictOfInterest: string | null;
  nominatedAt: string;
}

const voterSchema = z.object({
  voterId: z.string(),
  practiceId: z.string(),
  practiceName: z.string(),
  listSize: z.number(),
  partnerCount: z.number(),
  offices: z.array(z.string()),
});
const constituencySchema = z.object({ name: z.string(), seats: z.number(), practiceIds: z.array(z.string()) });

/** A fresh 256-bit key for sealing the ballots of one motion or election. */
export function newBallotKey(): string {
  return crypto.randomBytes(32).toString('base64');
}

/** AES-256-GCM over a JSON payload; the output is `iv.tag.ciphertext`, base64url. */
export function sealBallot(key: string, payload: unknown): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', Buffer.from(key, 'base64'), iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
  return [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url')).join('.');
}

export function openSealedBallot(key: string, sealed: string): unknown {
  const [iv, tag, body] = sealed.split('.').map((p) => Buffer.from(p, 'base64url'));
  const decipher = crypto.createDecipheriv('aes-256-gcm', Buffer.from(key, 'base64'), iv);
  decipher.setAuthTag(tag);
  return JSON.parse(Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8'));
}

export function hashReceipt(code: string): string {
  return crypto.createHash('sha256').update(code.trim().toUpperCase()).digest('hex');
}

/** A receipt code a person can read out: 16 characters from an unambiguous alphabet, in groups. */
export function newReceiptCode(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = crypto.randomBytes(16);
  const chars = [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
  return chars.match(/.{4}/g)!.join('-');
}

export function toVoters(electorate: MotionVoter[]): Voter[] {
  return electorate.map(({ voterId, practiceId, listSize, partnerCount, offices }) => ({ voterId, practiceId, listSize, partnerCount, offices }));
}

/**
 * The weights a ballot row carries, masked to what the rule's basis needs: under one practice one
 * vote a secret ballot row carries no weight at all, so it cannot point at a practice. (Under a
 * weighted basis a practice with a unique weight could be recognised: a documented residual risk.)
 */
export function ballotWeights(rule: VotingRule, v: { partnerCount: number; listSize: number }) {
  return {
    weightPartners: rule.basis === 'per-partner' ? v.partnerCount : 0,
    weightList: rule.basis === 'list-size' || rule.basis === 'dual' ? v.listSize : 0,
  };
}

/** Rebuilds the ballots for tallyVotes from turnout and ballot rows. */
export function ballotsForTally(
  rule: VotingRule,
  electorate: MotionVoter[],
  turnout: { voterId: string; castBy: string; byProxy: boolean }[],
  rows: { choice: Choice; weightPartners: number; weightList: number; voterId: string | null }[],
): Ballot[] {
  const toBallot = (t: { voterId: string; castBy: string; byProxy: boolean }, choice: Choice): Ballot => (t.byProxy ? { voterId: t.castBy, proxyFor: t.voterId, choice } : { voterId: t.voterId, choice });
  if (rule.ballot === 'open') {
    const choiceOf = new Map(rows.map((r) => [r.voterId, r.choice]));
    return turnout.flatMap((t) => {
      const choice = choiceOf.get(t.voterId);
      return choice ? [toBallot(t, choice)] : [];
    });
  }
  // Secret: pair each practice that turned out with a ballot of the same (masked) weight. The
  // tally depends only on each principal's weight and choice, so any such pairing gives the true
  // result; the pairing itself is arbitrary and is never stored or shown.
  const pool = new Map<string, Choice[]>();
  for (const r of rows) {
    const key = `${r.weightPartners}:${r.weightList}`;
    pool.set(key, [...(pool.get(key) ?? []), r.choice]);
  }
  return turnout.flatMap((t) => {
    const voter = electorate.find((v) => v.voterId === t.voterId);
    if (!voter) return [];
    const w = ballotWeights(rule, voter);
    const choice = pool.get(`${w.weightPartners}:${w.weightList}`)?.pop();
    return choice ? [toBallot(t, choice)] : [];
  });
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
    electorate: z.array(voterSchema).parse(JSON.parse(str(r.electorate))),
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

function electionFromRow(r: Row): Election {
  return {
    id: str(r.id),
    workflowId: str(r.workflow_id),
    networkId: str(r.network_id),
    title: str(r.title),
    method: str(r.method) as Election['method'],
    constituencies: z.array(constituencySchema).parse(JSON.parse(str(r.constituencies))),
    termMonths: Number(r.term_months),
    phase: str(r.phase) as Election['phase'],
    nominationsCloseAt: str(r.nominations_close_at),
    ballotCloseAt: str(r.ballot_close_at),
    result: r.result ? JSON.parse(str(r.result)) : null,
    createdBy: str(r.created_by),
    createdAt: str(r.created_at),
    countedAt: opt(r.counted_at),
  };
}

function candidateFromRow(r: Row): Candidate {
  return {
    id: str(r.id),
    electionId: str(r.election_id),
    personId: str(r.person_id),
    constituency: str(r.constituency),
    statement: str(r.statement),
    conflictOfInterest: opt(r.conflict_of_interest),
    nominatedAt: str(r.nominated_at),
  };
}

export function createVotesRepo() {
  return {
    // ---- voting rules
    async ruleOverrides(db: Executor, networkId: string): Promise<VotingRule[]> {
      const rows = await db('voting_rule_overrides').where({ network_id: networkId }).orderBy('decision_type');
      return rows.map((r) => votingRuleSchema.parse(JSON.parse(r.rule)));
    },
    /** The network's own rule for a decision type, else the programme default (DOMAIN.md §4). */
    async ruleInForce(db: Executor, networkId: string, decisionType: DecisionType): Promise<VotingRule> {
      const r = await db('voting_rule_overrides').where({ network_id: networkId, decision_type: decisionType }).first();
      return r ? votingRuleSchema.parse(JSON.parse(r.rule)) : defaultVotingRules()[decisionType];
    },
    async setRuleOverride(db: Executor, networkId: string, rule: VotingRule, setBy: string): Promise<void> {
      const row = { network_id: networkId, decision_type: rule.decisionType, rule: JSON.stringify(rule), version: rule.version, set_by: setBy, updated_at: nowIso() };
      await db('voting_rule_overrides').insert(row).onConflict(['network_id', 'decision_type']).merge();
    },

    // ---- motions
    async insertMotion(db: Executor, m: Omit<Motion, 'status' | 'closedAt' | 'result' | 'resultDocumentId' | 'hasBallotKey'> & { ballotKey: string | null }): Promise<void> {
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
    /** Keeps the ballot links of a motion or election alive until (at least) a new closing time. */
    async extendTokens(db: Executor, subjectId: string, expiresAt: string): Promise<void> {
      await db('action_tokens').where({ subject_id: subjectId }).where('expires_at', '<', expiresAt).update({ expires_at: expiresAt });
    },
    async closeMotion(db: Executor, id: string, patch: { result: unknown; closedAt: string }): Promise<void> {
      // the key goes with the close: sealed choices in workflow history can no longer be opened
      await db('motions').where({ id }).update({ status: 'closed', closed_at: patch.closedAt, result: JSON.stringify(patch.result), ballot_key: null });
    },
    async setResultDocument(db: Executor, id: string, documentId: string): Promise<void> {
      await db('motions').where({ id }).update({ result_document_id: documentId });
    },

    async insertProxy(db: Executor, p: { motionId: string; principalId: string; proxyId: string; appointedBy: string }): Promise<boolean> {
      const existing = await db('motion_proxies').where({ motion_id: p.motionId, principal_id: p.principalId }).first();
      if (existing) return false;
      await db('motion_proxies').insert({ motion_id: p.motionId, principal_id: p.principalId, proxy_id: p.proxyId, appointed_by: p.appointedBy, appointed_at: nowIso() });
      return true;
    },
    async proxies(db: Executor, motionId: string): Promise<{ principalId: string; proxyId: string; appointedBy: string; appointedAt: string }[]> {
      const rows = await db('motion_proxies').where({ motion_id: motionId }).orderBy('principal_id');
      return rows.map((r) => ({ principalId: r.principal_id, proxyId: r.proxy_id, appointedBy: r.appointed_by, appointedAt: r.appointed_at }));
    },

    /**
     * Writes turnout and ballot together; false if this principal has already voted (a retry).
     * For a secret ballot `openVoterId` is null and nothing in the ballot row names the voter.
     */
    async recordBallot(
      trx: Executor,
      b: { motionId: string; principalId: string; castBy: string; byProxy: boolean; choice: Choice; weightPartners: number; weightList: number; receiptHash: string; openVoterId: string | null },
    ): Promise<boolean> {
      const existing = await trx('motion_turnout').where({ motion_id: b.motionId, voter_id: b.principalId }).first();
      if (existing) return false;
      await trx('motion_turnout').insert({ motion_id: b.motionId, voter_id: b.principalId, cast_by: b.castBy, by_proxy: b.byProxy });
      await trx('motion_ballots').insert({
        id: crypto.randomUUID(),
        motion_id: b.motionId,
        choice: b.choice,
        weight_partners: b.weightPartners,
        weight_list: b.weightList,
        receipt_hash: b.receiptHash,
        voter_id: b.openVoterId,
      });
      return true;
    },
    async turnout(db: Executor, motionId: string): Promise<{ voterId: string; castBy: string; byProxy: boolean }[]> {
      const rows = await db('motion_turnout').where({ motion_id: motionId }).orderBy('voter_id');
      return rows.map((r) => ({ voterId: r.voter_id, castBy: r.cast_by, byProxy: Boolean(r.by_proxy) }));
    },
    async ballots(db: Executor, motionId: string): Promise<{ id: string; choice: Choice; weightPartners: number; weightList: number; voterId: string | null }[]> {
      const rows = await db('motion_ballots').where({ motion_id: motionId }).orderBy('id');
      return rows.map((r) => ({ id: r.id, choice: r.choice, weightPartners: Number(r.weight_partners), weightList: Number(r.weight_list), voterId: r.voter_id ?? null }));
    },
    async ballotByReceipt(db: Executor, motionId: string, receiptHash: string): Promise<boolean> {
      return Boolean(await db('motion_ballots').where({ motion_id: motionId, receipt_hash: receiptHash }).first('id'));
    },
    /** Rewrites a motion's ballot rows in random-id order so storage order no longer follows arrival. */
    async reshuffleBallots(trx: Executor, motionId: string): Promise<void> {
      const rows = await trx('motion_ballots').where({ motion_id: motionId }).orderBy('id');
      if (rows.length === 0) return;
      await trx('motion_ballots').where({ motion_id: motionId }).delete();
      for (let i = 0; i < rows.length; i += 200) await trx('motion_ballots').insert(rows.slice(i, i + 200));
    },

    // ---- elections
    async insertElection(db: Executor, e: Omit<Election, 'phase' | 'result' | 'createdAt' | 'countedAt'> & { ballotKey: string }): Promise<void> {
      await db('elections').insert({
        id: e.id,
        workflow_id: e.workflowId,
        network_id: e.networkId,
        title: e.title,
        method: e.method,
        constituencies: JSON.stringify(e.constituencies),
        term_months: e.termMonths,
        phase: 'nominations',
        nominations_close_at: e.nominationsCloseAt,
        ballot_close_at: e.ballotCloseAt,
        ballot_key: e.ballotKey,
        created_by: e.createdBy,
        created_at: nowIso(),
      });
    },
    async getElection(db: Executor, id: string): Promise<Election | null> {
      const r = await db('elections').where({ id }).first();
      return r ? electionFromRow(r) : null;
    },
    async electionBallotKey(db: Executor, id: string): Promise<string | null> {
      const r = await db('elections').where({ id }).first('ballot_key');
      return r?.ballot_key ?? null;
    },
    async setElectionPhase(db: Executor, id: string, phase: Election['phase']): Promise<void> {
      await db('elections').where({ id }).update({ phase });
    },
    async setElectionResult(db: Executor, id: string, result: unknown): Promise<void> {
      await db('elections').where({ id }).update({ phase: 'counted', result: JSON.stringify(result), counted_at: nowIso(), ballot_key: null });
    },
    async insertCandidate(db: Executor, c: Omit<Candidate, 'nominatedAt'>): Promise<boolean> {
      if (await db('election_candidates').where({ id: c.id }).first()) return false;
      await db('election_candidates').insert({
        id: c.id,
        election_id: c.electionId,
        person_id: c.personId,
        constituency: c.constituency,
        statement: c.statement,
        conflict_of_interest: c.conflictOfInterest,
        nominated_at: nowIso(),
      });
      return true;
    },
    async candidates(db: Executor, electionId: string): Promise<(Candidate & { name: string; practiceId: string; practiceName: string })[]> {
      const rows = await db('election_candidates')
        .join('people', 'people.id', 'election_candidates.person_id')
        .join('practices', 'practices.id', 'people.practice_id')
        .where('election_candidates.election_id', electionId)
        .orderBy('people.name')
        .select('election_candidates.*', 'people.name as person_name', 'practices.id as practice_id', 'practices.name as practice_name');
      return rows.map((r) => ({ ...candidateFromRow(r), name: r.person_name, practiceId: r.practice_id, practiceName: r.practice_name }));
    },
    async recordElectionBallot(trx: Executor, b: { electionId: string; voterId: string; constituency: string; preferences: string[]; receiptHash: string }): Promise<boolean> {
      if (await trx('election_turnout').where({ election_id: b.electionId, voter_id: b.voterId }).first()) return false;
      await trx('election_turnout').insert({ election_id: b.electionId, voter_id: b.voterId });
      await trx('election_ballots').insert({ id: crypto.randomUUID(), election_id: b.electionId, constituency: b.constituency, preferences: JSON.stringify(b.preferences), receipt_hash: b.receiptHash });
      return true;
    },
    async electionTurnout(db: Executor, electionId: string): Promise<string[]> {
      return (await db('election_turnout').where({ election_id: electionId }).orderBy('voter_id')).map((r) => String(r.voter_id));
    },
    async electionBallots(db: Executor, electionId: string): Promise<{ constituency: string; preferences: string[] }[]> {
      const rows = await db('election_ballots').where({ election_id: electionId }).orderBy('id');
      return rows.map((r) => ({ constituency: r.constituency, preferences: z.array(z.string()).parse(JSON.parse(r.preferences)) }));
    },
    async electionBallotByReceipt(db: Executor, electionId: string, receiptHash: string): Promise<boolean> {
      return Boolean(await db('election_ballots').where({ election_id: electionId, receipt_hash: receiptHash }).first('id'));
    },
    async insertAppointment(db: Executor, a: { id: string; networkId: string; personId: string; office: string; constituency: string | null; method: 'elected' | 'appointed'; electionId: string | null; startsOn: string; endsOn: string }): Promise<void> {
      await db('appointments').insert({
        id: a.id,
        network_id: a.networkId,
        person_id: a.personId,
        office: a.office,
        constituency: a.constituency,
        method: a.method,
        election_id: a.electionId,
        starts_on: a.startsOn,
        ends_on: a.endsOn,
      });
    },
    async appointmentsForElection(db: Executor, electionId: string): Promise<{ personId: string; office: string; constituency: string | null; startsOn: string; endsOn: string }[]> {
      const rows = await db('appointments').where({ election_id: electionId }).orderBy(['constituency', 'person_id']);
      return rows.map((r) => ({ personId: r.person_id, office: r.office, constituency: r.constituency ?? null, startsOn: r.starts_on, endsOn: r.ends_on }));
    },
  };
}

export type VotesRepo = ReturnType<typeof createVotesRepo>;
