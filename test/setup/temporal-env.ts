/**
 * Temporal environments for integration tests. The shared dev server comes from test/setup/global.ts;
 * the time-skipping test server is started per call from the project-local binary, never downloaded.
 */
import { type ClientOptionsForTestEnv, TestWorkflowEnvironment } from '@temporalio/testing';
import { inject } from 'vitest';
import { resolveTestServer } from '../../scripts/provision-temporal';

function provided(key: 'temporalAddress' | 'postgresUrl'): string {
  const value = inject(key);
  if (!value) {
    throw new Error(
      `inject('${key}') is empty: test/setup/global.ts did not start the shared services. ` +
        'It starts them only for runs that include test/integration or test/e2e files, and only when ' +
        'vitest.config.ts lists it under globalSetup.',
    );
  }
  return value;
}

/** host:port of the shared Temporal dev server. */
export function injectedTemporalAddress(): string {
  return provided('temporalAddress');
}

/** URL of the throwaway Postgres database for this run. */
export function injectedPostgresUrl(): string {
  return provided('postgresUrl');
}

/**
 * A TestWorkflowEnvironment on the shared dev server (real time, no time skipping).
 * Call `teardown()` when done; it closes the connections and leaves the server running.
 */
export function testTemporalConnection(namespace = 'default'): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createFromExistingServer({ address: injectedTemporalAddress(), namespace });
}

/**
 * A fresh time-skipping test server (its own process, own port). Resolves the binary without
 * provisioning, so a missing binary fails at once with instructions instead of a download attempt.
 * Call `teardown()` to stop it. Pass `client` options to give its client a data converter (the
 * payload codec, for tests that run Formwork's workflows).
 */
export async function createTimeSkippingEnv(client?: ClientOptionsForTestEnv): Promise<TestWorkflowEnvironment> {
  const server = resolveTestServer({ provision: false });
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: server.path } },
    client,
  });
}
