import type { Knex } from 'knex';
import type { MailData } from '../mail/compose';
import type { ActivityDeps } from './formation.activities';

/**
 * Ballot links of motions and elections: the action token and the outbox message carrying it,
 * written together through the outbox, once per dedupe key. The words are mail templates:
 * templates/mail/motion-ballot.hbs, motion-reminder.hbs and election-ballot.hbs.
 */

/** Links stay valid for the configured time, and at least a day past the close. */
export function linkExpiry(deps: Pick<ActivityDeps, 'actionTokenTtlDays'>, closesAt: string): string {
  const ttl = Date.now() + deps.actionTokenTtlDays * 86_400_000;
  return new Date(Math.max(ttl, Date.parse(closesAt) + 86_400_000)).toISOString();
}

type BallotTemplate = 'motion-ballot' | 'motion-reminder' | 'election-ballot';

export interface BallotLink<T extends BallotTemplate> {
  /** unique per message; a retried activity finds the earlier message and writes nothing */
  dedupeKey: string;
  kind: 'vote' | 'ballot';
  person: { id: string; email: string };
  subjectId: string;
  documentId: string | null;
  workflowId: string;
  networkId: string;
  expiresAt: string;
  template: T;
  data: (link: string) => MailData[T];
}

/** Writes one ballot link (token and message) in the caller's transaction; false if it was already written. */
export async function writeBallotLink<T extends BallotTemplate>(
  trx: Knex.Transaction,
  deps: Pick<ActivityDeps, 'repos' | 'outbox'>,
  l: BallotLink<T>,
): Promise<boolean> {
  if (await deps.repos.outbox.byDedupeKey(trx, l.dedupeKey)) return false;
  await deps.outbox.queueWithLink(trx, {
    key: l.dedupeKey,
    to: l.person.email,
    networkId: l.networkId,
    template: l.template,
    link: { kind: l.kind, personId: l.person.id, subjectId: l.subjectId, documentId: l.documentId, workflowId: l.workflowId, expiresAt: l.expiresAt },
    data: l.data,
  });
  return true;
}
