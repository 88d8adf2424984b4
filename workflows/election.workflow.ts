import { type ActivityOptions, allHandlersFinished, condition, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { VotesActivities } from '../activities/votes.activities';
import {
  advanceElectionUpdate,
  electionBallotUpdate,
  type ElectionInput,
  type ElectionState,
  electionStateQuery,
  nominateUpdate,
} from './vote-messages';
import { rejectVote } from './vote.workflow';

const ACKNOWLEDGED_WRITE: ActivityOptions = { startToCloseTimeout: '20 seconds', retry: { initialInterval: '200 milliseconds', maximumInterval: '3 seconds', maximumAttempts: 8 } };
const RECORDS: ActivityOptions = { startToCloseTimeout: '2 minutes', retry: { initialInterval: '500 milliseconds', maximumInterval: '30 seconds' } };

const acknowledged = proxyActivities<VotesActivities>(ACKNOWLEDGED_WRITE);
const records = proxyActivities<VotesActivities>(RECORDS);

/**
 * An election of board members by constituency (DOMAIN.md §4, shadow-board procedure):
 * nominations with statements and conflict-of-interest declarations until nominations close, then
 * a ballot (one per practice in its constituency) until the ballot closes or every practice has
 * voted, then the count (STV or FPTP, lots seeded with the election id) and the appointments.
 */
export async function electionWorkflow(input: ElectionInput): Promise<{ elected: Record<string, string[]> }> {
  const state: ElectionState = {
    electionId: input.electionId,
    phase: 'opening',
    candidates: [],
    voted: [],
    nominationsCloseAt: input.nominationsCloseAt,
    ballotCloseAt: input.ballotCloseAt,
    elected: {},
  };
  const claimedVoters = new Set<string>();
  const claimedCandidates = new Set<string>();
  let advanceFrom: ElectionState['phase'] | null = null;
  const constituencyOf = (practiceId: string) => input.constituencies.find((c) => c.practiceIds.includes(practiceId));

  setHandler(electionStateQuery, () => state);

  setHandler(
    nominateUpdate,
    async (nomination) => {
      claimedCandidates.add(nomination.personId);
      try {
        await records.recordCandidate({ ...nomination, electionId: input.electionId });
      } catch (err) {
        claimedCandidates.delete(nomination.personId);
        throw err;
      }
      state.candidates.push({ candidateId: nomination.candidateId, personId: nomination.personId, constituency: nomination.constituency });
      return { candidateId: nomination.candidateId };
    },
    {
      validator: ({ personId, constituency }) => {
        if (state.phase !== 'nominations') throw rejectVote('WRONG_PHASE', 'Nominations are closed.');
        if (!input.constituencies.some((c) => c.name === constituency)) throw rejectVote('UNKNOWN_CONSTITUENCY', `No constituency called ${constituency}.`);
        if (!input.eligiblePeople.some((p) => p.personId === personId)) throw rejectVote('NOT_ELIGIBLE', 'A candidate must belong to a practice of the network.');
        if (claimedCandidates.has(personId)) throw rejectVote('ALREADY_NOMINATED', 'This person is already a candidate in this election.');
      },
    },
  );

  setHandler(
    electionBallotUpdate,
    async (ballot) => {
      claimedVoters.add(ballot.voterId);
      try {
        await acknowledged.recordElectionBallot({ ...ballot, electionId: input.electionId });
      } catch (err) {
        claimedVoters.delete(ballot.voterId);
        throw err;
      }
      state.voted.push(ballot.voterId);
      return { accepted: true as const };
    },
    {
      validator: ({ voterId }) => {
        if (state.phase !== 'ballot') throw rejectVote('VOTING_CLOSED', state.phase === 'nominations' || state.phase === 'opening' ? 'The ballot has not opened yet.' : 'The ballot has closed.');
        if (!constituencyOf(voterId)) throw rejectVote('NOT_IN_ELECTORATE', 'Your practice does not vote in this election.');
        if (claimedVoters.has(voterId)) throw rejectVote('ALREADY_VOTED', 'A ballot has already been recorded for your practice; only the first counts.');
      },
    },
  );

  setHandler(
    advanceElectionUpdate,
    async (_request) => {
      advanceFrom = state.phase;
      return { phase: state.phase };
    },
    {
      validator: (_request) => {
        if (state.phase !== 'nominations' && state.phase !== 'ballot') throw rejectVote('WRONG_PHASE', `The election is ${state.phase}; there is no phase to close.`);
        if (advanceFrom === state.phase) throw rejectVote('WRONG_PHASE', 'This phase is already closing.');
      },
    },
  );

  const workflowId = workflowInfo().workflowId;
  await records.openElection({ ...input, workflowId });
  state.phase = 'nominations';
  const until = (iso: string) => Math.max(1, Date.parse(iso) - Date.now());
  await condition(() => advanceFrom === 'nominations', until(input.nominationsCloseAt));
  state.phase = 'counting';
  await condition(allHandlersFinished);

  await records.openElectionBallot({ electionId: input.electionId, workflowId });
  state.phase = 'ballot';
  const voters = input.constituencies.flatMap((c) => c.practiceIds);
  await condition(() => advanceFrom === 'ballot' || (state.voted.length >= voters.length && voters.every((v) => claimedVoters.has(v) && state.voted.includes(v))), until(input.ballotCloseAt));
  state.phase = 'counting';
  await condition(allHandlersFinished);

  state.elected = await records.countElection({ electionId: input.electionId });
  state.phase = 'counted';
  return { elected: state.elected };
}
