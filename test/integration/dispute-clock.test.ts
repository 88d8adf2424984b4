import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDisputesActivities } from '../../activities/disputes.activities';
import { createFormationActivities } from '../../activities/formation.activities';
import { createSigningActivities } from '../../activities/signing.activities';
import { createDb, migrateLatest } from '../../db/knex';
import { createRepos } from '../../db/repos';
import { londonInstant } from '../../domain/calendar/working-days';
import type { CaseActor } from '../../domain/disputes/case';
import { buildLadder } from '../../domain/disputes/ladder';
import { caseEventUpdate, caseStateQuery, disputeWorkflowId } from '../../workflows/dispute-messages';
import { disputeWorkflow } from '../../workflows/dispute.workflow';
import { createTimeSkippingEnv } from '../setup/temporal-env';
import { quietRuntime } from '../support/bundle';
import { testAuditEvidence, testDataConverter } from '../support/codec';
import { seedDisputeNetwork } from '../support/disputes-fixtures';
import { seedFacilitator, testActivityDeps, timeSkippingWorker } from '../support/time-skipping';

const facilitator: CaseActor = { kind: 'staff', name: 'Facilitator', role: 'facilitator' };
const HOUR = 3_600_000;

/**
 * The clock of a dispute case on Temporal's time-skipping test server, with the activities writing
 * to a real SQLite database: due dates across Christmas, New Year and Easter, a pause that spans
 * bank holidays, the reminder two working days before, escalation by itself at the end of the due
 * date (a breach, with board members of the parties standing aside), and a case that continues as
 * new mid-step with its timers intact.
 */
