import { type ActivityOptions, allHandlersFinished, ApplicationFailure, condition, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { VotesActivities } from '../activities/votes.activities';
import { validateBallot, type Ballot } from '../domain/voting/tally';
import {
  appointProxyUpdate,
  castVoteUpdate,
  closeMotionUpdate,
  extendMotionUpdate,
  type MotionState,
  motionStateQuery,
  type VoteInput,
  type VoteOutcome,
} from './vote-messages';

/** Writes of acknowledged ballots: retried briefly, so a voter never waits long for an answer. */
const ACKNOWLEDGED_WRITE: ActivityOptions = { startToCloseTimeout: '20 seconds', retry: { initialInterval: '200 milliseconds', maximumInterval: '3 seconds', maximumAttempts: 8 } };
const RECORDS: ActivityOptions = { startToCloseTimeout: '60 seconds', retry: { initialInterval: '500 milliseconds', maximumInterval: '30 seconds' } };
const RENDERING: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '10 seconds', maximumAttempts: 5, nonRetryableErrorTypes: ['TEMPLATE_CONTEXT_INVALID'] },
};

const acknowledged = proxyActivities<VotesActivities>(ACKNOWLEDGED_WRITE);
const records = proxyActivities<VotesActivities>(RECORDS);
const rendering = proxyActivities<VotesActivities>(RENDERING);

/** Share of the voting window after which practices that have not voted are reminded (once). */
const REMINDER_AT = 0.5;

export type VoteRejectionCode =
  | 'VOTING_CLOSED'
  | 'NOT_IN_ELECTORATE'
  | 'PROXY_NOT_ALLOWED'
  | 'PROXY_FOR_SELF'
  | 'PROXY_PRINCIPAL_NOT_IN_ELECTORATE'
  | 'PROXY_NOT_APPOINTED'
  | 'ALREADY_APPOINTED'
  | 'SUBJECT_EXCLUDED'
  | 'ALREADY_VOTED'
  | 'INVALID_EXTENSION'
  | 'VALIDATION_FAILED'
  | 'WRONG_PHASE'
  | 'NOT_ELIGIBLE'
  | 'ALREADY_NOMINATED'
  | 'UNKNOWN_CONSTITUENCY';

/** A business rejection; its type is the API error code (server/errors.ts). */
export function rejectVote(code: VoteRejectionCode, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: code, message, nonRetryable: true });
}

/**
 * One motion: snapshot the rule, send ballot links, accept ballots as Updates until the window
 * closes (a durable timer, extendable), everyone has voted, or the facilitator closes it; remind
 * non-voters once half-way; then count from the database and issue the result certificate.
 */
