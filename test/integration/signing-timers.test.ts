import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFormationActivities } from '../../activities/formation.activities';
import { createSigningActivities } from '../../activities/signing.activities';
import { createDb, migrateLatest } from '../../db/knex';
import { createRepos } from '../../db/repos';
import { DEFAULT_SIGNING_RULE } from '../../domain/signing';
import { extendRoundUpdate, signoffStateQuery } from '../../workflows/messages';
import { signoffWorkflow } from '../../workflows/signoff.workflow';
import { createTimeSkippingEnv } from '../setup/temporal-env';
import { quietRuntime } from '../support/bundle';
import { testAuditEvidence, testDataConverter } from '../support/codec';
import { seedIssuedDocument, seedNetwork } from '../support/network-seed';
import { testActivityDeps, timeSkippingWorker } from '../support/time-skipping';

/**
 * Reminders and expiry are durable timers on working days. Time is skipped on Temporal's test
 * server; the activities write to a real SQLite database.
 */
describe('sign-off reminders and expiry', () => {
  let env: TestWorkflowEnvironment;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-timers-'));
  const db = createDb({ client: 'sqlite', filename: path.join(dir, 't.db') });
  const repos = createRepos(testAuditEvidence(path.join(dir, 'checkpoints')));

  beforeAll(async () => {
    quietRuntime();
    env = await createTimeSkippingEnv({ dataConverter: testDataConverter });
    await migrateLatest(db);
    await seedNetwork(db, repos, {
      network: {
        id: 'net',
        name: 'Timer Network',
        practices: [
          {
            id: 'p1',
            name: 'First Practice',
            odsCode: 'T00001',
            listSize: 5000,
            people: [{ id: 'a', name: 'Dr Ada One', email: 'ada@example.org', roles: ['partner'] }],
          },
          {
            id: 'p2',
            name: 'Second Practice',
            odsCode: 'T00002',
            listSize: 6000,
            people: [{ id: 'b', name: 'Dr Bo Two', email: 'bo@example.org', roles: ['partner'] }],
          },
        ],
      },
    });
    // the programme's facilitator is told when a round expires
    const facilitator = await repos.persons.ensure(db, { email: 'facilitator@example.org', name: 'Facilitator' });
    await repos.persons.grant(db, { personId: facilitator.id, role: 'facilitator', programmeIds: ['prog'] });
    await seedIssuedDocument(db, repos, { id: 'doc', networkId: 'net', file: Buffer.from('%PDF-1.7') });
  });
  afterAll(async () => {
    await env?.teardown();
    await db.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reminds on working days, expires after 30 days, tells the facilitator, and can be extended', async () => {
    const deps = testActivityDeps(db, repos);
    const worker = await timeSkippingWorker(env, 'timers', { ...createFormationActivities(deps), ...createSigningActivities(deps) });
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(signoffWorkflow, {
        taskQueue: 'timers',
        workflowId: `signoff-timers-${crypto.randomUUID()}`,
        args: [
          {
            networkId: 'net',
            stage: 'terms-of-reference',
            documentId: 'doc',
            documentType: 'terms-of-reference',
            documentVersion: 1,
            documentSha256: 'a'.repeat(64),
            documentTitle: 'Terms of reference',
            rule: DEFAULT_SIGNING_RULE,
          },
        ],
      });
      const outbox = async () => repos.outbox.list(db, {});
      const waitFor = async (what: string, check: () => Promise<boolean>) => {
        for (let i = 0; i < 200; i++) {
          if (await check()) return;
          await new Promise((r) => setTimeout(r, 50));
        }
        throw new Error(`timed out waiting for ${what}`);
      };
      await waitFor('the first requests', async () => (await outbox()).length === 2);
      const opened = await handle.query(signoffStateQuery);
      expect(opened.status).toBe('open');
      const days = (opened.expiresAt - Date.parse((await repos.signoffs.byWorkflowId(db, handle.workflowId))!.createdAt)) / 86_400_000;
      expect(Math.round(days)).toBe(30);

      // after the first reminder is due (3 working days), each partner has a reminder with a fresh link
      await env.sleep('6 days');
      await waitFor('reminders', async () => (await outbox()).filter((m) => m.subject.startsWith('Reminder')).length === 2);
      expect((await handle.query(signoffStateQuery)).remindersSent).toBeGreaterThanOrEqual(1);
      const reminded = await db('audit_events').where({ type: 'signature.reminded' });
      expect(reminded.length).toBeGreaterThanOrEqual(1);

      // at 30 days the round expires and the facilitator is told who still owes a signature
      await env.sleep('30 days');
      await waitFor('expiry', async () => (await handle.query(signoffStateQuery)).status === 'expired');
      const expiry = (await outbox()).find((m) => m.subject.startsWith('Expired:'));
      expect(expiry?.to).toBe('facilitator@example.org');
      expect(expiry?.text).toContain('Dr Ada One (First Practice)');
      expect((await repos.signoffs.byWorkflowId(db, handle.workflowId))?.status).toBe('expired');

      // the facilitator extends it: the round is open again and its links live longer
      const { expiresAt } = await handle.executeUpdate(extendRoundUpdate, { args: [{ days: 7, actor: 'Facilitator' }] });
      const after = await handle.query(signoffStateQuery);
      expect(after.status).toBe('open');
      expect(Date.parse(expiresAt)).toBeGreaterThan(opened.expiresAt);
      const tokens = await db('action_tokens').whereNull('used_at');
      expect(tokens.every((t) => t.expires_at === expiresAt)).toBe(true);
      expect(await db('audit_events').where({ type: 'signoff.extended' })).toHaveLength(1);
      const refused = await handle
        .executeUpdate(extendRoundUpdate, { args: [{ days: 0, actor: 'Facilitator' }] })
        .catch((err: { cause?: { message?: string; type?: string } }) => err.cause);
      expect(refused).toMatchObject({ type: 'INVALID_EXTENSION', message: 'Extend by 1 to 90 days.' });
    });
  });
});
