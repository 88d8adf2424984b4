import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { afterAll, describe, expect, it } from 'vitest';
import { evidenceKey, GENESIS, legacyLinkHash } from '../../db/audit-chain';
import { createCheckpointStore } from '../../db/audit-checkpoints';
import { createDb, migrateLatest } from '../../db/knex';
import { createRepos } from '../../db/repos';
import { EvidenceKeyMismatchError } from '../../db/repos/audit.repo';
import { apiClient } from '../support/api';
import { testAuditEvidence } from '../support/codec';
import { freshPostgresDatabase, startInProcessStack } from '../support/stack';
import { injectedPostgresUrl, injectedTemporalAddress } from '../setup/temporal-env';

const event = (i: number) => ({ type: 'programme.created' as const, programmeId: `p${i}`, name: `Programme ${i}` });

/**
 * The audit chain against someone who can write the database but holds neither the evidence key
 * nor the checkpoint directory: deleting the newest events, rewriting the head, and recomputing the
 * chain are each reported with a reason. Real SQLite and Postgres.
 */
describe.each(['sqlite', 'postgres'] as const)('keyed, anchored audit chain on %s', (kind) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  async function openDb(): Promise<Knex> {
    let db: Knex;
    if (kind === 'sqlite') {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-chain-'));
      db = createDb({ client: 'sqlite', filename: path.join(dir, 'a.db') });
      cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    } else {
      const fresh = await freshPostgresDatabase(injectedPostgresUrl());
      db = createDb({ client: 'pg', url: fresh.url });
      cleanups.push(fresh.drop);
    }
    cleanups.push(() => db.destroy());
    await migrateLatest(db);
    return db;
  }

  /** A database with `n` events appended by a process holding the key. */
  async function chainOf(n: number) {
    const db = await openDb();
    const evidence = testAuditEvidence();
    const repos = createRepos(evidence);
    await repos.audit.ensureKeyed(db);
    for (let i = 1; i <= n; i++) await db.transaction((trx) => repos.audit.append(trx, 'tester', event(i)));
    return { db, evidence, audit: repos.audit };
  }

  const codes = (report: { problems: { code: string }[] }) => report.problems.map((p) => p.code);

  it('holds, with the head and the latest checkpoint named', async () => {
    const { db, audit } = await chainOf(6);
    const report = await audit.verify(db);
    expect(report).toMatchObject({ valid: true, checked: 6, problems: [], head: { seq: 6 }, checkpoint: { seq: 6 } });
    expect(report.checkpoint!.hash).toBe(report.head.hash);
    expect(report.reason).toBeUndefined();
  });

  it('reports the deletion of the newest events, even with the head rewritten to match', async () => {
    const { db, audit } = await chainOf(6);
    await db('audit_events').where('seq', '>', 4).delete();
    const last = await db('audit_events').where({ seq: 4 }).first();
    await db('audit_head').where({ id: 1 }).update({ seq: 4, hash: last.hash });
    const report = await audit.verify(db);
    expect(report.valid).toBe(false);
    // the chain that is left is internally whole: only the checkpoint knows events 5 and 6 existed
    expect(codes(report)).toEqual(['truncated']);
    expect(report.problems[0]).toMatchObject({ seq: 5 });
    expect(report.reason).toMatch(/records audit event 6, but the table ends at 4: the newest events were deleted/);
  });

  it('reports a rewritten head row', async () => {
    const { db, audit } = await chainOf(4);
    const third = await db('audit_events').where({ seq: 3 }).first();
    await db('audit_head').where({ id: 1 }).update({ seq: 3, hash: third.hash });
    const report = await audit.verify(db);
    expect(report.valid).toBe(false);
    expect(codes(report)).toEqual(['head-mismatch']);
    expect(report.reason).toMatch(/head row says the chain ends at event 3/);
  });

  it('answers, rather than fails, when the head row is gone or a row is not even JSON', async () => {
    const { db, audit } = await chainOf(3);
    await db('audit_events').where({ seq: 2 }).update({ data: '{not json' });
    expect(codes(await audit.verify(db))).toEqual(['type-mismatch']);
    await db('audit_head').delete();
    const report = await audit.verify(db);
    expect(codes(report)).toEqual(['head-mismatch', 'type-mismatch']);
    expect(report.reason).toMatch(/audit_head row is missing/);
    await expect(db.transaction((trx) => audit.append(trx, 'tester', event(4)))).rejects.toThrow(/audit_head row is missing/);
  });

  it('reports a chain recomputed without the key', async () => {
    const { db, audit } = await chainOf(6);
    // rewrite event 3 and re-link everything after it as the old, keyless chain did
    await db('audit_events')
      .where({ seq: 3 })
      .update({ data: JSON.stringify({ type: 'programme.created', programmeId: 'p3', name: 'Rewritten' }) });
    const rows = await db('audit_events').orderBy('seq');
    let prev = GENESIS;
    for (const r of rows) {
      const hash = legacyLinkHash(prev, { seq: r.seq, id: r.id, at: r.at, actor: r.actor, networkId: r.network_id, data: JSON.parse(r.data) });
      await db('audit_events').where({ seq: r.seq }).update({ prev_hash: prev, hash });
      prev = hash;
    }
    await db('audit_head').where({ id: 1 }).update({ hash: prev });
    const report = await audit.verify(db);
    expect(report.valid).toBe(false);
    expect(report.firstBrokenSeq).toBe(1);
    expect(codes(report)).toEqual(['link-mismatch', 'checkpoint-mismatch']);
    expect(report.reason).toMatch(/not carry a valid link under the evidence key/);
    // and a chain recomputed under a guessed key fails the same way
    const guessed = evidenceKey('a guessed key that is long enough to be accepted');
    const again = createRepos({ key: guessed, checkpoints: createCheckpointStore({ dir: fs.mkdtempSync(path.join(os.tmpdir(), 'fw-guess-')), key: guessed }) });
    await db('audit_head').where({ id: 1 }).update({ key_id: guessed.id });
    expect((await again.audit.verify(db)).problems.map((p) => p.code)).toContain('link-mismatch');
  });

  it('reports an edited checkpoint file, and a checkpoint directory that is missing', async () => {
    const { db, audit, evidence } = await chainOf(3);
    const file = fs.readdirSync(evidence.dir).map((n) => path.join(evidence.dir, n))[0];
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    const forged = { ...JSON.parse(lines[2]), seq: 2 };
    fs.appendFileSync(file, `${JSON.stringify(forged)}\n`);
    expect(codes(await audit.verify(db))).toEqual(['checkpoint-forged']);
    fs.rmSync(evidence.dir, { recursive: true, force: true });
    expect(codes(await audit.verify(db))).toEqual(['no-checkpoint']);
  });

  it('checkpoints only what committed: a rolled-back append leaves no trace', async () => {
    const { db, audit, evidence } = await chainOf(2);
    const linesBefore = evidence.checkpoints.readAll().checkpoints.length;
    await expect(
      db.transaction(async (trx) => {
        await audit.append(trx, 'tester', event(99));
        throw new Error('the change this event records failed');
      }),
    ).rejects.toThrow(/failed/);
    expect(evidence.checkpoints.readAll().checkpoints).toHaveLength(linesBefore);
    await db.transaction((trx) => audit.append(trx, 'tester', event(3)));
    expect(await audit.verify(db)).toMatchObject({ valid: true, checked: 3, checkpoint: { seq: 3 } });
  });

  it('anchors appends from several processes sharing the checkpoint directory', async () => {
    const { db, evidence } = await chainOf(0);
    // two "processes" on two hosts: same key, own checkpoint file each, appending at once
    const a = createRepos({ key: evidence.key, checkpoints: createCheckpointStore({ dir: evidence.dir, key: evidence.key, host: 'server-a' }) });
    const b = createRepos({ key: evidence.key, checkpoints: createCheckpointStore({ dir: evidence.dir, key: evidence.key, host: 'worker-b' }) });
    await Promise.all(Array.from({ length: 20 }, (_, i) => db.transaction((trx) => (i % 2 ? a : b).audit.append(trx, 'tester', event(i)))));
    expect(fs.readdirSync(evidence.dir).sort()).toEqual(['checkpoints-server-a.log', 'checkpoints-worker-b.log']);
    expect(await a.audit.verify(db)).toMatchObject({ valid: true, checked: 20, checkpoint: { seq: 20 } });
  });

  it('refuses a process holding another key, and keys an old chain once with an audit event saying so', async () => {
    const { db } = await chainOf(3);
    const other = testAuditEvidence();
    const stranger = createRepos(other);
    await expect(stranger.audit.ensureKeyed(db)).rejects.toBeInstanceOf(EvidenceKeyMismatchError);
    await expect(db.transaction((trx) => stranger.audit.append(trx, 'x', event(9)))).rejects.toBeInstanceOf(EvidenceKeyMismatchError);
    expect(Number((await db('audit_head').first()).seq)).toBe(3);

    // a database from before keying: SHA-256 links, no key id, no checkpoints anywhere
    const old = await openDb();
    let prev = GENESIS;
    for (let seq = 1; seq <= 3; seq++) {
      const row = { seq, id: `old-${seq}`, at: new Date().toISOString(), actor: 'tester', networkId: null, data: event(seq) };
      const hash = legacyLinkHash(prev, row);
      await old('audit_events').insert({
        seq,
        id: row.id,
        at: row.at,
        type: 'programme.created',
        actor: 'tester',
        network_id: null,
        data: JSON.stringify(row.data),
        prev_hash: prev,
        hash,
      });
      prev = hash;
    }
    await old('audit_head').where({ id: 1 }).update({ seq: 3, hash: prev });
    const upgraded = createRepos(other);
    expect(await upgraded.audit.ensureKeyed(old)).toEqual({ rekeyedRows: 3 });
    expect(await upgraded.audit.ensureKeyed(old)).toEqual({ rekeyedRows: 0 });
    const rekeyed = (await upgraded.audit.list(old)).at(-1)!;
    expect(rekeyed.data).toEqual({ type: 'audit.rekeyed', keyId: other.key.id, rows: 3, legacyHeadSeq: 3, legacyHeadHash: prev, legacyChainValid: true });
    expect(await upgraded.audit.verify(old)).toMatchObject({ valid: true, checked: 4, checkpoint: { seq: 4 } });

    // clearing the key id to launder rewritten rows through a second re-key is refused
    await old('audit_head').where({ id: 1 }).update({ key_id: null });
    await expect(upgraded.audit.ensureKeyed(old)).rejects.toThrow(/lost its key id although checkpoints of a keyed chain exist/);
    expect(codes(await upgraded.audit.verify(old))).toContain('wrong-key');
  });

  it('answers GET /audit/verify with the reason, through the running server', async () => {
    let database: 'sqlite' | { postgresUrl: string } = 'sqlite';
    if (kind === 'postgres') {
      const fresh = await freshPostgresDatabase(injectedPostgresUrl());
      cleanups.push(fresh.drop);
      database = { postgresUrl: fresh.url };
    }
    const stack = await startInProcessStack({ temporalAddress: injectedTemporalAddress(), database });
    cleanups.push(() => stack.stop());
    const api = apiClient(stack.baseUrl, stack.token);
    for (let i = 0; i < 3; i++)
      expect((await api.post('/programmes', { name: `Chain ${i}`, sponsor: 'S', footprint: { minListSize: 1, maxListSize: 2 } })).status).toBe(201);
    const before = await api.get('/audit/verify');
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ valid: true, problems: [], checkpoint: { seq: before.body.head.seq } });
    expect(fs.readdirSync(path.join(stack.dataDir, 'audit-checkpoints')).length).toBe(1);

    const head = before.body.head.seq as number;
    await stack.db('audit_events').where({ seq: head }).delete();
    const previous = await stack
      .db('audit_events')
      .where({ seq: head - 1 })
      .first();
    await stack
      .db('audit_head')
      .where({ id: 1 })
      .update({ seq: head - 1, hash: previous.hash });
    const after = await api.get('/audit/verify');
    expect(after.status).toBe(200);
    expect(after.body.valid).toBe(false);
    expect(after.body.problems).toEqual([expect.objectContaining({ code: 'truncated', seq: head })]);
    expect(after.body.reason).toMatch(/newest events were deleted/);
  });
});
