import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDb, migrateLatest, migrateRollbackAll } from '../../db/knex';
import { migrationSource } from '../../db/migrations';
import { createRepos } from '../../db/repos';
import { freshPostgresDatabase } from '../support/stack';
import { injectedPostgresUrl } from '../setup/temporal-env';

const TABLES = ['programmes', 'waves', 'networks', 'practices', 'people', 'stages', 'documents', 'signoffs', 'signature_requests', 'signatures', 'declines', 'outbox', 'api_tokens', 'action_tokens', 'audit_events', 'audit_head', 'sealed_documents', 'voting_rule_overrides', 'motions', 'motion_proxies', 'motion_turnout', 'motion_ballots', 'elections', 'election_candidates', 'election_turnout', 'election_ballots', 'appointments', 'panels', 'panel_members', 'panel_presentations', 'panel_invitations', 'panel_scores', 'panel_conditions', 'readiness_decisions', 'readiness_snapshots'];

describe.each(['sqlite', 'postgres'] as const)('migrations on %s', (kind) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  async function open() {
    if (kind === 'sqlite') {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-mig-'));
      cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
      return createDb({ client: 'sqlite', filename: path.join(dir, 'm.db') });
    }
    const fresh = await freshPostgresDatabase(injectedPostgresUrl());
    cleanups.push(fresh.drop);
    return createDb({ client: 'pg', url: fresh.url });
  }

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

  it('keeps every action link and its codes when links may also be held by panel members', async () => {
    const db = await open();
    try {
      // migrate to just before links could be held by panel members, and hold a link with a code
      for (;;) {
        const [, pending] = (await db.migrate.list({ migrationSource })) as [unknown[], (string | { file?: string; name?: string })[]];
        const next = pending[0];
        if ((typeof next === 'string' ? next : (next?.file ?? next?.name)) === '20261211000000_action_link_holders') break;
        await db.migrate.up({ migrationSource });
      }
      const repos = createRepos();
      await repos.records.insertProgramme(db, { id: 'p', name: 'P', sponsor: 'S', footprint: { minListSize: 1, maxListSize: 2 } });
      await repos.records.insertWave(db, { id: 'w', programmeId: 'p', number: 1, panelDate: '2026-01-01' });
      await repos.records.insertNetwork(db, { id: 'n', programmeId: 'p', waveId: 'w', name: 'N', practices: [{ id: 'pr', name: 'Practice', odsCode: 'A1', listSize: 10, people: [{ id: 'a', name: 'A', email: 'a@x.org', roles: ['partner'] }] }] });
      await repos.tokens.insertActionToken(db, { id: 't1', secret: 'secret-one-000000000000000000', kind: 'sign', personId: 'a', subjectId: 's', documentId: null, documentVersion: null, workflowId: 'wf', expiresAt: '2099-01-01T00:00:00.000Z' });
      await repos.codes.issue(db, 't1');
      await expect(repos.tokens.insertActionToken(db, { id: 't0', secret: 'secret-zero-00000000000000000', kind: 'score', personId: 'panel-member', subjectId: 's', documentId: null, documentVersion: null, workflowId: 'wf', expiresAt: '2099-01-01T00:00:00.000Z' })).rejects.toThrow();

      await migrateLatest(db);
      expect((await repos.tokens.actionTokenBySecret(db, 'secret-one-000000000000000000'))?.personId).toBe('a');
      expect(await db('signing_codes').where({ token_id: 't1' })).toHaveLength(1);
      // a score link names a panel member, who is no practice person
      await repos.tokens.insertActionToken(db, { id: 't2', secret: 'secret-two-000000000000000000', kind: 'score', personId: 'panel-member', subjectId: 's', documentId: null, documentVersion: null, workflowId: 'wf', expiresAt: '2099-01-01T00:00:00.000Z' });
      expect((await repos.tokens.actionTokenBySecret(db, 'secret-two-000000000000000000'))?.kind).toBe('score');
    } finally {
      await db.destroy();
    }
  });

  it('keeps the audit chain verifiable and names the first altered row', async () => {
    const db = await open();
    try {
      await migrateLatest(db);
      const { audit } = createRepos();
      for (let i = 0; i < 5; i++) {
        await db.transaction((trx) => audit.append(trx, 'tester', { type: 'programme.created', programmeId: `p${i}`, name: `Programme ${i}` }));
      }
      expect(await audit.verify(db)).toEqual({ valid: true, checked: 5 });
      await db('audit_events').where({ seq: 3 }).update({ data: JSON.stringify({ type: 'programme.created', programmeId: 'p2', name: 'Tampered' }) });
      expect(await audit.verify(db)).toMatchObject({ valid: false, firstBrokenSeq: 3 });
    } finally {
      await db.destroy();
    }
  });

  it('stores one signature per person per round, whatever arrives', async () => {
    const db = await open();
    try {
      await migrateLatest(db);
      const repos = createRepos();
      await repos.records.insertProgramme(db, { id: 'p', name: 'P', sponsor: 'S', footprint: { minListSize: 1, maxListSize: 2 } });
      await repos.records.insertWave(db, { id: 'w', programmeId: 'p', number: 1, panelDate: '2026-01-01' });
      await repos.records.insertNetwork(db, {
        id: 'n', programmeId: 'p', waveId: 'w', name: 'N',
        practices: [{ id: 'pr', name: 'Practice', odsCode: 'A1', listSize: 10, people: [{ id: 'a', name: 'A', email: 'a@x.org', roles: ['partner'] }, { id: 'b', name: 'B', email: 'b@x.org', roles: ['partner'] }] }],
      });
      const pdf = Buffer.from('%PDF-1.7 test');
      await repos.documents.insert(db, { id: 'd', networkId: 'n', stageKey: 'terms-of-reference', type: 'terms-of-reference', version: 1, title: 'ToR', status: 'issued', templateVersion: 't', sha256Pdf: 'x'.repeat(64), sha256Docx: 'y'.repeat(64), pdf, docx: pdf, markdown: '# ToR', html: '<h1>ToR</h1>', idempotencyKey: 'k' });
      expect((await repos.documents.file(db, 'd', 'pdf'))?.equals(pdf)).toBe(true);
      await repos.signoffs.insert(db, { id: 's', workflowId: 'wf', networkId: 'n', stageKey: 'terms-of-reference', documentId: 'd', documentVersion: 1, status: 'open', rule: {}, slots: [], expiresAt: null });
      const sig = (id: string, personId: string) => ({ id, signoffId: 's', documentId: 'd', documentVersion: 1, documentSha256: 'x'.repeat(64), personId, practiceId: 'pr', typedName: personId, capacity: 'partner', slotIds: ['pr:partner'], consentVersion: 'v', method: 'm', ip: null, userAgent: null, signedAt: new Date().toISOString() });
      await repos.signoffs.insertSignature(db, sig('s1', 'a'));
      await expect(repos.signoffs.insertSignature(db, sig('s2', 'a'))).rejects.toThrow();
      expect((await repos.signoffs.signatures(db, { signoffId: 's' })).map((s) => s.personId)).toEqual(['a']);
    } finally {
      await db.destroy();
    }
  });
});
