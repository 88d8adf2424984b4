import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { createDb, migrateLatest } from '../../db/knex';
import { injectedPostgresUrl } from '../setup/temporal-env';
import { freshPostgresDatabase } from './stack';

/**
 * A fresh database with every migration run, for tests below the API on both kinds: a SQLite file in
 * a directory of its own, or a new database in the suite's PostgreSQL. What removes it (the
 * connection, then the file or the database) is pushed to `cleanups`, to run in reverse order.
 */
export async function freshMigratedDb(kind: 'sqlite' | 'postgres', cleanups: (() => Promise<void>)[]): Promise<Knex> {
  let db: Knex;
  if (kind === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-db-'));
    cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    db = createDb({ client: 'sqlite', filename: path.join(dir, 'formwork.db') });
  } else {
    const fresh = await freshPostgresDatabase(injectedPostgresUrl());
    cleanups.push(fresh.drop);
    db = createDb({ client: 'pg', url: fresh.url });
  }
  cleanups.push(() => db.destroy());
  await migrateLatest(db);
  return db;
}