export async function voteWorkflow(input: VoteInput): Promise<VoteOutcome> {
  const state: MotionState = {
    motionId: input.motionId,
    phase: 'opening',
    closesAt: input.closesAt,
    electorate: [],
    voted: [],
    proxies: {},
    reminderSent: false,
    outcome: null,
  };
  // a ballot's principal is claimed before the handler's first await, so a concurrent second
  // ballot for the same practice is refused by its validator; a failed write releases the claim
  const claimed = new Set<string>();
  let closeRequest: { chairCasting?: 'for' | 'against' } | null = null;
  let windowVersion = 0;
  const votedSet = new Set<string>();

  setHandler(motionStateQuery, () => state);

  const rule = input.rule ?? (await records.resolveVotingRule({ networkId: input.networkId, decisionType: input.decisionType }));
  const subject = input.subjectPracticeId ?? undefined;
  // validateBallot only asks whether the principal already has a ballot, so pass just that one
  const earlierBallotOf = (principal: string): Ballot[] => (claimed.has(principal) ? [{ voterId: principal, choice: 'abstain' }] : []);
  const assertOpen = () => {
    if (state.phase !== 'open') throw rejectVote('VOTING_CLOSED', state.phase === 'opening' ? 'Voting has not opened yet; try again in a moment.' : 'This vote has closed.');
  };

  setHandler(
    castVoteUpdate,
    async (ballot) => {
      const principal = ballot.proxyFor ?? ballot.voterId;
      claimed.add(principal);
      try {
        await acknowledged.recordVote({ ...ballot, motionId: input.motionId });
        state.voted.push(principal);
        votedSet.add(principal);
        return { accepted: true as const };
      } catch (err) {
        claimed.delete(principal);
        throw err;
      }
    },
    {
      validator: (ballot) => {
        assertOpen();
        if (ballot.sealed === undefined && (ballot.choice === undefined || ballot.receiptHash === undefined)) throw rejectVote('VALIDATION_FAILED', 'A ballot needs a choice.');
        if (rule.ballot === 'secret' && ballot.choice !== undefined) throw rejectVote('VALIDATION_FAILED', 'A secret ballot must be sealed.');
        if (ballot.proxyFor !== undefined && rule.proxies && state.proxies[ballot.proxyFor] !== ballot.voterId) {
          throw rejectVote('PROXY_NOT_APPOINTED', `${ballot.voterId} has not been appointed proxy for ${ballot.proxyFor}.`);
        }
        const check = validateBallot(state.electorate, earlierBallotOf(ballot.proxyFor ?? ballot.voterId), { voterId: ballot.voterId, proxyFor: ballot.proxyFor, choice: 'abstain' }, rule, { subjectPracticeId: subject });
        if (!check.ok) throw rejectVote(check.reason, check.message);
      },
    },
  );

  setHandler(
    appointProxyUpdate,
    async ({ principalId, proxyId, actor }) => {
      state.proxies[principalId] = proxyId;
      try {
        await records.recordProxy({ motionId: input.motionId, principalId, proxyId, actor });
      } catch (err) {
        delete state.proxies[principalId];
        throw err;
      }
      return { principalId, proxyId };
    },
    {
      validator: ({ principalId, proxyId }) => {
        assertOpen();
        if (!rule.proxies) throw rejectVote('PROXY_NOT_ALLOWED', 'This motion’s voting rule does not accept proxy votes.');
        if (principalId === proxyId) throw rejectVote('PROXY_FOR_SELF', 'A practice cannot be its own proxy.');
        if (!state.electorate.some((v) => v.voterId === principalId)) throw rejectVote('PROXY_PRINCIPAL_NOT_IN_ELECTORATE', `${principalId} is not in the electorate.`);
        if (!state.electorate.some((v) => v.voterId === proxyId)) throw rejectVote('NOT_IN_ELECTORATE', `${proxyId} is not in the electorate.`);
        if (state.proxies[principalId]) throw rejectVote('ALREADY_APPOINTED', `${principalId} has already appointed a proxy.`);
        if (claimed.has(principalId)) throw rejectVote('ALREADY_VOTED', `${principalId} has already voted.`);
      },
    },
  );

  setHandler(
    extendMotionUpdate,
    async ({ closesAt, actor }) => {
      await records.recordExtension({ motionId: input.motionId, closesAt, actor });
      state.closesAt = closesAt;
      windowVersion += 1;
      return { closesAt };
    },
    {
      validator: ({ closesAt }) => {
        assertOpen();
        if (closeRequest) throw rejectVote('VOTING_CLOSED', 'This vote is closing.');
        const at = Date.parse(closesAt);
        if (Number.isNaN(at) || at <= Date.parse(state.closesAt)) throw rejectVote('INVALID_EXTENSION', `The new closing time must be later than the current one (${state.closesAt}).`);
      },
    },
  );

  setHandler(
    closeMotionUpdate,
    async ({ chairCasting }) => {
      closeRequest = { chairCasting };
      return { closing: true as const };
    },
    {
      validator: (_request) => {
        if (state.phase === 'closed' || state.phase === 'closing' || closeRequest) throw rejectVote('VOTING_CLOSED', 'This vote has already closed.');
      },
    },
  );

  const opened = await records.openMotion({ ...input, rule, workflowId: workflowInfo().workflowId });
  state.electorate = opened.electorate;
  state.closesAt = opened.closesAt;
  state.phase = 'open';
  const openedAt = Date.parse(opened.openedAt);
  const eligible = state.electorate.filter((v) => !(rule.threshold === 'unanimous-excluding-subject' && v.practiceId === subject));
  const everyoneVoted = () => votedSet.size >= eligible.length && eligible.every((v) => votedSet.has(v.voterId));

  for (;;) {
    if (closeRequest || everyoneVoted()) break;
    const closeAt = Date.parse(state.closesAt);
    const now = Date.now();
    if (now >= closeAt) break;
    const reminderAt = openedAt + (closeAt - openedAt) * REMINDER_AT;
    if (!state.reminderSent && now >= reminderAt) {
      state.reminderSent = true;
      await records.sendReminders({ motionId: input.motionId, workflowId: workflowInfo().workflowId, voted: [...claimed] });
      continue;
    }
    const wakeAt = state.reminderSent ? closeAt : reminderAt;
    const seen = windowVersion;
    await condition(() => closeRequest !== null || everyoneVoted() || windowVersion !== seen, Math.max(1, wakeAt - now));
  }

  state.phase = 'closing';
  // ballots already acknowledged (their writes in flight) are counted; nothing new is accepted
  await condition(allHandlersFinished);
  const chairCasting = (closeRequest as { chairCasting?: 'for' | 'against' } | null)?.chairCasting;
  const counted = await records.closeMotion({ motionId: input.motionId, chairCasting });
  const certificateDocumentId = await rendering.issueVoteCertificate({ motionId: input.motionId });
  state.outcome = { ...counted, certificateDocumentId };
  state.phase = 'closed';
  return state.outcome;
}
