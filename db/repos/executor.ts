import type { Knex } from 'knex';

/** A repository method runs on the shared connection or inside the caller's transaction. */
export type Executor = Knex | Knex.Transaction;

export function nowIso(): string {
  return new Date().toISOString();
}

/**
 * Inserts a row unless one with the same key is there already; true when this call inserted it.
 * Writes that an activity may retry use it, so a second attempt finds the first one's row.
 */
export async function insertOnce(db: Executor, table: string, key: Record<string, unknown>, rest: Record<string, unknown> = {}): Promise<boolean> {
  if (await db(table).where(key).first()) return false;
  await db(table).insert({ ...key, ...rest });
  return true;
}

/** Rows per INSERT statement: well under the bound-parameter limits of SQLite and Postgres. */
export const INSERT_CHUNK = 100;

/** Inserts many rows in as few statements as the bound-parameter limits allow. */
export async function insertRows(db: Executor, table: string, rows: readonly Record<string, unknown>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) await db(table).insert(rows.slice(i, i + INSERT_CHUNK));
}

/** Ids in one `IN (…)` list: well under the bound-parameter limits of both databases. */
export const IN_CHUNK = 500;

/**
 * Rows read for many ids by `IN (…)` lists of at most IN_CHUNK ids, the lists' reads under way at
 * once; the rows come back in the order of the lists, each list's in the order its read gave them.
 */
export async function readInChunks<R>(ids: readonly string[], read: (chunk: readonly string[]) => Promise<readonly R[]>): Promise<R[]> {
  const chunks: (readonly string[])[] = [];
  for (let i = 0; i < ids.length; i += IN_CHUNK) chunks.push(ids.slice(i, i + IN_CHUNK));
  return (await Promise.all(chunks.map(read))).flat();
}

/** Postgres returns Buffers for bytea and SQLite for blobs; normalise either to a Buffer. */
export function toBuffer(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value);
  throw new Error('expected binary column');
}

/** True when a driver error is a unique-constraint violation, on either database. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return (
    e?.code === '23505' ||
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    /UNIQUE constraint failed/.test(e?.message ?? '')
  );
}
