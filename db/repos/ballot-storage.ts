import type { Knex } from 'knex';
import type { Executor } from './executor';

/**
 * Storage hygiene for secret ballots. While a vote is open its ballot rows sit in arrival order
 * (on Postgres each with the transaction id that wrote it), which a database administrator could
 * line up with the turnout rows written just before them. At the close the rows are rewritten in
 * random-id order in one transaction, so they all carry that transaction's id, and the dead
 * versions the rewrite leaves behind are vacuumed away.
 */

/** Rewrites the rows matching `where` in id order, in the caller's transaction. */
export async function rewriteInIdOrder(trx: Executor, table: string, where: Record<string, string>): Promise<number> {
  const rows = await trx(table).where(where).orderBy('id');
  if (rows.length === 0) return 0;
  await trx(table).where(where).delete();
  for (let i = 0; i < rows.length; i += 200) await trx(table).insert(rows.slice(i, i + 200));
  return rows.length;
}

/** On Postgres, removes dead row versions of `table` (they still carry the old order); nothing to do on SQLite. */
export async function vacuumTable(db: Knex, table: string): Promise<void> {
  if (db.client.config.client !== 'pg') return;
  // VACUUM cannot run inside a transaction: this runs on its own pooled connection
  await db.raw('vacuum ??', [table]);
}
