import crypto from 'node:crypto';
import { z } from 'zod';
import { type Constituency, type ElectionMethod } from '../../domain/voting/election';
import { constituencySchema } from '../../domain/voting/voting.schema';
import type { Knex } from 'knex';
import { rewriteInIdOrder, vacuumTable } from './ballot-storage';
import { rowOf, textOf } from './columns';
import { type Executor, insertOnce, nowIso } from './executor';

/**
 * Elections, candidates, turnout, ballots and the appointments a count produces. As for motions,
 * `election_turnout` (which practice voted) and `election_ballots` (its preferences) share only the
 * election id and are written in separate transactions, and the ballots are rewritten at the count
 * (ballot-storage.ts), so a ballot cannot be traced to its voter.
 */

export interface Election {
  id: string;
  workflowId: string;
  networkId: string;
  title: string;
  method: ElectionMethod;
  constituencies: Constituency[];
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

export type StandingCandidate = Candidate & { name: string; practiceId: string; practiceName: string };

type Row = Record<string, unknown>;
const str = (v: unknown): string => String(v);
const opt = (v: unknown): string | null => (v == null ? null : String(v));

function electionFromRow(r: Row): Election {
  return {
    ...textOf(r, ['id', 'workflowId', 'networkId', 'title', 'nominationsCloseAt', 'ballotCloseAt', 'createdBy', 'createdAt']),
    method: str(r.method) as ElectionMethod,
    constituencies: z.array(constituencySchema).parse(JSON.parse(str(r.constituencies))),
    termMonths: Number(r.term_months),
    phase: str(r.phase) as Election['phase'],
    result: r.result ? JSON.parse(str(r.result)) : null,
    countedAt: opt(r.counted_at),
  };
}

function candidateFromRow(r: Row): Candidate {
  return {
    ...textOf(r, ['id', 'electionId', 'personId', 'constituency', 'statement', 'nominatedAt']),
    conflictOfInterest: opt(r.conflict_of_interest),
  };
}

export function createElectionsRepo() {
  return {
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
    /** A network's elections, newest first. */
    async listElections(db: Executor, networkId: string): Promise<Election[]> {
      const rows = await db('elections').where({ network_id: networkId }).orderBy('created_at', 'desc');
      return rows.map(electionFromRow);
    },
    async electionBallotKey(db: Executor, id: string): Promise<string | null> {
      const r = await db('elections').where({ id }).first('ballot_key');
      return r?.ballot_key ?? null;
    },
    async setElectionPhase(db: Executor, id: string, phase: Election['phase']): Promise<void> {
      await db('elections').where({ id }).update({ phase });
    },
    async setElectionResult(db: Executor, id: string, result: unknown): Promise<void> {
      await db('elections')
        .where({ id })
        .update({ phase: 'counted', result: JSON.stringify(result), counted_at: nowIso(), ballot_key: null });
    },
    async insertCandidate(db: Executor, c: Omit<Candidate, 'nominatedAt'>): Promise<boolean> {
      return insertOnce(
        db,
        'election_candidates',
        { id: c.id },
        { ...rowOf(c, ['electionId', 'personId', 'constituency', 'statement', 'conflictOfInterest']), nominated_at: nowIso() },
      );
    },
    /** Removes a nomination; false when there was none (already withdrawn). */
    async deleteCandidate(db: Executor, electionId: string, candidateId: string): Promise<boolean> {
      return (await db('election_candidates').where({ id: candidateId, election_id: electionId }).delete()) > 0;
    },
    async candidates(db: Executor, electionId: string): Promise<StandingCandidate[]> {
      const rows = await db('election_candidates')
        .join('people', 'people.id', 'election_candidates.person_id')
        .join('practices', 'practices.id', 'people.practice_id')
        .where('election_candidates.election_id', electionId)
        .orderBy('people.name')
        .select('election_candidates.*', 'people.name as person_name', 'practices.id as practice_id', 'practices.name as practice_name');
      return rows.map((r) => ({ ...candidateFromRow(r), name: r.person_name, practiceId: r.practice_id, practiceName: r.practice_name }));
    },

    /** Records that a practice has voted; false if it already has (a retried write). */
    async insertTurnout(db: Executor, t: { electionId: string; voterId: string }): Promise<boolean> {
      return insertOnce(db, 'election_turnout', { election_id: t.electionId, voter_id: t.voterId });
    },
    /** Stores a ballot paper under its receipt hash; false if that receipt is already stored (a retried write). */
    async insertBallot(db: Executor, b: { electionId: string; constituency: string; preferences: string[]; receiptHash: string }): Promise<boolean> {
      if (await db('election_ballots').where({ receipt_hash: b.receiptHash }).first('id')) return false;
      await db('election_ballots').insert({
        id: crypto.randomUUID(),
        election_id: b.electionId,
        constituency: b.constituency,
        preferences: JSON.stringify(b.preferences),
        receipt_hash: b.receiptHash,
      });
      return true;
    },
    async turnout(db: Executor, electionId: string): Promise<string[]> {
      return (await db('election_turnout').where({ election_id: electionId }).orderBy('voter_id')).map((r) => String(r.voter_id));
    },
    async ballots(db: Executor, electionId: string): Promise<{ constituency: string; preferences: string[] }[]> {
      const rows = await db('election_ballots').where({ election_id: electionId }).orderBy('id');
      return rows.map((r) => ({ constituency: r.constituency, preferences: z.array(z.string()).parse(JSON.parse(r.preferences)) }));
    },
    async ballotByReceipt(db: Executor, electionId: string, receiptHash: string): Promise<boolean> {
      return Boolean(await db('election_ballots').where({ election_id: electionId, receipt_hash: receiptHash }).first('id'));
    },
    /** Rewrites an election's ballot rows in random-id order so neither storage order nor transaction ids follow arrival. */
    async reshuffleBallots(trx: Executor, electionId: string): Promise<void> {
      await rewriteInIdOrder(trx, 'election_ballots', { election_id: electionId });
    },
    /** Removes what a reshuffle leaves behind (dead row versions on Postgres); outside any transaction. */
    async purgeBallotHistory(db: Knex): Promise<void> {
      await vacuumTable(db, 'election_ballots');
    },

    async insertAppointment(
      db: Executor,
      a: {
        id: string;
        networkId: string;
        personId: string;
        office: string;
        constituency: string | null;
        method: 'elected' | 'appointed';
        electionId: string | null;
        startsOn: string;
        endsOn: string;
      },
    ): Promise<void> {
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
    async appointmentsForElection(
      db: Executor,
      electionId: string,
    ): Promise<{ personId: string; office: string; constituency: string | null; startsOn: string; endsOn: string }[]> {
      const rows = await db('appointments').where({ election_id: electionId }).orderBy(['constituency', 'person_id']);
      return rows.map((r) => ({ personId: r.person_id, office: r.office, constituency: r.constituency ?? null, startsOn: r.starts_on, endsOn: r.ends_on }));
    },
  };
}

export type ElectionsRepo = ReturnType<typeof createElectionsRepo>;
