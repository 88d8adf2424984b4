import type { Knex } from 'knex';
import type { AuditEvent } from '../domain/audit-events';
import type { ActivityDeps } from './formation.activities';

/** The audit event of a write: who did it, what happened, and in which network. */
export interface AuditOf {
  actor: string;
  event: AuditEvent;
  networkId: string | null;
}

/**
 * A write and its audit event in one transaction, the event only when the write changed something
 * (`write` answers false when an earlier attempt did it): a retried activity appends nothing twice.
 */
export async function writeAudited(
  { db, repos }: Pick<ActivityDeps, 'db' | 'repos'>,
  write: (trx: Knex.Transaction) => Promise<boolean>,
  audit: AuditOf,
): Promise<void> {
  await db.transaction(async (trx) => {
    if (!(await write(trx))) return;
    await repos.audit.append(trx, audit.actor, audit.event, audit.networkId);
  });
}
