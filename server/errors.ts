import { ApplicationFailure, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import type { ErrorRequestHandler } from 'express';
import { isContention } from '../db/knex';
import type { Logger } from 'pino';
import { z } from 'zod';
import { loggableError, redactText, redactUrl, requestSecrets } from './log-redaction';

/** The closed set of error codes and the HTTP status each one answers with. */
export const ERROR_STATUS = {
  MALFORMED_REQUEST: 400,
  MALFORMED_JSON: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  CSRF_INVALID: 403,
  NOT_A_SIGNER: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  CONFLICT: 409,
  ALREADY_EXISTS: 409,
  ALREADY_STARTED: 409,
  FORMATION_NOT_STARTED: 409,
  STAGE_NOT_CURRENT: 409,
  STAGE_LOCKED: 409,
  STAGE_COMPLETED: 409,
  ROUND_CLOSED: 409,
  WRONG_VERSION: 409,
  ALREADY_SIGNED: 409,
  ALREADY_DECLINED: 409,
  ROUND_EXPIRED: 409,
  NOT_YET: 409,
  NOT_OWED: 409,
  CANNOT_DELEGATE: 422,
  INVALID_EXTENSION: 422,
  TOKEN_EXPIRED: 410,
  TOKEN_SUPERSEDED: 410,
  TOKEN_USED: 409,
  VALIDATION_FAILED: 422,
  TEMPLATE_CONTEXT_INVALID: 422,
  /** a programme's template leaves out a required section or the signature blocks */
  TEMPLATE_INCOMPLETE: 422,
  /** a change that would leave a practice with no partner to sign for it */
  LAST_PARTNER: 422,
  NAME_MISMATCH: 422,
  CONSENT_REQUIRED: 422,
  CODE_REQUIRED: 422,
  CODE_INVALID: 422,
  UNKNOWN_STAGE: 404,
  // votes and elections
  VOTING_CLOSED: 409,
  ALREADY_VOTED: 409,
  ALREADY_APPOINTED: 409,
  ALREADY_NOMINATED: 409,
  NOT_A_CANDIDATE: 404,
  WRONG_PHASE: 409,
  NOT_IN_ELECTORATE: 403,
  SUBJECT_EXCLUDED: 403,
  PROXY_NOT_APPOINTED: 403,
  PROXY_NOT_ALLOWED: 422,
  PROXY_FOR_SELF: 422,
  PROXY_PRINCIPAL_NOT_IN_ELECTORATE: 422,
  INVALID_BALLOT: 422,
  NOT_ELIGIBLE: 422,
  UNKNOWN_CONSTITUENCY: 422,
  // dispute cases
  CASE_OPENING: 409,
  CASE_CLOSED: 409,
  SETTLEMENT_PENDING: 409,
  ALREADY_PAUSED: 409,
  CLOCK_NOT_PAUSED: 409,
  NO_TIME_LIMIT: 409,
  LAST_STEP: 409,
  CANNOT_DETERMINE: 409,
  NO_EXTERNAL_AT_STEP: 409,
  // the panel
  PANEL_CLOSED: 409,
  PANEL_NOT_OPEN: 409,
  LETTER_NOT_FAILED: 409,
  LETTER_SENDING: 409,
  NOT_A_PANEL_MEMBER: 403,
  MEMBER_CONFLICTED: 403,
  ALREADY_SCORED: 409,
  INVALID_SCORES: 422,
  OUTCOME_RECORDED: 409,
  UNKNOWN_CONDITION: 404,
  CONDITION_CLOSED: 409,
  NO_NEXT_WAVE: 409,
  CONDITIONS_OPEN: 409,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export function isErrorCode(value: string): value is ErrorCode {
  return Object.prototype.hasOwnProperty.call(ERROR_STATUS, value);
}

/** A workflow's refusal as the error its code names (a code the API does not know is a 409). */
export function refusal(code: string, message: string, details?: unknown): AppError {
  return isErrorCode(code) ? new AppError(code, message, details) : new AppError('CONFLICT', message);
}

/** zod issues as `{ path, message }`, the details of a 422; an unknown key is named with its own path. */
export function zodDetails(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.flatMap((i) =>
    i.code === 'unrecognized_keys'
      ? i.keys.map((key) => ({
          path: [...i.path, key].join('.'),
          message: `"${key}" is not a field here: check its spelling (unknown fields are refused, not ignored)`,
        }))
      : [{ path: i.path.join('.'), message: i.message }],
  );
}

/**
 * Translates what Temporal reports into an AppError: a workflow's business rejection carries
 * its error code as the failure type; an unreachable server is a 503.
 */
export function fromTemporal(err: unknown): AppError | null {
  if (err instanceof WorkflowExecutionAlreadyStartedError) return new AppError('ALREADY_STARTED', 'This workflow has already been started.');
  if (err instanceof WorkflowNotFoundError) return new AppError('NOT_FOUND', 'No such workflow.');
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError)
    return new AppError('UNAVAILABLE', 'The request could not be completed in time; please try again.');
  if (err instanceof WorkflowUpdateFailedError) {
    let cause: unknown = err.cause;
    while (cause && !(cause instanceof ApplicationFailure) && (cause as { cause?: unknown }).cause) cause = (cause as { cause?: unknown }).cause;
    if (cause instanceof ApplicationFailure && cause.type) return refusal(cause.type, cause.message, cause.details?.[0]);
    return new AppError('CONFLICT', (cause as Error | undefined)?.message ?? err.message);
  }
  const grpc = err as { code?: number; details?: string; message?: string };
  if (grpc && typeof grpc.code === 'number' && (grpc.code === 14 || grpc.code === 4))
    return new AppError('UNAVAILABLE', 'The workflow service is unavailable; please try again.');
  if (/workflow execution already completed/i.test(grpc?.message ?? '')) return new AppError('ROUND_CLOSED', 'This process has already finished.');
  return null;
}

export function errorBody(code: ErrorCode, message: string, details: unknown, requestId: string) {
  return { error: { code, message, ...(details === undefined ? {} : { details }) }, requestId };
}

/** The one error middleware: every failure becomes `{ error: { code, message, details }, requestId }`. */
export function errorMiddleware(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const requestId = String(res.locals.requestId ?? '');
    let app: AppError | null = err instanceof AppError ? err : fromTemporal(err);
    if (!app) {
      const e = err as { type?: string; status?: number; code?: string };
      if (e?.type === 'entity.parse.failed') app = new AppError('MALFORMED_JSON', 'The request body is not valid JSON.');
      else if (e?.type === 'entity.too.large') app = new AppError('PAYLOAD_TOO_LARGE', 'The request body is too large.');
      else if (e?.code === 'EBADCSRFTOKEN' || e?.code === 'CSRF_INVALID')
        app = new AppError('CSRF_INVALID', 'This form has expired. Go back, reload the page and try again.');
      else if (e?.type === 'charset.unsupported' || e?.type === 'encoding.unsupported')
        app = new AppError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported request encoding.');
      else if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) app = new AppError('MALFORMED_REQUEST', (err as Error).message);
      // a transaction rolled back because others were in the way (a deadlock broken by the database)
      else if (isContention(err)) app = new AppError('UNAVAILABLE', 'The records were busy just now; please try again.');
    }
    if (!app) {
      // the error and the path may carry the request's token, cookie, link or code: never log them as they are
      log.error({ err: loggableError(err, requestSecrets(req)), requestId, path: redactUrl(req.path) }, 'unhandled error');
      app = new AppError('INTERNAL', 'Something went wrong on our side. It has been logged.');
    }
    const status = ERROR_STATUS[app.code];
    if (status >= 500 && app.code !== 'INTERNAL')
      log.warn({ code: app.code, requestId, path: redactUrl(req.path) }, redactText(app.message, requestSecrets(req)));
    if (res.headersSent) return;
    if (res.locals.html) {
      res
        .status(status)
        .type('html')
        .send(res.locals.renderError ? res.locals.renderError(status, app) : `<p>${app.message}</p>`);
      return;
    }
    res.status(status).json(errorBody(app.code, app.message, app.details, requestId));
  };
}
