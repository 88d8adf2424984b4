/**
 * Proves the integration harness itself: the shared Temporal dev server and throwaway Postgres from
 * test/setup/global.ts are real and reachable, and the time-skipping server starts from the local binary.
 */
import knex from 'knex';
import { describe, expect, it } from 'vitest';
import { createTimeSkippingEnv, injectedPostgresUrl, testTemporalConnection } from '../setup/temporal-env';

const ONE_DAY_MS = 24 * 60 * 60 * 1000;

describe('integration harness', () => {
  it('connects to the shared Temporal server and finds the default namespace', async () => {
    const env = await testTemporalConnection();
    try {
      const service = env.client.workflowService;
      const described = await service.describeNamespace({ namespace: 'default' });
      expect(described.namespaceInfo?.name).toBe('default');

      const listed = await service.listNamespaces({});
      expect(listed.namespaces.map((ns) => ns.namespaceInfo?.name)).toContain('default');
      // A dev server, not a time-skipping one: real time passes.
      expect(env.supportsTimeSkipping).toBe(false);
    } finally {
      await env.teardown();
    }
  });

  it('connects to the throwaway Postgres with knex', async () => {
    const db = knex({ client: 'pg', connection: injectedPostgresUrl(), pool: { min: 0, max: 1 } });
    try {
      const result = await db.raw('select 1 as one, current_database() as db');
      expect(result.rows).toEqual([{ one: 1, db: 'formwork_test' }]);
    } finally {
      await db.destroy();
    }
  });

  it('starts a time-skipping test server that skips a day at once, then stops it', async () => {
    const env = await createTimeSkippingEnv();
    try {
      expect(env.supportsTimeSkipping).toBe(true);
      const before = await env.currentTimeMs();
      const startedAt = Date.now();
      await env.sleep(ONE_DAY_MS);
      expect((await env.currentTimeMs()) - before).toBeGreaterThanOrEqual(ONE_DAY_MS);
      // The day passed in server time, not wall-clock time.
      expect(Date.now() - startedAt).toBeLessThan(30_000);
    } finally {
      await env.teardown();
    }
  });
});
