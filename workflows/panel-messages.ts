/**
 * Update definitions of the panel stage, handled by the formation workflow (workflows/panel-stage.ts).
 * Imports nothing Node-only, so server/ can import it too.
 */
import { defineUpdate } from '@temporalio/workflow';
import type { PanelOutcome, ScoreSheet } from '../domain/panel';

export interface ScoreInput {
  memberId: string;
  tokenId: string;
  /** the presentation the member's link was sent for */
  presentationId: string;
  sheet: ScoreSheet;
}

export interface ScoreReceipt {
  scoreId: string;
  presentationId: string;
  memberId: string;
  recommendation: PanelOutcome;
  scoredAt: string;
}

export interface OutcomeInput {
  outcome: PanelOutcome;
  conditions: string[];
  reason: string;
  actor: string;
}

export interface OutcomeReceipt {
  presentationId: string;
  outcome: PanelOutcome;
  conditions: { n: number; text: string }[];
  /** where a deferred network goes */
  toWave: { id: string; number: number; panelDate: string } | null;
  /** the outcome letter, once rendered and sent (null since the letter follows the answer) */
  letterDocumentId: string | null;
}

/** The workflow that sends a presentation's outcome letter again, one at a time per presentation. */
export function panelLetterWorkflowId(presentationId: string): string {
  return `panel-letter-${presentationId}`;
}

export interface PanelLetterInput {
  networkId: string;
  presentationId: string;
  /** who asked for it again */
  actor: string;
}

export interface CloseConditionInput {
  n: number;
  note: string;
  evidenceDocumentId: string | null;
  actor: string;
}

/** A panel member scores the network's presentation: once per member and presentation. */
export const scorePanelUpdate = defineUpdate<ScoreReceipt, [ScoreInput]>('scorePanel');
/** The facilitator records the panel's outcome: pass, conditional (with conditions) or defer to the next wave. */
export const recordPanelOutcomeUpdate = defineUpdate<OutcomeReceipt, [OutcomeInput]>('recordPanelOutcome');
/** The facilitator closes a condition of a conditional pass, with a note of its evidence. */
export const closePanelConditionUpdate = defineUpdate<{ n: number; closedAt: string }, [CloseConditionInput]>('closePanelCondition');
