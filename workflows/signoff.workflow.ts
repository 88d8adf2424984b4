import { type ActivityOptions, allHandlersFinished, condition, proxyActivities, setHandler, uuid4, workflowInfo } from '@temporalio/workflow';
import type { FormationActivities } from '../activities/formation.activities';
import { checkSignAttempt, roundComplete, type RequiredPractice } from '../domain/signing';
import type { StageKey } from '../domain/stages';
import { reject } from './failures';
import { type SignoffState, declineUpdate, signUpdate, signoffStateQuery } from './messages';

/** Writes of acknowledged actions: retried briefly, so a signer never waits long for an answer. */
const ACKNOWLEDGED_WRITE: ActivityOptions = { startToCloseTimeout: '20 seconds', retry: { initialInterval: '200 milliseconds', maximumInterval: '3 seconds', maximumAttempts: 8 } };
const RECORDS: ActivityOptions = { startToCloseTimeout: '60 seconds', retry: { initialInterval: '500 milliseconds', maximumInterval: '30 seconds' } };

const acknowledged = proxyActivities<FormationActivities>(ACKNOWLEDGED_WRITE);
const records = proxyActivities<FormationActivities>(RECORDS);

export interface SignoffInput {
  networkId: string;
  stage: StageKey;
  documentId: string;
  documentVersion: number;
  documentSha256: string;
  documentTitle: string;
}

export interface SignoffResult {
  outcome: 'signed' | 'declined';
  reason?: string;
}

/**
 * One sign-off round for one document version: every member practice's partners receive a link;
 * one partner's signature completes a practice; the round completes when every practice has signed,
 * or ends at the first decline.
 */
export async function signoffWorkflow(input: SignoffInput): Promise<SignoffResult> {
  const signoffId = uuid4();
  const state: SignoffState = {
    signoffId,
    open: false,
    outcome: null,
    documentId: input.documentId,
    documentVersion: input.documentVersion,
    practices: [] as RequiredPractice[],
    signedBy: {},
    declinedBy: null,
  };

  // claims are taken before the first await of a handler, so that a concurrent attempt for the same
  // practice is rejected by its validator; only a written signature moves into state.signedBy
  const claims: Record<string, string> = {};
  let declining = false;
  const claimed = () => ({ ...state.signedBy, ...claims });

  setHandler(signoffStateQuery, () => state);

  setHandler(
    signUpdate,
    async (attempt) => {
      const practice = state.practices.find((p) => p.signers.some((s) => s.personId === attempt.personId));
      if (!practice) throw reject('NOT_A_SIGNER', 'You are not entitled to sign this document.');
      claims[practice.practiceId] = attempt.personId;
      try {
        const receipt = await acknowledged.recordSignature({
          ...attempt,
          signoffId: state.signoffId,
          workflowId: workflowInfo().workflowId,
          documentId: input.documentId,
          documentVersion: input.documentVersion,
          documentSha256: input.documentSha256,
          practiceId: practice.practiceId,
        });
        state.signedBy[practice.practiceId] = attempt.personId;
        return { ...receipt, roundComplete: roundComplete(state) };
      } finally {
        delete claims[practice.practiceId];
      }
    },
    {
      validator: (attempt) => {
        if (!attempt.consent) throw reject('CONSENT_REQUIRED', 'You must agree to sign electronically.');
        const rejection = checkSignAttempt(
          { open: state.open && !state.declinedBy && !declining, documentVersion: state.documentVersion, practices: state.practices, signedBy: claimed() },
          attempt,
        );
        if (rejection) throw reject(rejection.code, rejection.message);
      },
    },
  );

  setHandler(
    declineUpdate,
    async ({ personId, tokenId, reason }) => {
      const practice = state.practices.find((p) => p.signers.some((s) => s.personId === personId));
      if (!practice) throw reject('NOT_A_SIGNER', 'You are not entitled to sign this document.');
      declining = true;
      try {
        const receipt = await acknowledged.recordDecline({ signoffId: state.signoffId, networkId: input.networkId, practiceId: practice.practiceId, personId, tokenId, reason });
        state.declinedBy = { personId, reason };
        return receipt;
      } finally {
        declining = false;
      }
    },
    {
      validator: ({ personId }) => {
        if (!state.open || state.declinedBy || declining) throw reject('ROUND_CLOSED', 'This signing round is closed.');
        const practice = state.practices.find((p) => p.signers.some((s) => s.personId === personId));
        if (!practice) throw reject('NOT_A_SIGNER', 'You are not entitled to sign this document.');
        if (claimed()[practice.practiceId]) throw reject('ALREADY_SIGNED', `${practice.practiceName} has already signed this document.`);
      },
    },
  );

  state.practices = await records.openSignoff({
    signoffId,
    workflowId: workflowInfo().workflowId,
    networkId: input.networkId,
    stage: input.stage,
    documentId: input.documentId,
    documentVersion: input.documentVersion,
    documentTitle: input.documentTitle,
  });
  state.open = true;

  await condition(() => roundComplete(state) || state.declinedBy !== null);
  state.open = false;
  // let in-flight signature writes finish before the round is sealed
  await condition(allHandlersFinished);
  const outcome: SignoffResult['outcome'] = state.declinedBy && !roundComplete(state) ? 'declined' : 'signed';
  state.outcome = outcome;
  await records.completeSignoff({ signoffId, networkId: input.networkId, documentId: input.documentId, outcome });
  return outcome === 'declined' ? { outcome, reason: state.declinedBy?.reason } : { outcome };
}