describe('dispute case clock', () => {
  let env: TestWorkflowEnvironment;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-dispute-clock-'));
  const db = createDb({ client: 'sqlite', filename: path.join(dir, 't.db') });
  const repos = createRepos(testAuditEvidence());
  let seeded: Awaited<ReturnType<typeof seedDisputeNetwork>>;

  beforeAll(async () => {
    quietRuntime();
    env = await createTimeSkippingEnv({ dataConverter: testDataConverter });
    await migrateLatest(db);
    await seedFacilitator(db, repos);
    seeded = await seedDisputeNetwork(db, repos);
  });
  afterAll(async () => {
    await env?.teardown();
    await db.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const waitFor = async <T>(what: string, check: () => Promise<T | null | undefined | false>): Promise<T> => {
    for (let i = 0; i < 300; i++) {
      const value = await check();
      if (value) return value;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out waiting for ${what}`);
  };
  /** Moves the test server's clock forward to an instant. */
  const advanceTo = async (at: number) => {
    const now = await env.currentTimeMs();
    if (at > now) await env.sleep(at - now);
  };
  const history = async (caseId: string) => repos.disputes.events(db, caseId);
  const outboxSubjects = async () => (await repos.outbox.list(db, { limit: 1000 })).map((m) => m.subject);

  it('dates steps across Christmas and New Year, reminds two working days before, and escalates a breach with the board’s conflicts standing aside', async () => {
    const deps = testActivityDeps(db, repos);
    const worker = await timeSkippingWorker(env, 'dispute-clock', {
      ...createFormationActivities(deps),
      ...createSigningActivities(deps),
      ...createDisputesActivities(deps),
    });
    await worker.runUntil(async () => {
      const open = async (title: string, eventsPerRun?: number) => {
        const caseId = crypto.randomUUID();
        const handle = await env.client.workflow.start(disputeWorkflow, {
          taskQueue: 'dispute-clock',
          workflowId: disputeWorkflowId(caseId),
          args: [
            {
              caseId,
              networkId: seeded.networkId,
              programmeId: seeded.programmeId,
              title,
              summary: 'Hours of the shared pharmacist were not shared as agreed.',
              parties: seeded.parties,
              stage: null,
              ladder: buildLadder(),
              openedBy: facilitator,
              fromIssueId: null,
              eventsPerRun,
            },
          ],
        });
        await waitFor('the case to open', async () => (await handle.query(caseStateQuery)).status === 'open');
        return { caseId, handle };
      };

      // Friday 18 December 2026, 10:00: ten working days skip Christmas Day, the Boxing Day substitute and New Year's Day
      await advanceTo(londonInstant('2026-12-18', 10 * HOUR));
      const christmas = await open('Pharmacist hours');
      const opened = (await repos.disputes.get(db, christmas.caseId))!;
      expect(opened).toMatchObject({ status: 'open', stepNumber: 1, stepStartedOn: '2026-12-18', stepDueOn: '2027-01-06', clock: 'running' });
      const notices = (await repos.outbox.list(db, { limit: 1000 })).filter((m) => m.subject.startsWith('Dispute case opened'));
      // the parties' people, the chair, and the facilitator; not the third practice's partner as such
      expect(notices.map((m) => m.to).sort()).toEqual([
        'amir@net.test',
        'ann@net.test',
        'bo@net.test',
        'cy@net.test',
        'facilitator@example.org',
        'rahim@net.test',
      ]);
      expect(notices[0].text).toContain('it is due by 6 January 2027');

      // no reminder before Monday 4 January (Friday 1 January is a bank holiday); one at 08:00 that day
      await advanceTo(londonInstant('2027-01-04', 7 * HOUR));
      expect((await outboxSubjects()).some((s) => s.startsWith('Reminder:'))).toBe(false);
      await advanceTo(londonInstant('2027-01-04', 9 * HOUR));
      await waitFor('the reminder', async () => (await history(christmas.caseId)).some((e) => e.type === 'reminder'));
      const reminders = (await repos.outbox.list(db, { limit: 1000 })).filter((m) => m.subject.startsWith('Reminder:'));
      expect(reminders.length).toBe(6);
      expect(reminders[0].subject).toBe('Reminder: Informal discussion step of "Pharmacist hours" is due on 6 January 2027');

      // still open at the end of Wednesday 6 January: it escalates to the board by itself
      await advanceTo(londonInstant('2027-01-06', 23 * HOUR));
      expect((await repos.disputes.get(db, christmas.caseId))!.stepNumber).toBe(1);
      await advanceTo(londonInstant('2027-01-07', 1 * HOUR));
      const atBoard = await waitFor('the breach', async () => {
        const row = await repos.disputes.get(db, christmas.caseId);
        return row?.stepNumber === 2 && (await history(christmas.caseId)).some((e) => e.type === 'stood-aside') ? row : null;
      });
      expect(atBoard).toMatchObject({ breaches: 1, stepStartedOn: '2027-01-07', stepDueOn: '2027-02-04', clock: 'running' });
      const events = await history(christmas.caseId);
      expect(events.map((e) => e.type)).toEqual(['opened', 'reminder', 'breach', 'stood-aside']);
      expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
      expect(events[3].text).toBe(
        'Dr Ann Ali (Jubilee Street) and Dr Bo Bell (Highway Practice) stand aside from the board’s hearing: their practices are a party.',
      );
      const moved = (await repos.outbox.list(db, { limit: 1000 })).filter((m) => m.subject === 'Dispute case moved to Network board: Pharmacist hours');
      expect(moved.length).toBeGreaterThan(0);
      expect(moved[0].text).toContain('was not resolved by its due date, so the case has moved to the next step of the procedure by itself');
      expect((await db('audit_events').where({ type: 'dispute.event' })).length).toBe(4);

      // withdrawn by the facilitator: closed, and a closed case refuses anything more
      const withdrawn = await christmas.handle.executeUpdate(caseEventUpdate, {
        args: [{ type: 'withdraw', text: 'Settled between the practices.', actor: facilitator }],
      });
      expect(withdrawn.status).toBe('withdrawn');
      // (polled rather than awaited: awaiting a result lets the test server skip time)
      await waitFor('the case workflow to complete', async () => (await christmas.handle.describe()).status.name === 'COMPLETED');
      expect((await repos.disputes.get(db, christmas.caseId))!).toMatchObject({ status: 'withdrawn', closedOn: '2027-01-07' });

      // Easter: Monday 22 March 2027 + 10 working days skips Good Friday and Easter Monday
      await advanceTo(londonInstant('2027-03-22', 10 * HOUR));
      const easter = await open('Extended hours rota', 4);
      const firstRun = (await easter.handle.describe()).runId;
      expect((await repos.disputes.get(db, easter.caseId))!.stepDueOn).toBe('2027-04-07');

      // paused on Wednesday 24 March with 8 working days left, resumed on Thursday 1 April: the pause
      // spans Good Friday and Easter Monday, and the 8 days count again from 1 April
      await advanceTo(londonInstant('2027-03-24', 11 * HOUR));
      const paused = await easter.handle.executeUpdate(caseEventUpdate, {
        args: [{ type: 'pause', text: 'Awaiting the rota from the practice manager.', actor: facilitator }],
      });
      expect(paused).toMatchObject({ clock: 'paused', dueOn: '2027-04-07' });
      expect((await easter.handle.query(caseStateQuery)).clock.paused).toEqual({ on: '2027-03-24', daysLeft: 8 });
      const refused = await easter.handle
        .executeUpdate(caseEventUpdate, { args: [{ type: 'pause', text: 'again', actor: facilitator }] })
        .catch((err: { cause?: { type?: string } }) => err.cause);
      expect(refused).toMatchObject({ type: 'ALREADY_PAUSED' });
      // no escalation while paused, however long
      await advanceTo(londonInstant('2027-04-01', 9 * HOUR));
      expect((await repos.disputes.get(db, easter.caseId))!).toMatchObject({ stepNumber: 1, clock: 'paused', pausedDaysLeft: 8 });
      await easter.handle.executeUpdate(caseEventUpdate, { args: [{ type: 'note', text: 'Rota received.', actor: facilitator }] });
      const resumed = await easter.handle.executeUpdate(caseEventUpdate, { args: [{ type: 'resume', text: 'Information received.', actor: facilitator }] });
      expect(resumed).toMatchObject({ clock: 'running', dueOn: '2027-04-13' });

      // four events in this run: the case continues as new, and its timers carry on in the new run
      await waitFor('continue-as-new', async () => (await easter.handle.describe()).runId !== firstRun);
      expect((await easter.handle.query(caseStateQuery)).clock).toMatchObject({ dueOn: '2027-04-13', paused: null });
      await advanceTo(londonInstant('2027-04-14', 1 * HOUR));
      const escalated = await waitFor('escalation in the new run', async () => {
        const row = await repos.disputes.get(db, easter.caseId);
        return row?.stepNumber === 2 ? row : null;
      });
      expect(escalated).toMatchObject({ breaches: 1, stepDueOn: '2027-05-13' }); // 20 working days from 14 April skip May Day
      expect((await history(easter.caseId)).map((e) => e.type)).toEqual(['opened', 'pause', 'note', 'resume', 'reminder', 'breach', 'stood-aside']);
      await easter.handle.executeUpdate(caseEventUpdate, { args: [{ type: 'withdraw', text: 'Done.', actor: facilitator }] });
    });
  });
});
