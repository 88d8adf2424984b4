import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFormationActivities } from '../../activities/formation.activities';
import { createDisputesActivities } from '../../activities/disputes.activities';
import { createPanelActivities } from '../../activities/panel.activities';
import { createSealingActivities } from '../../activities/sealing.activities';
import { createSigningActivities } from '../../activities/signing.activities';
import { createDb, migrateLatest } from '../../db/knex';
import { createRepos } from '../../db/repos';
import { CONSENT } from '../../domain/consent';
import { DEFAULT_SIGNING_RULE } from '../../domain/signing';
import { STAGE_KEYS } from '../../domain/stages';
import { formationWorkflow } from '../../workflows/formation.workflow';
import { type FormationState, formationStateQuery, issueStageUpdate, signUpdate, signoffStateQuery } from '../../workflows/messages';
import { recordPanelOutcomeUpdate, scorePanelUpdate } from '../../workflows/panel-messages';
import { createTimeSkippingEnv } from '../setup/temporal-env';
import { quietRuntime } from '../support/bundle';
import { testAuditEvidence, testDataConverter } from '../support/codec';
import { testSealSigning } from '../fixtures/seal-signing';
import { seedNetwork } from '../support/network-seed';
import { seedFacilitator, testActivityDeps, timeSkippingWorker } from '../support/time-skipping';

const CRITERIA = [{ key: 'vision', title: 'Vision', weight: 1 }];
/** The panels of waves 1 and 2, three months apart, each with one member. */
const PANELS = [
  {
    id: 'panel1',
    waveId: 'w1',
    number: 1,
    date: '2027-01-15',
    member: { id: 'm1', name: 'Ms Jo Reed', email: 'jo@panel.org', organisation: 'PCT', external: false },
  },
  {
    id: 'panel2',
    waveId: 'w2',
    number: 2,
    date: '2027-04-15',
    member: { id: 'm2', name: 'Prof Sam Okafor', email: 'sam@panel.org', organisation: 'University', external: true },
  },
];

/**
 * A network deferred by the wave 1 panel waits, durably, through the months to wave 2, presents to
 * the wave 2 panel, passes and finishes its formation there. Time is skipped on Temporal's test
 * server; the activities write to a real SQLite database.
 */
