import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Knex } from 'knex';
import pino from 'pino';
import type { Repos } from '../../db/repos';
import { createOutbox } from '../../mail/outbox';
import { workflowBundle } from './bundle';
import { testDataConverter } from './codec';

/** What activities need in a time-skipping test: the test's database, silent logs, a 30-day link life. */
export function testActivityDeps(db: Knex, repos: Repos) {
  const base = { db, repos, log: pino({ level: 'silent' }), publicUrl: 'http://formwork.test' };
  return { ...base, actionTokenTtlDays: 30, outbox: createOutbox(base) };
}

/** A worker on a time-skipping environment's task queue, with the test bundle and payload codec. */
export async function timeSkippingWorker(env: TestWorkflowEnvironment, taskQueue: string, activities: object): Promise<Worker> {
  return Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await workflowBundle(), dataConverter: testDataConverter, activities });
}

/** The facilitator a time-skipping test acts as: an administrator with a known API token. */
export async function seedFacilitator(db: Knex, repos: Repos) {
  const admin = await repos.persons.ensureAdmin(db, { email: 'facilitator@example.org', name: 'Facilitator' });
  await repos.tokens.insertApiToken(db, { id: 'f', secret: 'facilitator-secret-000000000000', personId: admin.id, label: 'facilitator' });
  return admin;
}
