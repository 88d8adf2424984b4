/**
 * Proves the integration harness itself: the shared Temporal dev server and throwaway Postgres from
 * test/setup/global.ts are real and reachable, and the time-skipping server starts from the local binary.
 */
import net from 'node:net';
import knex from 'knex';
import { describe, expect, it } from 'vitest';
import { ephemeralPortRange, findFreePorts } from '../../scripts/temporal-dev-server';
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

  it("chooses a stack's ports below the ephemeral range, where no bind to port 0 can take them first", async () => {
    // a dev server binds its internal services to port 0 as it starts; it once took the HTTP port
    // of the stack it was starting with, which the OS had picked the same way and released
    const { low } = ephemeralPortRange();
    const ports = await findFreePorts(12);
    expect(new Set(ports).size).toBe(12);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(10_000);
      expect(port).toBeLessThan(low);
    }
    // each is free: something can listen on it
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(ports[0], '127.0.0.1', resolve));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});
