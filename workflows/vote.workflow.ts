import { type ActivityOptions, allHandlersFinished, condition, patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { MotionsActivities } from '../activities/motions.activities';
import { type Ballot, extensionRefusal, proxyAppointmentRefusal, validateBallot } from '../domain/voting/ballot';
import { takesPart } from '../domain/voting/electorate';
import { reject } from './failures';
import {
  appointProxyUpdate,
  awaitMotionOpenUpdate,
  castVoteUpdate,
  closeMotionUpdate,
  extendMotionUpdate,
  type MotionOpened,
  type MotionState,
  motionStateQuery,
  type VoteInput,
  type VoteOutcome,
} from './vote-messages';

/**
 * Writes of acknowledged ballots: retried until they succeed, so a ballot the workflow accepted is
 * never lost (the voter's request has its own deadline; a retry of it is refused as already voted).
 */
const ACKNOWLEDGED_WRITE: ActivityOptions = { startToCloseTimeout: '20 seconds', retry: { initialInterval: '200 milliseconds', maximumInterval: '3 seconds' } };
const RECORDS: ActivityOptions = { startToCloseTimeout: '60 seconds', retry: { initialInterval: '500 milliseconds', maximumInterval: '30 seconds' } };
const RENDERING: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '10 seconds', maximumAttempts: 5, nonRetryableErrorTypes: ['TEMPLATE_CONTEXT_INVALID'] },
};

const acknowledged = proxyActivities<MotionsActivities>(ACKNOWLEDGED_WRITE);
const records = proxyActivities<MotionsActivities>(RECORDS);
const rendering = proxyActivities<MotionsActivities>(RENDERING);

/** Share of the voting window after which practices that have not voted are reminded (once). */
const REMINDER_AT = 0.5;

/**
 * One motion: snapshot the rule, record the motion and open it, then send ballot links; accept
 * ballots as Updates until the window closes (a durable timer, extendable), everyone has voted, or
 * the facilitator closes it; remind non-voters once half-way; then count from the database and
 * issue the result certificate.
 */
export async function voteWorkflow(input: VoteInput): Promise<VoteOutcome> {
  // Runs started before this change recorded the motion and sent its links in one step, and only
  // then accepted ballots; they replay that way. New runs open before any link goes out.
  const opensBeforeLinks = patched('vote-opens-before-links');
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
  let opened: MotionOpened | null = null;

  setHandler(motionStateQuery, () => state);
  setHandler(awaitMotionOpenUpdate, async () => {
    await condition(() => opened !== null);
    return opened as MotionOpened;
  });

  const rule = input.rule ?? (await records.resolveVotingRule({ networkId: input.networkId, decisionType: input.decisionType }));
  const subject = input.subjectPracticeId ?? undefined;
  // validateBallot only asks whether the principal already has a ballot, so pass just that one
  const earlierBallotOf = (principal: string): Ballot[] => (claimed.has(principal) ? [{ voterId: principal, choice: 'abstain' }] : []);
  const assertOpen = () => {
    if (state.phase === 'opening') throw reject('VOTING_CLOSED', 'Voting has not opened yet.');
    if (state.phase !== 'open' || Date.now() >= Date.parse(state.closesAt)) throw reject('VOTING_CLOSED', 'This vote has closed.');
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
        if (ballot.sealed === undefined && (ballot.choice === undefined || ballot.receiptHash === undefined))
          throw reject('VALIDATION_FAILED', 'A ballot needs a choice.');
        if (rule.ballot === 'secret' && ballot.choice !== undefined) throw reject('VALIDATION_FAILED', 'A secret ballot must be sealed.');
        const check = validateBallot(
          state.electorate,
          earlierBallotOf(ballot.proxyFor ?? ballot.voterId),
          { voterId: ballot.voterId, proxyFor: ballot.proxyFor, choice: 'abstain' },
          rule,
          {
            subjectPracticeId: subject,
            appointedProxies: state.proxies,
          },
        );
        if (!check.ok) throw reject(check.reason, check.message);
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
        const refusal = proxyAppointmentRefusal(state.electorate, rule, state.proxies, (p) => claimed.has(p), principalId, proxyId);
        if (refusal) throw reject(refusal.reason, refusal.message);
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
        if (closeRequest) throw reject('VOTING_CLOSED', 'This vote is closing.');
        const refusal = extensionRefusal(state.closesAt, closesAt, Date.now());
        if (refusal) throw reject(refusal.reason, refusal.message);
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
        if (state.phase === 'closed' || state.phase === 'closing' || closeRequest) throw reject('VOTING_CLOSED', 'This vote has already closed.');
      },
    },
  );

  const workflowId = workflowInfo().workflowId;
  let openedAt: number;
  if (opensBeforeLinks) {
    const recorded = await records.recordMotion({ ...input, rule, workflowId });
    state.electorate = recorded.electorate;
    state.closesAt = recorded.closesAt;
    state.phase = 'open';
    // only now, with ballots accepted, do links go out: no voter holds a link the workflow would refuse
    await records.sendBallotLinks({ motionId: input.motionId, workflowId });
    opened = { openedAt: recorded.openedAt, closesAt: recorded.closesAt };
    openedAt = Date.parse(recorded.openedAt);
  } else {
    const legacy = await records.openMotion({ ...input, rule, workflowId });
    state.electorate = legacy.electorate;
    state.closesAt = legacy.closesAt;
    state.phase = 'open';
    opened = { openedAt: legacy.openedAt, closesAt: legacy.closesAt };
    openedAt = Date.parse(legacy.openedAt);
  }
  const eligible = state.electorate.filter((v) => takesPart(rule, subject, v.practiceId));
  const everyoneVoted = () => votedSet.size >= eligible.length && eligible.every((v) => votedSet.has(v.voterId));

  for (;;) {
    if (closeRequest || everyoneVoted()) break;
    const closeAt = Date.parse(state.closesAt);
    const now = Date.now();
    if (now >= closeAt) break;
    const reminderAt = openedAt + (closeAt - openedAt) * REMINDER_AT;
    if (!state.reminderSent && now >= reminderAt) {
      state.reminderSent = true;
      await records.sendReminders({ motionId: input.motionId, workflowId, voted: [...claimed] });
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
