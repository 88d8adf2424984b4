/**
 * Update, query and signal definitions shared by workflows and the server. Imports nothing
 * Node-only, so server/ can import it and the workflow bundle stays deterministic.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { StageKey, StageStatus } from '../domain/stages';
import type { PanelState } from '../domain/panel';
import type { SigningRule, Slot } from '../domain/signing';

export const TASK_QUEUE_DEFAULT = 'formwork';

export function formationWorkflowId(networkId: string): string {
  return `formation-${networkId}`;
}

export function signoffWorkflowId(networkId: string, stage: string, version: number): string {
  return `signoff-${networkId}-${stage}-v${version}`;
}

export interface DocumentRef {
  id: string;
  type: string;
  title: string;
  version: number;
  sha256: string;
}

export interface StageState {
  key: StageKey;
  status: StageStatus;
  dataRevision: number;
  documents: DocumentRef[];
  /** the sign-off round in progress, if any */
  signoffWorkflowId: string | null;
  lastOutcome: { outcome: 'signed' | 'declined' | 'voided' | 'carried' | 'lost' | 'inquorate'; reason?: string; documentVersion: number } | null;
  /** the stage's vote, when the programme decides it by vote */
  vote: {
    motionId: string;
    documentVersion: number;
    result: 'carried' | 'lost' | 'inquorate' | null;
    ruleVersion: string | null;
    explanation: string[];
  } | null;
}

export interface FormationState {
  networkId: string;
  status: 'running' | 'completed';
  currentStage: StageKey | null;
  stages: StageState[];
  /** the network's presentation to its wave's panel (absent in workflows started before the panel was scored) */
  panel?: PanelState;
}

export const formationStateQuery = defineQuery<FormationState>('formationState');

export const submitStageDataUpdate = defineUpdate<{ revision: number }, [{ stage: StageKey; data: unknown; actor: string }]>('submitStageData');

/** Issues the stage's document; while a round is out, a new issue voids it (a new version replaces it). */
export const issueStageUpdate = defineUpdate<DocumentRef, [{ stage: StageKey; actor: string; signingRule: SigningRule }]>('issueStage');

export interface SignInput {
  personId: string;
  tokenId: string;
  documentVersion: number;
  typedName: string;
  consent: boolean;
  consentVersion: string;
  /** how the signer was identified, e.g. 'action-link' or 'action-link+email-code' */
  method: string;
  ip: string | null;
  userAgent: string | null;
}

export interface SignatureReceipt {
  signatureId: string;
  capacity: string;
  documentId: string;
  documentVersion: number;
  documentSha256: string;
  practiceId: string;
  practiceName: string;
  signedBy: string;
  signedAt: string;
  roundComplete: boolean;
}

export interface DeclineInput {
  personId: string;
  tokenId: string;
  reason: string;
}

export interface SignoffState {
  signoffId: string;
  status: 'opening' | 'open' | 'expired' | 'signed' | 'declined' | 'voided';
  rule: SigningRule;
  documentId: string;
  documentVersion: number;
  slots: Slot[];
  /** slotId → personId */
  filled: Record<string, string>;
  declinedBy: { personId: string; reason: string } | null;
  expiresAt: number;
  remindersSent: number;
}

export interface DelegateInput {
  personId: string;
  tokenId: string;
  toPersonId: string;
}

export const signUpdate = defineUpdate<SignatureReceipt, [SignInput]>('sign');

/** At most this many signatures in one `signManyUpdate` (its input and result stay far under Temporal's payload limits). */
export const SIGNATURES_PER_UPDATE = 100;

/**
 * One signature of a `signManyUpdate`: its receipt, or what its own `signUpdate` would have been
 * refused with (`code` is the rejection code; `unrecorded` when the write failed and it may be retried).
 */
export type SignOutcome = { receipt: SignatureReceipt } | { refused: { code: string; message: string } } | { unrecorded: { message: string } };

/**
 * Several people's signatures of one round in one update, each judged and answered as its own
 * `signUpdate` would be. A server sends the signatures that arrive while its previous update to the
 * round is in flight together, so a burst of signers costs a few calls and history events, not one each.
 */
export const signManyUpdate = defineUpdate<SignOutcome[], [SignInput[]]>('signMany');
export const declineUpdate = defineUpdate<{ declinedAt: string }, [DeclineInput]>('decline');
export const delegateUpdate = defineUpdate<{ delegatedTo: string }, [DelegateInput]>('delegate');
/** Facilitator: move the round's expiry (and re-open an expired round). */
export const extendRoundUpdate = defineUpdate<{ expiresAt: string }, [{ days: number; actor: string }]>('extendRound');
/** Facilitator: send fresh links to everyone still owed a signature, or (with `personId`) to one of them. */
export const resendRoundUpdate = defineUpdate<{ sentTo: number }, [{ actor: string; personId?: string }]>('resendRound');
/** The formation workflow voids a round when a new version of its document is issued. */
export const voidRoundSignal = defineSignal<[{ reason: string }]>('voidRound');
export const signoffStateQuery = defineQuery<SignoffState>('signoffState');
