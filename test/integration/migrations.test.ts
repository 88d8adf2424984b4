import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDb, migrateLatest, migrateRollbackAll } from '../../db/knex';
import { migrationSource } from '../../db/migrations';
import { createRepos } from '../../db/repos';
import { testAuditEvidence } from '../support/codec';
import { onePracticeNetwork, seedIssuedDocument, seedNetwork } from '../support/network-seed';
import { freshPostgresDatabase } from '../support/stack';
import { injectedPostgresUrl } from '../setup/temporal-env';

const TABLES = [
  'programmes',
  'waves',
  'networks',
  'practices',
  'people',
  'stages',
  'documents',
  'signoffs',
  'signature_requests',
  'signatures',
  'declines',
  'outbox',
  'api_tokens',
  'action_tokens',
  'audit_events',
  'audit_head',
  'sealed_documents',
  'voting_rule_overrides',
  'motions',
  'motion_proxies',
  'motion_turnout',
  'motion_ballots',
  'elections',
  'election_candidates',
  'election_turnout',
  'election_ballots',
  'appointments',
  'dispute_procedures',
  'disputes',
  'dispute_events',
  'dispute_externals',
  'risks',
  'issues',
  'risk_log_events',
  'persons',
  'grants',
  'grant_programmes',
  'sessions',
  'signin_links',
  'signin_requests',
  'panels',
  'panel_members',
  'panel_presentations',
  'panel_invitations',
  'panel_scores',
  'panel_conditions',
  'readiness_decisions',
  'readiness_snapshots',
];

