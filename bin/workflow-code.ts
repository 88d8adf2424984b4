import fs from 'node:fs';
import path from 'node:path';
import type { BundleOptions, WorkerOptions } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../codec/payload-codec';

/**
 * Where the worker gets its workflow code. From the sources (npm start, npm run worker, tests) the
 * SDK bundles workflows/index.ts at start-up, which needs TypeScript tooling. `npm run build` bundles
 * it once into the build (workflows/workflow-bundle.js beside the compiled code), and a worker run
 * from the build loads that file instead.
 */

/** The only workflowsPath: every workflow the worker runs is exported from workflows/index.ts. */
export const WORKFLOWS_PATH = path.join(__dirname, '..', 'workflows', 'index.ts');

/** File name of the prebuilt bundle, relative to the build's root. */
export const WORKFLOW_BUNDLE_FILE = path.join('workflows', 'workflow-bundle.js');

/**
 * What the build bundles; kept here so a worker started from the sources bundles the same thing.
 * Failure messages go through the payload codec too (codec/failure-converter.js).
 */
export const WORKFLOW_BUNDLE_OPTIONS: Pick<BundleOptions, 'workflowsPath' | 'failureConverterPath'> = {
  workflowsPath: WORKFLOWS_PATH,
  failureConverterPath: FAILURE_CONVERTER_PATH,
};

/** The prebuilt bundle when this code runs from a build, else the sources to bundle at start-up. */
export function workflowCode(): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  const prebuilt = path.join(__dirname, '..', WORKFLOW_BUNDLE_FILE);
  if (fs.existsSync(prebuilt)) return { workflowBundle: { codePath: prebuilt } };
  if (fs.existsSync(WORKFLOWS_PATH)) return { workflowsPath: WORKFLOW_BUNDLE_OPTIONS.workflowsPath };
  throw new Error(`no workflow code: neither ${prebuilt} (made by npm run build) nor ${WORKFLOWS_PATH} exists`);
}
