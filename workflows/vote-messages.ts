/**
 * Update and query definitions of the vote and election workflows, shared with server/. Imports
 * nothing Node-only, so the workflow bundle stays deterministic.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { DecisionType, VotingRule } from '../domain/voting/rule';
import type { Choice, Voter } from '../domain/voting/ballot';
import type { Constituency, ElectionMethod, ElectionPhase } from '../domain/voting/election';

export function voteWorkflowId(motionId: string): string {
  return `vote-${motionId}`;
}

export function electionWorkflowId(electionId: string): string {
  return `election-${electionId}`;
}

export interface VoteInput {
  motionId: string;
  networkId: string;
  title: string;
  text: string;
  decisionType: DecisionType;
  closesAt: string;
  documentId?: string | null;
  /** the practice a motion concerns (admission, expulsion) */
  subjectPracticeId?: string | null;
  actor: string;
  /** the rule snapshotted by the caller; when absent the workflow resolves the network's rule in force */
  rule?: VotingRule;
}

export interface VoteOutcome {
  motionId: string;
  result: 'carried' | 'lost' | 'inquorate';
  ruleVersion: string;
  explanationLines: string[];
  certificateDocumentId: string | null;
}

/**
 * A ballot as the workflow sees it. For an open ballot `choice` and `receiptHash` travel in clear;
 * for a secret ballot they travel only inside `sealed` (AES-GCM under the motion's key, which is
 * held in the database and erased at close), so workflow history never holds a secret choice.
 */
export interface CastVoteInput {
  /** the practice casting the ballot (its representative's practice) */
  voterId: string;
  /** the person who used the link */
  castBy: string;
  /** the practice whose vote this is, when cast as its proxy */
  proxyFor?: string;
  choice?: Choice;
  receiptHash?: string;
  sealed?: string;
}

export interface MotionState {
  motionId: string;
  phase: 'opening' | 'open' | 'closing' | 'closed';
  closesAt: string;
  electorate: Voter[];
  /** principals (practice ids) whose vote is recorded or being recorded */
  voted: string[];
  proxies: Record<string, string>;
  reminderSent: boolean;
  outcome: VoteOutcome | null;
}

/** What a motion looks like once it has opened: recorded, accepting ballots, its links sent. */
export interface MotionOpened {
  openedAt: string;
  closesAt: string;
}

export const castVoteUpdate = defineUpdate<{ accepted: true }, [CastVoteInput]>('castVote');
export const appointProxyUpdate = defineUpdate<{ principalId: string; proxyId: string }, [{ principalId: string; proxyId: string; actor: string }]>(
  'appointProxy',
);
export const extendMotionUpdate = defineUpdate<{ closesAt: string }, [{ closesAt: string; actor: string }]>('extendMotion');
export const closeMotionUpdate = defineUpdate<{ closing: true }, [{ actor: string; chairCasting?: 'for' | 'against' }]>('closeMotion');
export const motionStateQuery = defineQuery<MotionState>('motionState');
/**
 * Answers once the motion has opened (or at once if it already has): the caller that started the
 * vote waits on this instead of polling, and can then rely on the motion being readable.
 */
export const awaitMotionOpenUpdate = defineUpdate<MotionOpened, []>('awaitMotionOpen');

export type ElectionConstituencyInput = Constituency;

export interface ElectionInput {
  electionId: string;
  networkId: string;
  title: string;
  method: ElectionMethod;
  constituencies: ElectionConstituencyInput[];
  nominationsCloseAt: string;
  ballotCloseAt: string;
  termMonths: number;
  actor: string;
  /** people who may stand: everyone in a practice of the network */
  eligiblePeople: { personId: string; practiceId: string }[];
}

export interface ElectionState {
  electionId: string;
  phase: ElectionPhase;
  candidates: { candidateId: string; personId: string; constituency: string }[];
  voted: string[];
  nominationsCloseAt: string;
  ballotCloseAt: string;
  elected: Record<string, string[]>;
}

export interface NominateInput {
  candidateId: string;
  personId: string;
  constituency: string;
  statement: string;
  conflictOfInterest: string | null;
  actor: string;
}

export interface ElectionBallotInput {
  voterId: string;
  castBy: string;
  /** AES-GCM sealed `{ preferences, receiptHash }` under the election's key */
  sealed: string;
}

export const nominateUpdate = defineUpdate<{ candidateId: string }, [NominateInput]>('nominate');
/** A candidate stands down while nominations are open (they may be nominated again before they close). */
export const withdrawCandidateUpdate = defineUpdate<{ candidateId: string }, [{ candidateId: string; actor: string }]>('withdrawCandidate');
export const electionBallotUpdate = defineUpdate<{ accepted: true }, [ElectionBallotInput]>('electionBallot');
/**
 * Ends the current phase now: nominations → ballot, ballot → count. Answers with the phase it
 * ended once the next one has begun (the ballot is open and its links sent, or the count is done).
 */
export const advanceElectionUpdate = defineUpdate<{ phase: ElectionState['phase'] }, [{ actor: string }]>('advanceElection');
export const electionStateQuery = defineQuery<ElectionState>('electionState');
/** Answers once the election is recorded and taking nominations: the caller that started it waits on this. */
export const awaitElectionOpenUpdate = defineUpdate<{ electionId: string }, []>('awaitElectionOpen');
