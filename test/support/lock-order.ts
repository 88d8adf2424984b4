import type { Knex } from 'knex';
import { READINESS_SOURCES } from '../../db/migrations/20261217000000_readiness_marks';

/**
 * Watches every statement a stack's database runs for the one lock order that deadlocks: a
 * transaction that appends audit events (holding the chain's head until commit) and then writes a
 * record a network's readiness is built from, whose trigger locks the network's row. Another
 * transaction of the same network that wrote first and audits last then waits for the head while
 * holding the row: PostgreSQL breaks the pair as a deadlock. Audited transactions take the head last.
 *
 * The check reads the statements' order, so it holds on SQLite too (where it cannot deadlock).
 */
export interface LockOrderWatch {
  /** the statements that wrote such a record after their transaction had moved the head */
  violations(): string[];
  stop(): void;
}

const WATCHED = new Set(READINESS_SOURCES.map((s) => s.table));
// identifiers are quoted "so" on PostgreSQL and `so` on SQLite
const WRITE = /^\s*(?:insert\s+into|update|delete\s+from)\s+["`]?([a-z_]+)["`]?/i;
// appending events moves the head (appendMany reads it for update, inserts the events, then moves
// it); a plain read of the head (the seal's manifest) locks nothing
const HEAD_MOVED = /^\s*update\s+["`]?audit_head["`]?/i;

export function watchLockOrder(db: Knex): LockOrderWatch {
  const headTaken = new Set<string>();
  const found: string[] = [];
  const onQuery = (q: { sql?: string; __knexTxId?: string }) => {
    const tx = q.__knexTxId;
    if (!tx || !q.sql) return;
    if (HEAD_MOVED.test(q.sql)) {
      headTaken.add(tx);
      return;
    }
    const table = WRITE.exec(q.sql)?.[1];
    if (table && WATCHED.has(table) && headTaken.has(tx)) found.push(q.sql);
  };
  db.on('query', onQuery);
  return {
    violations: () => [...new Set(found)],
    stop: () => db.removeListener('query', onQuery),
  };
}
