import { ApplicationFailure } from '@temporalio/workflow';
import type { PanelRefusalCode } from '../domain/panel';

/**
 * Business rejections raised by workflows. The type is the API error code the server answers
 * with (server/errors.ts maps it to an HTTP status); never rely on class names, which bundling renames.
 */
export type RejectionCode =
  | 'UNKNOWN_STAGE'
  | 'STAGE_NOT_CURRENT'
  | 'STAGE_LOCKED'
  | 'STAGE_COMPLETED'
  | 'ROUND_CLOSED'
  | 'ROUND_EXPIRED'
  | 'NOT_YET'
  | 'NOT_OWED'
  | 'CANNOT_DELEGATE'
  | 'INVALID_EXTENSION'
  | 'NOT_A_SIGNER'
  | 'WRONG_VERSION'
  | 'ALREADY_SIGNED'
  | 'ALREADY_DECLINED'
  | 'NAME_MISMATCH'
  | 'CONSENT_REQUIRED'
  // votes and elections
  | 'VOTING_CLOSED'
  | 'NOT_IN_ELECTORATE'
  | 'PROXY_NOT_ALLOWED'
  | 'PROXY_FOR_SELF'
  | 'PROXY_PRINCIPAL_NOT_IN_ELECTORATE'
  | 'PROXY_NOT_APPOINTED'
  | 'ALREADY_APPOINTED'
  | 'SUBJECT_EXCLUDED'
  | 'ALREADY_VOTED'
  | 'VALIDATION_FAILED'
  | 'WRONG_PHASE'
  | 'NOT_ELIGIBLE'
  | 'ALREADY_NOMINATED'
  | 'NOT_A_CANDIDATE'
  | 'UNKNOWN_CONSTITUENCY'
  | 'INVALID_BALLOT'
  // the panel stage
  | PanelRefusalCode
  | 'NO_NEXT_WAVE'
  | 'CONDITIONS_OPEN';

export function reject(code: RejectionCode, message: string, details?: unknown): ApplicationFailure {
  return ApplicationFailure.create({ type: code, message, nonRetryable: true, details: details === undefined ? [] : [details] });
}
