/**
 * Update, query and signal definitions of the dispute case and risk review workflows, shared with
 * server/ and activities/. Imports nothing Node-only, so the workflow bundle stays deterministic.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { BankHolidayTable } from '../domain/calendar/working-days';
import type { CaseActor, CaseEventRequest, CaseState, CaseStatus } from '../domain/disputes/case';
import type { LadderStep } from '../domain/disputes/ladder';
import type { StageKey } from '../domain/stages';

export function disputeWorkflowId(caseId: string): string {
  return `dispute-${caseId}`;
}

export function riskReviewWorkflowId(riskId: string): string {
  return `risk-review-${riskId}`;
}

/** What a case carries into its next run when it continues as new. */
export interface CarriedCase {
  state: CaseState;
  holidays: BankHolidayTable;
  /** reminders already sent, as `step:dueOn` */
  reminded: string[];
  settlements: number;
}

export interface DisputeInput {
  caseId: string;
  networkId: string;
  programmeId: string;
  title: string;
  summary: string;
  /** practice ids; the first gave notice of the dispute */
  parties: string[];
  stage: StageKey | null;
  /** the ladder snapshotted when the case opened: the network's adopted procedure, else the default */
  ladder: LadderStep[];
  openedBy: CaseActor;
  /** the issue of the network's issue log this case was escalated from */
  fromIssueId: string | null;
  carried?: CarriedCase;
  /** events recorded in one run before the case continues as new (its history stays bounded) */
  eventsPerRun?: number;
}

export interface CaseOutcome {
  caseId: string;
  status: CaseStatus;
}

/** The answer to an accepted event: the case as it now stands. */
export interface CaseEventReceipt {
  seq: number;
  type: string;
  status: CaseStatus;
  step: number;
  stepName: string;
  dueOn: string | null;
  clock: 'running' | 'paused' | 'none';
}

export interface AppointExternalInput {
  name: string;
  email: string;
  organisation: string;
  actor: CaseActor;
}

export const caseEventUpdate = defineUpdate<CaseEventReceipt, [CaseEventRequest]>('caseEvent');
/** Appoints the LMC officer, mediator or arbitrator of the current step; they are sent a link. */
export const appointExternalUpdate = defineUpdate<{ externalId: string; seq: number }, [AppointExternalInput]>('appointExternal');
export const caseStateQuery = defineQuery<CaseState>('caseState');

/**
 * Sent by a case to its network's formation workflow: while a case tied to a stage is open, that
 * stage does not complete (held: true), and may once the case closes (held: false).
 */
export const holdStageSignal = defineSignal<[{ caseId: string; stage: StageKey; held: boolean }]>('holdStage');

export interface RiskReviewInput {
  riskId: string;
  networkId: string;
  /** the review date, 'YYYY-MM-DD' */
  reviewOn: string;
}

/** A risk's review date moved (it was reviewed), or the risk was closed. */
export const riskReviewSignal = defineSignal<[{ reviewOn: string | null; closed: boolean }]>('riskReview');
