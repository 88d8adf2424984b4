import { AppError } from '../errors';

/** What the motions and elections services share when they handle a request. */

/** An ISO instant that must lie in the future, normalised to UTC. */
export function futureInstant(iso: string, field: string): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) throw new AppError('VALIDATION_FAILED', `${field} is not a date-time.`, [{ path: field, message: 'must be an ISO date-time' }]);
  if (at <= Date.now()) throw new AppError('VALIDATION_FAILED', `${field} must be in the future.`, [{ path: field, message: 'must be in the future' }]);
  return new Date(at).toISOString();
}
