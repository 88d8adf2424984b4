import type { Knex } from 'knex';
import { isUniqueViolation } from '../db/repos/executor';
import type { AuditEvent } from '../domain/audit-events';
import { writeAudited } from './audited-write';
import type { ActivityDeps } from './formation.activities';

/** Who voted: the turnout row (false when an earlier attempt wrote it), the link used and the audit event. */
export interface WhoVoted {
  insertTurnout: (trx: Knex.Transaction) => Promise<boolean>;
  /** the motion or election, whose action token `castBy` used */
  subjectId: string;
  castBy: string;
  event: AuditEvent;
  networkId: string;
}

/** A unique violation is an earlier attempt's write found again. */
function ignoreRepeat(err: unknown): void {
  if (!isUniqueViolation(err)) throw err;
}

/**
 * Writes an accepted ballot of a motion or an election in two transactions: first who voted, then
 * what was voted (the ballot row, keyed by its receipt). Apart, they never share a Postgres
 * transaction id, so a secret ballot cannot be linked to its voter. Each finds its earlier self on a
 * retry, so a crash between them neither loses nor doubles a ballot (the workflow retries the
 * activity with the same input until it succeeds).
 */
export async function writeBallotApart(
  { db, repos }: Pick<ActivityDeps, 'db' | 'repos'>,
  who: WhoVoted,
  writeBallot: (trx: Knex.Transaction) => Promise<unknown>,
): Promise<void> {
  await writeAudited(
    { db, repos },
    async (trx) => {
      if (!(await who.insertTurnout(trx))) return false;
      await repos.tokens.markActionTokenUsed(trx, who.subjectId, who.castBy);
      return true;
    },
    { actor: `person:${who.castBy}`, event: who.event, networkId: who.networkId },
  ).catch(ignoreRepeat);
  await db.transaction(writeBallot).catch(ignoreRepeat);
}
