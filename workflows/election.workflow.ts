import { type ActivityOptions, allHandlersFinished, condition, log, patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { ElectionsActivities } from '../activities/elections.activities';
import { electionBallotRefusal, nominationRefusal, withdrawalRefusal } from '../domain/voting/election';
import { reject } from './failures';
import {
  advanceElectionUpdate,
  awaitElectionOpenUpdate,
  electionBallotUpdate,
  type ElectionInput,
  type ElectionState,
  electionStateQuery,
  nominateUpdate,
  withdrawCandidateUpdate,
} from './vote-messages';

/** Writes of acknowledged ballots: retried until they succeed, so an accepted ballot is never lost. */
const ACKNOWLEDGED_WRITE: ActivityOptions = { startToCloseTimeout: '20 seconds', retry: { initialInterval: '200 milliseconds', maximumInterval: '3 seconds' } };
const RECORDS: ActivityOptions = { startToCloseTimeout: '2 minutes', retry: { initialInterval: '500 milliseconds', maximumInterval: '30 seconds' } };

/** The result certificate renders a document: retried a few times; a failure leaves the count standing. */
const RENDERING: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '10 seconds', maximumAttempts: 5, nonRetryableErrorTypes: ['TEMPLATE_CONTEXT_INVALID'] },
};

const acknowledged = proxyActivities<ElectionsActivities>(ACKNOWLEDGED_WRITE);
const records = proxyActivities<ElectionsActivities>(RECORDS);
const rendering = proxyActivities<ElectionsActivities>(RENDERING);

/** Patch id: elections counted before it have no result certificate. */
export const ELECTION_CERTIFICATE_PATCH = 'election-certificate';

/**
 * An election of board members by constituency (DOMAIN.md §4, shadow-board procedure):
 * nominations with statements and conflict-of-interest declarations until nominations close, then
 * a ballot (one per practice in its constituency) until the ballot closes or every practice has
 * voted, then the count (STV or FPTP, lots seeded with the election id) and the appointments.
 */
