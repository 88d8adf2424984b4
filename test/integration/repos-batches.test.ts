import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createRepos } from '../../db/repos';
import { hashToken } from '../../db/repos/tokens.repo';
import { createOutbox } from '../../mail/outbox';
import { testAuditEvidence } from '../support/codec';
import { freshMigratedDb } from '../support/databases';
import { seedIssuedDocument, seedNetwork, signLinkMail } from '../support/network-seed';

/**
 * Writes and reads done in one statement for many rows, on both databases: a round's links and
 * messages, and the dashboard's history counted by the database.
 */
describe.each(['sqlite', 'postgres'] as const)('batched writes and counted reads on %s', (kind) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  async function open() {
    const db = await freshMigratedDb(kind, cleanups);
    const repos = createRepos(testAuditEvidence());
    // 130 people: more than one INSERT's worth of rows (100), so the chunks meet
    const people = Array.from({ length: 130 }, (_, i) => ({ id: `p${i}`, name: `Partner ${i}`, email: `p${i}@example.org`, roles: ['partner'] }));
    const { programmeId, networkId } = await seedNetwork(db, repos, {
      network: { id: 'n', name: 'N', practices: [{ id: 'pr', name: 'Practice', odsCode: 'A1', listSize: 10, people }] },
    });
    return { db, repos, people, programmeId, networkId };
  }

  it('writes each link and message once per key, however many at once, and only the new ones on a retry', async () => {
    const { db, repos, people, networkId } = await open();
    const outbox = createOutbox({ db, repos, log: pino({ level: 'silent' }), publicUrl: 'https://formwork.example' });
    const mail = (person: (typeof people)[number]) => signLinkMail(person, networkId);
    const first = await db.transaction((trx) => outbox.queueManyWithLinks(trx, people.slice(0, 120).map(mail)));
    expect(first).toEqual(people.slice(0, 120).map((p) => `round-1:${p.id}`));
    // a retry that also names ten more people writes only theirs
    const again = await db.transaction((trx) => outbox.queueManyWithLinks(trx, people.map(mail)));
    expect(again).toHaveLength(130);
    const messages = await db('outbox').where({ network_id: networkId });
    expect(messages).toHaveLength(130);
    expect(new Set(messages.map((m) => m.dedupe_key)).size).toBe(130);
    const tokens = await db('action_tokens').where({ subject_id: 'signoff-1' });
    expect(tokens).toHaveLength(130);
    // each message carries the link of its own person's token
    for (const m of messages) {
      const [link] = JSON.parse(m.links) as string[];
      expect(link).toMatch(/^https:\/\/formwork\.example\/a\//);
      const secret = link.slice('https://formwork.example/a/'.length);
      const token = tokens.find((t) => t.token_hash === hashToken(secret));
      expect(token?.person_id, m.dedupe_key).toBe(m.dedupe_key.slice('round-1:'.length));
      expect(m.text).toContain(link);
    }
  });

  it('writes many signature requests in one call', async () => {
    const { db, repos, people, networkId } = await open();
    await seedIssuedDocument(db, repos, { id: 'doc-1', networkId, file: Buffer.from('%PDF-1.7') });
    await repos.signoffs.insert(db, {
      id: 'signoff-1',
      workflowId: 'w',
      networkId,
      stageKey: 'terms-of-reference',
      documentId: 'doc-1',
      documentVersion: 1,
      status: 'open',
      expiresAt: '2099-01-01T00:00:00.000Z',
      rule: { partners: 'any-partner', practiceRoles: [], officers: [], order: 'parallel' },
      slots: [],
    });
    await repos.signoffs.insertRequests(
      db,
      people.map((p, i) => ({ id: `r${i}`, signoffId: 'signoff-1', personId: p.id, practiceId: 'pr' })),
    );
    const requests = await repos.signoffs.requests(db, 'signoff-1');
    expect(requests.map((r) => r.personId).sort()).toEqual(people.map((p) => p.id).sort());
    expect(requests.every((r) => r.status === 'pending')).toBe(true);
  });

  it('counts the colours of each earlier day in the database, leaving out today and days before the window', async () => {
    const { db, repos, programmeId, networkId } = await open();
    const snapshot = (day: string, rag: 'red' | 'amber' | 'green', network = networkId) => ({
      networkId: network,
      day,
      programmeId,
      waveId: 'wave',
      rag,
      stagesCompleted: 1,
    });
    await repos.records.insertNetwork(db, { id: 'n2', name: 'N2', programmeId, waveId: 'wave', practices: [] });
    await repos.records.insertNetwork(db, { id: 'n3', name: 'N3', programmeId, waveId: 'wave', practices: [] });
    await repos.readiness.upsertSnapshots(db, [
      snapshot('2027-01-01', 'red'),
      snapshot('2027-01-02', 'red'),
      snapshot('2027-01-02', 'green', 'n2'),
      snapshot('2027-01-02', 'green', 'n3'),
      snapshot('2027-01-03', 'amber'),
      snapshot('2027-01-04', 'green'),
    ]);
    // a second snapshot of the same network and day replaces the first
    await repos.readiness.upsertSnapshots(db, [snapshot('2027-01-03', 'green')]);
    expect(await repos.readiness.ragCountsByDay(db, programmeId, '2027-01-02', '2027-01-04')).toEqual([
      { day: '2027-01-02', red: 1, amber: 0, green: 2 },
      { day: '2027-01-03', red: 0, amber: 0, green: 1 },
    ]);
    expect((await repos.readiness.snapshotsOfDay(db, programmeId, '2027-01-02')).map((s) => s.networkId).sort()).toEqual([networkId, 'n2', 'n3']);
  });
});
