import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { afterEach, describe, expect, it } from 'vitest';
import { createDb } from '../../db/knex';

/**
 * The SQLite connection keeps its compiled statements for reuse (db/knex.ts). A kept statement must
 * behave as a fresh one would: it sees the latest rows and the latest schema, a rolled-back
 * transaction through it leaves nothing, and a connection that has run more distinct statements
 * than it keeps still runs the old ones.
 */
describe('SQLite statements kept for reuse', () => {
  let db: Knex | null = null;
  let dir = '';
  afterEach(async () => {
    await db?.destroy();
    db = null;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function open(): Promise<Knex> {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-statements-'));
    db = createDb({ client: 'sqlite', filename: path.join(dir, 's.db') });
    await db.schema.createTable('items', (t) => {
      t.integer('id').primary();
      t.string('name');
    });
    return db;
  }

  it('compiles a SQL text once and hands the same statement back after', async () => {
    const db = await open();
    const conn = (await db.client.acquireConnection()) as { prepare(sql: string): unknown };
    try {
      const first = conn.prepare('select id from items');
      expect(conn.prepare('select id from items')).toBe(first);
      expect(conn.prepare('select name from items')).not.toBe(first);
    } finally {
      await db.client.releaseConnection(conn);
    }
  });

  it('reads the rows written since the statement was first run', async () => {
    const db = await open();
    for (let i = 1; i <= 5; i++) {
      await db('items').insert({ id: i, name: `item ${i}` });
      const rows = await db('items').select('id').orderBy('id');
      expect(rows.map((r) => r.id)).toEqual(Array.from({ length: i }, (_, k) => k + 1));
    }
  });

  it('follows the schema when a table gains a column, or is dropped and made again', async () => {
    const db = await open();
    await db('items').insert({ id: 1, name: 'first' });
    expect(await db('items').select('*')).toEqual([{ id: 1, name: 'first' }]);
    await db.schema.alterTable('items', (t) => t.string('colour').defaultTo('green'));
    expect(await db('items').select('*')).toEqual([{ id: 1, name: 'first', colour: 'green' }]);
    await db.schema.dropTable('items');
    await db.schema.createTable('items', (t) => {
      t.integer('id').primary();
      t.integer('size');
    });
    await db('items').insert({ id: 2, size: 7 });
    expect(await db('items').select('*')).toEqual([{ id: 2, size: 7 }]);
  });

  it('leaves nothing of a rolled-back transaction that ran kept statements', async () => {
    const db = await open();
    await db('items').insert({ id: 1, name: 'kept' });
    await expect(
      db.transaction(async (trx) => {
        await trx('items').insert({ id: 2, name: 'rolled back' });
        await trx('items').where({ id: 1 }).update({ name: 'changed' });
        throw new Error('stop');
      }),
    ).rejects.toThrow('stop');
    expect(await db('items').select('*').orderBy('id')).toEqual([{ id: 1, name: 'kept' }]);
  });

  it('still runs the first statements after many more distinct ones than it keeps', async () => {
    const db = await open();
    await db('items').insert({ id: 1, name: 'one' });
    // each IN list of a new length is a new SQL text: 700 of them, more than the 500 kept
    for (let n = 1; n <= 700; n++) {
      const ids = Array.from({ length: n }, (_, k) => k + 1);
      expect(await db('items').whereIn('id', ids).count({ n: '*' })).toEqual([{ n: 1 }]);
    }
    expect(await db('items').whereIn('id', [1]).select('name')).toEqual([{ name: 'one' }]);
  });
});
