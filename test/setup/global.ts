/**
 * vitest globalSetup: one Temporal dev server and one throwaway Postgres for the whole run, handed to
 * test files as `inject('temporalAddress')` and `inject('postgresUrl')` (types in provided.d.ts).
 *
 * TEMPORAL_ADDRESS / TEST_DATABASE_URL point at existing services instead. Both are started only when
 * the run includes a file under test/integration or test/e2e, so `vitest run test/unit` stays fast.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node' with { 'resolution-mode': 'import' };
import { WORKFLOW_BUNDLE_OPTIONS } from '../../bin/workflow-code';
import { resolveTemporalCli } from '../../scripts/provision-temporal';
import { startDevServer, type DevServer } from '../../scripts/temporal-dev-server';
import { startTestPostgres, type TestPostgres } from '../../scripts/test-postgres';

const SERVICE_DIRS = ['test/integration/', 'test/e2e/', 'test/record/'];

const log = {
  info: (msg: string) => console.log(`[global-setup] ${msg}`),
  warn: (msg: string) => console.warn(`[global-setup] ${msg}`),
};

/** Whether the selected test files need the real services. When unsure, assume they do. */
function runNeedsServices(project: TestProject): boolean {
  // Watch mode can rerun any file later, but globalSetup runs only once.
  if (project.config.watch) return true;
  let files: string[];
  try {
    // The files of this run are registered before globalSetup is called (vitest 4; experimental API).
    files = project.vitest.state.getPaths();
  } catch {
    return true;
  }
  if (!files.length) return true;
  return files.some((file) => {
    const rel = path.relative(project.config.root, file).split(path.sep).join('/');
    return SERVICE_DIRS.some((dir) => rel.startsWith(dir));
  });
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!runNeedsServices(project)) return async () => undefined;

  const startTemporal = async (): Promise<{ address: string; server?: DevServer }> => {
    const existing = process.env.TEMPORAL_ADDRESS;
    if (existing) return { address: existing };
    const cli = resolveTemporalCli({ provision: true, log: log.info });
    const server = await startDevServer({ cliPath: cli.path, headless: true, log });
    return { address: server.address, server };
  };
  const startPostgres = async (): Promise<{ url: string; pg?: TestPostgres }> => {
    const existing = process.env.TEST_DATABASE_URL;
    if (existing) return { url: existing };
    const pg = await startTestPostgres();
    log.info(`Throwaway Postgres ready at ${pg.url}`);
    return { url: pg.url, pg };
  };

  // the workflow code, bundled once for every test file's workers rather than once per file
  const bundleDir = fs.mkdtempSync(path.join(os.tmpdir(), 'formwork-test-bundle-'));
  const buildBundle = async (): Promise<string> => {
    const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} };
    const { code } = await bundleWorkflowCode({ ...WORKFLOW_BUNDLE_OPTIONS, logger: quiet as never });
    const codePath = path.join(bundleDir, 'workflows.js');
    fs.writeFileSync(codePath, code);
    return codePath;
  };

  // In parallel: together they take as long as the slowest (about 2-5 s).
  const [temporal, postgres, bundle] = await Promise.allSettled([startTemporal(), startPostgres(), buildBundle()]);
  const teardown = async () => {
    const startedAt = Date.now();
    fs.rmSync(bundleDir, { recursive: true, force: true });
    await Promise.all([
      temporal.status === 'fulfilled' ? temporal.value.server?.stop() : undefined,
      postgres.status === 'fulfilled' ? postgres.value.pg?.stop() : undefined,
    ]);
    log.info(`Stopped the shared services in ${Date.now() - startedAt} ms`);
  };
  if (temporal.status === 'rejected' || postgres.status === 'rejected' || bundle.status === 'rejected') {
    await teardown();
    throw ([temporal, postgres, bundle].find((r) => r.status === 'rejected') as PromiseRejectedResult).reason;
  }

  project.provide('temporalAddress', temporal.value.address);
  project.provide('postgresUrl', postgres.value.url);
  project.provide('workflowBundlePath', bundle.value);
  return teardown;
}