describe.each(['sqlite', 'postgres'] as const)('migrations on %s', (kind) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  /** A fresh, empty database: its knex, and how to open more connections to the same one. */
  async function openTarget() {
    if (kind === 'sqlite') {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-mig-'));
      cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
      const connect = () => createDb({ client: 'sqlite', filename: path.join(dir, 'm.db') });
      return connect;
    }
    const fresh = await freshPostgresDatabase(injectedPostgresUrl());
    cleanups.push(fresh.drop);
    return () => createDb({ client: 'pg', url: fresh.url });
  }

  async function open() {
    return (await openTarget())();
  }

  it('migrates once when several processes start together on an empty database', async () => {
    // a server and workers starting at once each run the migrations: they meet creating knex's own
    // tables, then on its lock; every one must end with the schema in place and each migration run once
    const connect = await openTarget();
    const dbs = Array.from({ length: 4 }, connect);
    try {
      await Promise.all(dbs.map((db) => migrateLatest(db)));
      const applied = (await dbs[0]('knex_migrations').select('name')).map((r) => String(r.name));
      expect(applied.length).toBeGreaterThan(0);
      expect(new Set(applied).size).toBe(applied.length);
      for (const t of TABLES) expect(await dbs[0].schema.hasTable(t), t).toBe(true);
    } finally {
      await Promise.all(dbs.map((db) => db.destroy()));
    }
  });

  it('runs every migration up, down and up again', async () => {
    const db = await open();
    try {
      await migrateLatest(db);
      for (const t of TABLES) expect(await db.schema.hasTable(t), t).toBe(true);
      await migrateRollbackAll(db);
      for (const t of TABLES) expect(await db.schema.hasTable(t), t).toBe(false);
      await migrateLatest(db);
      expect(await db.schema.hasTable('audit_events')).toBe(true);
    } finally {
      await db.destroy();
    }
  });

  it('takes an action link for a person outside the practices (a dispute’s LMC officer), and keeps other links’ tables intact', async () => {
    const db = await open();
    try {
      await migrateLatest(db);
      const token = {
        token_hash: 'h1',
        kind: 'dispute-external',
        person_id: 'external-1',
        subject_id: 'case-1',
        workflow_id: 'w',
        created_at: 'x',
        expires_at: 'y',
      };
      await db('action_tokens').insert({ id: 't1', ...token });
      await db('signing_codes').insert({ id: 'c1', token_id: 't1', code_hash: 'x', created_at: 'x', expires_at: 'y' });
      // the rebuilt table keeps its unique token hash
      await expect(db('action_tokens').insert({ id: 't2', ...token })).rejects.toThrow();
      await migrateRollbackAll(db);
      expect(await db.schema.hasTable('action_tokens')).toBe(false);
    } finally {
      await db.destroy();
    }
  });

  it('makes one person of the same email in two practices, and the oldest facilitator token the administrator’s', async () => {
    const db = await open();
    try {
      // the schema as it was before persons existed, with rows in it
      const before = (await migrationSource.getMigrations([])).filter((name) => name < '20261210000000');
      for (let i = 0; i < before.length; i++) await db.migrate.up({ migrationSource });
      await db('programmes').insert([
        { id: 'p1', name: 'P1', sponsor: 'S', min_list_size: 1, max_list_size: 2, created_at: '2026-01-01T00:00:00.000Z' },
        { id: 'p2', name: 'P2', sponsor: 'S', min_list_size: 1, max_list_size: 2, created_at: '2026-01-01T00:00:00.000Z' },
      ]);
      await db('waves').insert({ id: 'w', programme_id: 'p1', number: 1, panel_date: '2026-06-01', created_at: 'x' });
      await db('networks').insert({ id: 'n', programme_id: 'p1', wave_id: 'w', name: 'N', created_at: 'x' });
      await db('practices').insert([
        { id: 'pa', network_id: 'n', name: 'A', ods_code: 'A1', list_size: 1 },
        { id: 'pb', network_id: 'n', name: 'B', ods_code: 'B1', list_size: 1 },
      ]);
      await db('people').insert([
        { id: 'x1', practice_id: 'pa', name: 'Dr Xi', email: 'xi@example.org', roles: '["partner"]' },
        { id: 'x2', practice_id: 'pb', name: 'Dr Xi', email: 'xi@example.org', roles: '["partner"]' },
        { id: 'y1', practice_id: 'pb', name: 'Dr Yu', email: 'yu@example.org', roles: '["partner"]' },
      ]);
      await db('api_tokens').insert([
        {
          id: 't-admin',
          token_hash: 'a'.repeat(64),
          name: 'Facilitator',
          role: 'facilitator',
          email: 'boss@example.org',
          created_at: '2026-01-01T00:00:00.000Z',
        },
        { id: 't-comm', token_hash: 'b'.repeat(64), name: 'Commissioner', role: 'commissioner', email: null, created_at: '2026-02-01T00:00:00.000Z' },
      ]);
      await migrateLatest(db);

      const people = await db('people').orderBy('id');
      expect(people.find((p) => p.id === 'x1').person_id).toBe(people.find((p) => p.id === 'x2').person_id);
      expect(people.find((p) => p.id === 'y1').person_id).not.toBe(people.find((p) => p.id === 'x1').person_id);
      const admin = await db('persons').where({ email: 'boss@example.org' }).first();
      expect(Boolean(admin.is_admin)).toBe(true);
      expect((await db('api_tokens').where({ id: 't-admin' }).first()).person_id).toBe(admin.id);
      // the other staff token keeps what it could read: commissioner of every programme there was
      const commissioner = await db('api_tokens').where({ id: 't-comm' }).first();
      const grant = await db('grants').where({ person_id: commissioner.person_id }).first();
      expect(grant.role).toBe('commissioner');
      expect((await db('grant_programmes').where({ grant_id: grant.id }).orderBy('programme_id')).map((g) => g.programme_id)).toEqual(['p1', 'p2']);
      expect(Number((await db('persons').count({ n: '*' }).first())?.n)).toBe(4);

      // and back down, with those rows still there
      await migrateRollbackAll(db);
      expect(await db.schema.hasTable('persons')).toBe(false);
    } finally {
      await db.destroy();
    }
  });

  it('keeps the audit chain verifiable and names the first altered row', async () => {
    const db = await open();
    try {
      await migrateLatest(db);
      const { audit } = createRepos(testAuditEvidence());
      for (let i = 0; i < 5; i++) {
        await db.transaction((trx) => audit.append(trx, 'tester', { type: 'programme.created', programmeId: `p${i}`, name: `Programme ${i}` }));
      }
      expect(await audit.verify(db)).toMatchObject({ valid: true, checked: 5, problems: [] });
      await db('audit_events')
        .where({ seq: 3 })
        .update({ data: JSON.stringify({ type: 'programme.created', programmeId: 'p2', name: 'Tampered' }) });
      expect(await audit.verify(db)).toMatchObject({ valid: false, firstBrokenSeq: 3 });
    } finally {
      await db.destroy();
    }
  });

  it('stores one signature per person per round, whatever arrives', async () => {
    const db = await open();
    try {
      await migrateLatest(db);
      const repos = createRepos(testAuditEvidence());
      await seedNetwork(db, repos, {
        network: onePracticeNetwork([
          { id: 'a', name: 'A', email: 'a@x.org' },
          { id: 'b', name: 'B', email: 'b@x.org' },
        ]),
      });
      const pdf = Buffer.from('%PDF-1.7 test');
      await seedIssuedDocument(db, repos, { id: 'd', networkId: 'n', file: pdf });
      expect((await repos.documents.file(db, 'd', 'pdf'))?.equals(pdf)).toBe(true);
      await repos.signoffs.insert(db, {
        id: 's',
        workflowId: 'wf',
        networkId: 'n',
        stageKey: 'terms-of-reference',
        documentId: 'd',
        documentVersion: 1,
        status: 'open',
        rule: {},
        slots: [],
        expiresAt: null,
      });
      const sig = (id: string, personId: string) => ({
        id,
        signoffId: 's',
        documentId: 'd',
        documentVersion: 1,
        documentSha256: 'a'.repeat(64),
        personId,
        practiceId: 'pr',
        typedName: personId,
        capacity: 'partner',
        slotIds: ['pr:partner'],
        consentVersion: 'v',
        method: 'm',
        ip: null,
        userAgent: null,
        signedAt: new Date().toISOString(),
      });
      await repos.signoffs.insertSignature(db, sig('s1', 'a'));
      await expect(repos.signoffs.insertSignature(db, sig('s2', 'a'))).rejects.toThrow();
      expect((await repos.signoffs.signatures(db, { signoffId: 's' })).map((s) => s.personId)).toEqual(['a']);
    } finally {
      await db.destroy();
    }
  });
});
