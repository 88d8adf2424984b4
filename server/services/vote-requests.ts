import type { Client } from '@temporalio/client';
import type { ActionToken } from '../../db/repos/tokens.repo';
import type { Person } from '../../db/repos/records.repo';
import { AppError, fromTemporal } from '../errors';
import { withDeadline } from './deadline';

/** What the motions and elections services share when they handle a request. */

/**
 * A ballot link resolved from its secret: the token and the person it was sent to. Each service
 * resolves its own kind in one function (`resolveVoteLink`, `resolveBallotLink`); route-level
 * token resolution will hand handlers this instead.
 */
export interface ResolvedLink {
  secret: string;
  token: ActionToken;
  person: Person & { practiceName: string; networkId: string };
}

/**
 * Calls Temporal with the interactive deadline and maps its failures to our error codes. The
 * workflow's validator is the judge: its rejection arrives here as an error code. `finished` is
 * the error for a workflow that has already completed (a vote closed, an election counted): the
 * caller has found the motion or election, so a workflow that no longer takes updates (or whose
 * history has passed its retention) has finished.
 */
export async function callWorkflow<T>(temporal: Client, fn: () => Promise<T>, finished: () => AppError): Promise<T> {
  try {
    return await withDeadline(temporal, fn);
  } catch (err) {
    const mapped = fromTemporal(err);
    if (mapped?.code === 'ROUND_CLOSED' || mapped?.code === 'NOT_FOUND') throw finished();
    throw mapped ?? err;
  }
}

/** An ISO instant that must lie in the future, normalised to UTC. */
export function futureInstant(iso: string, field: string): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) throw new AppError('VALIDATION_FAILED', `${field} is not a date-time.`, [{ path: field, message: 'must be an ISO date-time' }]);
  if (at <= Date.now()) throw new AppError('VALIDATION_FAILED', `${field} must be in the future.`, [{ path: field, message: 'must be in the future' }]);
  return new Date(at).toISOString();
}

/** The credential check of a ballot: the link has not expired. */
export function assertLinkLive(token: ActionToken): void {
  if (Date.parse(token.expiresAt) <= Date.now()) throw new AppError('TOKEN_EXPIRED', 'This link has expired. Ask the facilitator to send a new one.');
}

export function isExpired(token: ActionToken): boolean {
  return Date.parse(token.expiresAt) <= Date.now();
}
