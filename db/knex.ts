import { AsyncLocalStorage } from 'node:async_hooks';
import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { Knex } from 'knex';
import { migrationSource } from './migrations';

export type DatabaseTarget = { client: 'sqlite'; filename: string } | { client: 'pg'; url: string };

/**
 * Builds a knex instance for SQLite (embedded default) or Postgres. SQLite runs in WAL mode with
 * foreign keys on, so a crash mid-transaction leaves the last committed state and nothing else.
 */
export function createDb(target: DatabaseTarget): Knex {
  if (target.client === 'sqlite') {
    if (target.filename !== ':memory:') fs.mkdirSync(path.dirname(target.filename), { recursive: true });
    return knexFactory({
      client: 'better-sqlite3',
      connection: { filename: target.filename },
      useNullAsDefault: true,
      pool: {
        min: 1,
        max: 1,
        afterCreate: (conn: SqliteConnection, done: (err: Error | null, conn: unknown) => void) => {
          cacheStatements(conn);
          conn.pragma('journal_mode = WAL');
          conn.pragma('foreign_keys = ON');
          conn.pragma('busy_timeout = 5000');
          conn.pragma('synchronous = FULL');
          done(null, conn);
        },
      },
    });
  }
  return knexFactory({ client: 'pg', connection: target.url, pool: { min: 0, max: 10 } });
}

/** The part of a better-sqlite3 connection knex's pool hands to `afterCreate`. */
interface SqliteConnection {
  pragma(s: string): unknown;
  prepare(sql: string): unknown;
}

/** How many distinct statements one SQLite connection keeps compiled. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * Keeps the connection's compiled statements for reuse: knex prepares every query anew, and on a
 * burst of small reads and writes (200 signers at once) compiling the same few SQL texts again and
 * again was a visible share of the process's CPU. The most recently used texts are kept; a query
 * with a new number of bindings (a longer `IN` list) is one more text and the oldest falls out.
 * A kept statement stays valid across schema changes: SQLite recompiles it when the schema moves.
 * Safe because knex only runs a statement to completion (`all` or `run`), never leaves one open.
 */
function cacheStatements(conn: SqliteConnection): void {
  const prepare = conn.prepare.bind(conn);
  const kept = new Map<string, unknown>();
  conn.prepare = (sql: string) => {
    let statement = kept.get(sql);
    if (statement !== undefined) kept.delete(sql);
    else {
      statement = prepare(sql);
      if (kept.size >= STATEMENT_CACHE_SIZE) kept.delete(kept.keys().next().value!);
    }
    kept.set(sql, statement);
    return statement;
  };
}

/** The PostgreSQL advisory lock that lets one process at a time run migrations ("FWMIGRAT"). */
const MIGRATION_LOCK = 0x46574d4947524154n;

/**
 * Runs pending migrations. Several processes (servers, workers) may start together. On PostgreSQL
 * they take turns under an advisory lock held by a transaction of their own: knex's own lock is
 * not enough on an empty database, where processes meeting to create its tables could fail on
 * PostgreSQL's catalogue or leave its lock table with two rows, locked for ever. On SQLite (one
 * process) the one that gets knex's lock migrates and the others wait for it rather than fail.
 */
export async function migrateLatest(db: Knex, waitMs = 60_000): Promise<void> {
  if (isPostgres(db)) {
    await db.transaction(async (trx) => {
      await trx.raw('select pg_advisory_xact_lock(?)', [MIGRATION_LOCK.toString()]);
      await migrateWhenFree(db, waitMs);
    });
    return;
  }
  await migrateWhenFree(db, waitMs);
}

async function migrateWhenFree(db: Knex, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      await db.migrate.latest({ migrationSource });
      return;
    } catch (err) {
      const busy = (err as Error).name === 'MigrationLocked' || /locked|SQLITE_BUSY|already exists/i.test((err as Error).message);
      if (!busy || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

export async function migrateRollbackAll(db: Knex): Promise<void> {
  await db.migrate.rollback({ migrationSource }, true);
}

export function isPostgres(db: Knex): boolean {
  return db.client.config.client === 'pg';
}

/**
 * Throws when called from inside `transactionRetryingContention`'s callback: `what` (a workflow
 * call, a message sent) is outside the database, so a transaction run again would do it again.
 * Do it after the transaction has committed.
 */
export function assertOutsideRetriedTransaction(what: string): void {
  if (retried.getStore()) {
    throw new Error(`${what} inside a transaction that runs again on contention: it would be repeated; do it after the transaction commits`);
  }
}

/**
 * A failure that says only that other transactions were in the way: PostgreSQL broke a deadlock
 * (40P01) or could not serialise (40001), or SQLite stayed busy. The transaction rolled back whole,
 * so running it again is safe.
 */
export function isContention(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001' || code === 'SQLITE_BUSY';
}

/** Set while a transaction that may run again is running, for `assertOutsideRetriedTransaction`. */
const retried = new AsyncLocalStorage<true>();

/**
 * Runs `fn` in a transaction, again (up to `attempts` times in all) when it failed by contention
 * alone. `fn` must do database work only: anything else (a workflow call, mail) would be done once
 * per attempt, and `assertOutsideRetriedTransaction` refuses it.
 */
export async function transactionRetryingContention<T>(db: Knex, fn: (trx: Knex.Transaction) => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await retried.run(true, () => db.transaction(fn));
    } catch (err) {
      if (attempt >= attempts || !isContention(err)) throw err;
      // a short, random pause so the transactions that met do not meet again at once
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * attempt));
    }
  }
}
