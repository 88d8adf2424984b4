import crypto from 'node:crypto';
import express from 'express';
import type { Knex } from 'knex';
import pino from 'pino';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { connectClient } from '../../bin/runtime';
import { loadConfig } from '../../config';
import { assertOutsideRetriedTransaction, transactionRetryingContention } from '../../db/knex';
import type { Repos } from '../../db/repos';
import { deliverPending } from '../../mail/delivery';
import { errorMiddleware } from '../../server/errors';
import { freshMigratedDb } from '../support/databases';
import { testCodec, testCodecKeys } from '../support/codec';

/**
 * A transaction that met others (a deadlock PostgreSQL broke) rolled back whole: an audited read
 * runs it again, and anything else answers 503 "try again", never a 500.
 */
describe('contention between transactions', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('deadlocks on PostgreSQL for real, and the retrying transaction comes through with one write', async () => {
    const db: Knex = await freshMigratedDb('postgres', cleanups);
    await db.schema.createTable('contended', (t) => {
      t.integer('id').primary();
      t.integer('n');
    });
    await db('contended').insert([
      { id: 1, n: 0 },
      { id: 2, n: 0 },
    ]);
    // two transactions lock the two rows in opposite orders: PostgreSQL breaks the deadlock by
    // failing one of them (40P01); the retrying one is run again and succeeds
    let attemptsOfRetrying = 0;
    const bothLocked = { count: 0, release: () => undefined as void };
    const barrier = new Promise<void>((resolve) => (bothLocked.release = resolve));
    const lockFirst = async (trx: Knex.Transaction, first: number, second: number) => {
      await trx('contended').where({ id: first }).increment('n', 1);
      if (++bothLocked.count === 2) bothLocked.release();
      await barrier;
      await trx('contended').where({ id: second }).increment('n', 1);
    };
    const results = await Promise.allSettled([
      transactionRetryingContention(db, async (trx) => {
        attemptsOfRetrying++;
        await lockFirst(trx, 1, 2);
      }),
      db.transaction((trx) => lockFirst(trx, 2, 1)),
    ]);
    expect(results[0].status).toBe('fulfilled');
    // either the plain one lost the deadlock, or the retrying one lost it and was run again
    const plainFailed = results[1].status === 'rejected';
    if (plainFailed) expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: '40P01' });
    else expect(attemptsOfRetrying).toBe(2);
    const rows = await db('contended').orderBy('id').select('n');
    const committed = plainFailed ? 1 : 2;
    expect(rows.map((r) => Number(r.n))).toEqual([committed, committed]);
  });

  it('runs a transaction again only for contention, and at most three times', async () => {
    const db: Knex = await freshMigratedDb('sqlite', cleanups);
    const deadlock = Object.assign(new Error('deadlock detected'), { code: '40P01' });
    /** Runs `attempt` (given its call number) in a retrying transaction: its outcome and how many calls it took. */
    const run = async (attempt: (call: number) => string) => {
      let calls = 0;
      const outcome = await transactionRetryingContention(db, async () => attempt(++calls)).then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      );
      return { outcome, calls };
    };
    const other = Object.assign(new Error('not null constraint failed'), { code: 'SQLITE_CONSTRAINT' });

    expect(
      await run((call) => {
        if (call === 1) throw deadlock;
        return 'done';
      }),
    ).toEqual({ outcome: { value: 'done' }, calls: 2 });
    expect(
      await run(() => {
        throw deadlock;
      }),
    ).toEqual({ outcome: { error: deadlock }, calls: 3 });
    expect(
      await run(() => {
        throw other;
      }),
    ).toEqual({ outcome: { error: other }, calls: 1 });
  });

  it('refuses a workflow call or mail from inside a transaction that runs again, and allows them after its commit', async () => {
    const db: Knex = await freshMigratedDb('sqlite', cleanups);
    const inside = <T>(fn: () => Promise<T>) =>
      transactionRetryingContention(db, async (trx) => {
        await trx.raw('select 1');
        return fn();
      });
    await expect(inside(async () => assertOutsideRetriedTransaction('a call'))).rejects.toThrow(/a call inside a transaction that runs again/);
    await inside(async () => 'database work only');
    expect(() => assertOutsideRetriedTransaction('a call')).not.toThrow();
    // a plain transaction is never run again, so it is not the guard's business
    await db.transaction(async () => assertOutsideRetriedTransaction('a call'));

    // the client every composition root connects, against the real Temporal server
    const config = loadConfig({ TEMPORAL_CODEC_KEYS: testCodecKeys, DATA_DIR: '/nonexistent' });
    const client = await connectClient(config, inject('temporalAddress'), testCodec);
    cleanups.push(() => client.connection.close());
    const workflowId = `guarded-${crypto.randomBytes(4).toString('hex')}`;
    const start = () => client.workflow.start('formationWorkflow', { taskQueue: `guard-${workflowId}`, workflowId, args: [] });
    await expect(inside(start)).rejects.toThrow(/starting workflow formationWorkflow inside a transaction/);
    await expect(client.workflow.getHandle(workflowId).describe()).rejects.toThrow(/not found/i);
    // after the commit the same start goes through
    const handle = await start();
    cleanups.push(() => handle.terminate('test over').then(() => undefined));
    await expect(inside(() => handle.signal('nudge'))).rejects.toThrow(/the signal nudge inside/);
    await expect(inside(() => handle.executeUpdate('submitStageData', { args: [] }))).rejects.toThrow(/the update submitStageData inside/);
    await expect(inside(() => handle.cancel())).rejects.toThrow(/cancelling a workflow inside/);

    // mail goes out only from delivery, which refuses to run inside such a transaction too
    // (refused before any read: without a mailer configured, delivery outside it has nothing to do)
    const deps = { db, repos: {} as Repos, log: pino({ level: 'silent' }) };
    await expect(inside(() => deliverPending(deps, ['any']))).rejects.toThrow(/sending mail inside/);
    await expect(deliverPending(deps, ['any'])).resolves.toBeUndefined();
  });

  it('answers a deadlock that reaches a request as 503 "try again", not 500', async () => {
    const app = express();
    app.get('/busy', () => {
      throw Object.assign(new Error('select * from "audit_head" for update - deadlock detected'), { code: '40P01' });
    });
    app.use(errorMiddleware(pino({ level: 'silent' })));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as { port: number };
      const res = await fetch(`http://127.0.0.1:${port}/busy`);
      expect(res.status).toBe(503);
      expect((await res.json()).error).toMatchObject({ code: 'UNAVAILABLE', message: 'The records were busy just now; please try again.' });
    } finally {
      server.close();
    }
  });
});