describe('a deferred network finishes in the next wave', () => {
  let env: TestWorkflowEnvironment;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-deferral-'));
  const db = createDb({ client: 'sqlite', filename: path.join(dir, 't.db') });
  const repos = createRepos(testAuditEvidence());
  const people = [
    { id: 'a', name: 'Dr Ada One', email: 'ada@example.org', practiceId: 'p1' },
    { id: 'b', name: 'Dr Bo Two', email: 'bo@example.org', practiceId: 'p2' },
  ];

  beforeAll(async () => {
    quietRuntime();
    env = await createTimeSkippingEnv({ dataConverter: testDataConverter });
    await migrateLatest(db);
    await seedFacilitator(db, repos);
    await seedNetwork(db, repos, {
      programme: { name: 'Tower Hamlets', sponsor: 'Tower Hamlets PCT' },
      waves: PANELS.map((p) => ({ id: p.waveId, number: p.number, panelDate: p.date })),
      network: {
        id: 'net',
        name: 'Bow Network',
        practices: people.map((p, i) => ({
          id: p.practiceId,
          name: `Practice ${i + 1}`,
          odsCode: `F8400${i + 1}`,
          listSize: 12000,
          people: [{ id: p.id, name: p.name, email: p.email, roles: ['partner'] }],
        })),
      },
    });
    for (const p of PANELS)
      await repos.panels.upsert(db, { id: p.id, programmeId: 'prog', waveId: p.waveId, date: p.date, criteria: CRITERIA, members: [p.member] });
  });
  afterAll(async () => {
    await env?.teardown();
    await db.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is deferred in wave 1, waits three months, passes in wave 2 and completes every stage', async () => {
    const deps = testActivityDeps(db, repos);
    const worker = await timeSkippingWorker(env, 'deferral', {
      ...createFormationActivities(deps),
      ...createSigningActivities(deps),
      ...createSealingActivities({ ...deps, sealSigning: await testSealSigning() }),
      ...createPanelActivities(deps),
      ...createDisputesActivities(deps),
    });
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(formationWorkflow, { taskQueue: 'deferral', workflowId: 'formation-net', args: [{ networkId: 'net' }] });
      const waitFor = async (what: string, check: (s: FormationState) => boolean) => {
        for (let i = 0; i < 400; i++) {
          const state = await handle.query(formationStateQuery);
          if (check(state)) return state;
          await new Promise((r) => setTimeout(r, 50));
        }
        throw new Error(`timed out waiting for ${what}`);
      };
      const stage = (s: FormationState, key: string) => s.stages.find((x) => x.key === key)!;
      const issue = (key: (typeof STAGE_KEYS)[number]) =>
        handle.executeUpdate(issueStageUpdate, { args: [{ stage: key, actor: 'Facilitator', signingRule: DEFAULT_SIGNING_RULE }] });
      const signRound = async (key: string) => {
        const state = await waitFor(
          `${key} to await signatures`,
          (s) => stage(s, key).status === 'awaiting-signatures' && stage(s, key).signoffWorkflowId !== null,
        );
        const round = env.client.workflow.getHandle(stage(state, key).signoffWorkflowId!);
        // the child may be a moment from answering queries
        const opened = async () => (await round.query(signoffStateQuery).catch(() => null))?.status === 'open';
        for (let i = 0; i < 200 && !(await opened()); i++) await new Promise((r) => setTimeout(r, 50));
        const { documentVersion } = await round.query(signoffStateQuery);
        for (const p of people) {
          await round.executeUpdate(signUpdate, {
            args: [
              {
                personId: p.id,
                tokenId: `t-${p.id}`,
                documentVersion,
                typedName: p.name,
                consent: true,
                consentVersion: CONSENT.version,
                method: 'action-link',
                ip: null,
                userAgent: null,
              },
            ],
          });
        }
      };

      // wave 1: the pack goes to the wave 1 panel, which defers the network
      await waitFor('the panel stage', (s) => stage(s, 'panel-presentation').status === 'drafting');
      await issue('panel-presentation');
      const opened = await waitFor(
        'the wave 1 presentation',
        (s) => s.panel?.invited.includes('m1') === true && stage(s, 'panel-presentation').status === 'awaiting-signatures',
      );
      const deferred = await handle.executeUpdate(recordPanelOutcomeUpdate, {
        args: [{ outcome: 'defer', conditions: [], reason: 'Not ready for wave 1', actor: 'Facilitator' }],
      });
      expect(deferred.toWave).toMatchObject({ id: 'w2', number: 2 });
      await waitFor('the stage to start again', (s) => stage(s, 'panel-presentation').status === 'drafting' && s.panel?.presentationId === null);
      expect((await repos.records.getNetwork(db, 'net'))?.waveId).toBe('w2');

      // three months pass before the wave 2 panel; the workflow waits without a timer of its own
      const before = await env.currentTimeMs();
      await env.sleep('90 days');
      expect((await env.currentTimeMs()) - before).toBeGreaterThanOrEqual(90 * 86_400_000);
      expect(stage(await handle.query(formationStateQuery), 'panel-presentation').status).toBe('drafting');

      // wave 2: the pack goes to the wave 2 panel; its member scores; a pass and the practices' signatures complete the stage
      await issue('panel-presentation');
      const wave2 = await waitFor('the wave 2 presentation', (s) => s.panel?.invited.includes('m2') === true);
      expect(wave2.panel!.presentationId).not.toBe(opened.panel!.presentationId);
      expect(wave2.panel!.waveNumber).toBe(2);
      await handle.executeUpdate(scorePanelUpdate, {
        args: [
          {
            memberId: 'm2',
            tokenId: 't-m2',
            presentationId: wave2.panel!.presentationId!,
            sheet: { scores: [{ criterion: 'vision', score: 5, comment: '' }], recommendation: 'pass' },
          },
        ],
      });
      const refused = await handle
        .executeUpdate(scorePanelUpdate, {
          args: [
            {
              memberId: 'm1',
              tokenId: 't-m1',
              presentationId: opened.panel!.presentationId!,
              sheet: { scores: [{ criterion: 'vision', score: 1, comment: '' }], recommendation: 'defer' },
            },
          ],
        })
        .catch((err: { cause?: { type?: string } }) => err.cause);
      expect(refused).toMatchObject({ type: 'PANEL_CLOSED' });
      await handle.executeUpdate(recordPanelOutcomeUpdate, { args: [{ outcome: 'pass', conditions: [], reason: 'Ready', actor: 'Facilitator' }] });
      await signRound('panel-presentation');

      // the remaining stages, each signed by both practices
      for (const key of STAGE_KEYS.slice(1)) {
        await waitFor(`${key} to be current`, (s) => s.currentStage === key && stage(s, key).status === 'drafting');
        await issue(key);
        await signRound(key);
      }
      const result = await handle.result();
      expect(result.status).toBe('completed');
      expect(result.stages.every((s) => s.status === 'completed')).toBe(true);

      const presentations = await repos.panels.presentationsForNetworks(db, ['net']);
      expect(presentations.map((p) => [p.waveId, p.outcome])).toEqual([
        ['w1', 'defer'],
        ['w2', 'pass'],
      ]);
      expect((await db('networks').where({ id: 'net' }).first()).formation_status).toBe('completed');
      // an outcome letter for each outcome
      expect(presentations.every((p) => p.letterDocumentId !== null)).toBe(true);
    });
  });
});