export async function electionWorkflow(input: ElectionInput): Promise<{ elected: Record<string, string[]> }> {
  // Runs started before this change opened the ballot and sent its links in one step, and closed a
  // phase without waiting for the next; they replay that way. New runs open the ballot before any
  // link goes out, and answer "close the phase" once the next phase has begun.
  const opensBeforeLinks = patched('election-opens-before-links');
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
  const eligiblePersonIds = new Set(input.eligiblePeople.map((p) => p.personId));
  let advanceFrom: ElectionState['phase'] | null = null;
  // nominations and ballots whose writes are in flight; a phase ends once they are done
  let writing = 0;
  let ballotLinksSent = false;
  let recorded = false;

  setHandler(electionStateQuery, () => state);
  setHandler(awaitElectionOpenUpdate, async () => {
    await condition(() => recorded);
    return { electionId: input.electionId };
  });

  setHandler(
    nominateUpdate,
    async (nomination) => {
      claimedCandidates.add(nomination.personId);
      writing += 1;
      try {
        await records.recordCandidate({ ...nomination, electionId: input.electionId });
      } catch (err) {
        claimedCandidates.delete(nomination.personId);
        throw err;
      } finally {
        writing -= 1;
      }
      state.candidates.push({ candidateId: nomination.candidateId, personId: nomination.personId, constituency: nomination.constituency });
      return { candidateId: nomination.candidateId };
    },
    {
      validator: (nomination) => {
        const refusal = nominationRefusal(
          { phase: state.phase, constituencies: input.constituencies, eligiblePersonIds, nominated: claimedCandidates },
          nomination,
        );
        if (refusal) throw reject(refusal.reason, refusal.message);
      },
    },
  );

  // candidates whose withdrawal is being written: refused a second time meanwhile
  const withdrawing = new Set<string>();
  setHandler(
    withdrawCandidateUpdate,
    async ({ candidateId, actor }) => {
      const candidate = state.candidates.find((c) => c.candidateId === candidateId)!;
      withdrawing.add(candidateId);
      writing += 1;
      try {
        await records.withdrawCandidate({
          electionId: input.electionId,
          candidateId,
          personId: candidate.personId,
          constituency: candidate.constituency,
          actor,
        });
      } finally {
        writing -= 1;
        withdrawing.delete(candidateId);
      }
      state.candidates = state.candidates.filter((c) => c.candidateId !== candidateId);
      claimedCandidates.delete(candidate.personId);
      return { candidateId };
    },
    {
      validator: ({ candidateId }) => {
        const standing = new Set(state.candidates.filter((c) => !withdrawing.has(c.candidateId)).map((c) => c.candidateId));
        const refusal = withdrawalRefusal({ phase: state.phase, candidateIds: standing }, candidateId);
        if (refusal) throw reject(refusal.reason, refusal.message);
      },
    },
  );

  setHandler(
    electionBallotUpdate,
    async (ballot) => {
      claimedVoters.add(ballot.voterId);
      writing += 1;
      try {
        await acknowledged.recordElectionBallot({ ...ballot, electionId: input.electionId });
      } catch (err) {
        claimedVoters.delete(ballot.voterId);
        throw err;
      } finally {
        writing -= 1;
      }
      state.voted.push(ballot.voterId);
      return { accepted: true as const };
    },
    {
      validator: ({ voterId }) => {
        const refusal = electionBallotRefusal({ phase: state.phase, constituencies: input.constituencies, voted: claimedVoters }, voterId);
        if (refusal) throw reject(refusal.reason, refusal.message);
      },
    },
  );

  setHandler(
    advanceElectionUpdate,
    async (_request) => {
      const from = state.phase;
      advanceFrom = from;
      if (opensBeforeLinks) await condition(() => (from === 'nominations' ? ballotLinksSent : state.phase === 'counted'));
      return { phase: from };
    },
    {
      validator: (_request) => {
        if (state.phase !== 'nominations' && state.phase !== 'ballot')
          throw reject('WRONG_PHASE', `The election is ${state.phase}; there is no phase to close.`);
        if (advanceFrom === state.phase) throw reject('WRONG_PHASE', 'This phase is already closing.');
      },
    },
  );

  // a phase ends once the writes it accepted are done (an "advance" waiting for the next phase is not one of them)
  const writesDone = () => condition(opensBeforeLinks ? () => writing === 0 : allHandlersFinished);

  const workflowId = workflowInfo().workflowId;
  await records.openElection({ ...input, workflowId });
  state.phase = 'nominations';
  recorded = true;
  const until = (iso: string) => Math.max(1, Date.parse(iso) - Date.now());
  await condition(() => advanceFrom === 'nominations', until(input.nominationsCloseAt));
  state.phase = 'opening';
  await writesDone();

  if (opensBeforeLinks) {
    await records.recordElectionBallotOpen({ electionId: input.electionId });
    state.phase = 'ballot';
    // only now, with ballots accepted, do links go out
    await records.sendElectionBallotLinks({ electionId: input.electionId, workflowId });
    ballotLinksSent = true;
  } else {
    await records.openElectionBallot({ electionId: input.electionId, workflowId });
    state.phase = 'ballot';
  }
  const voters = input.constituencies.flatMap((c) => c.practiceIds);
  await condition(
    () => advanceFrom === 'ballot' || (state.voted.length >= voters.length && voters.every((v) => claimedVoters.has(v) && state.voted.includes(v))),
    until(input.ballotCloseAt),
  );
  state.phase = 'counting';
  await writesDone();

  state.elected = await records.countElection({ electionId: input.electionId });
  // the certificate is part of the count's answer: "close the ballot" returns once it is stored
  if (patched(ELECTION_CERTIFICATE_PATCH)) {
    try {
      await rendering.issueElectionCertificate({ electionId: input.electionId });
    } catch (err) {
      // the count and the appointments stand without it; the certificate can be issued again
      log.error('the election result certificate could not be issued', { electionId: input.electionId, error: String(err) });
    }
  }
  state.phase = 'counted';
  // an "advance" that closed the ballot answers now that the count is done
  if (opensBeforeLinks) await condition(allHandlersFinished);
  return { elected: state.elected };
}
