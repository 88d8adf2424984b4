import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger, Runtime, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../../codec/payload-codec';

/** The same path bin/runtime.ts gives the worker: workflows/index.ts. */
const WORKFLOWS_PATH = path.join(__dirname, '..', '..', 'workflows', 'index.ts');

let bundle: Promise<WorkflowBundleWithSourceMap> | null = null;
let runtimeInstalled = false;

/** Worker lifecycle chatter is noise in test output; warnings and errors still show. */
export function quietRuntime() {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    /* already installed by an earlier file in this process */
  }
}

/**
 * The workflow bundle, built once per test file, with the failure converter every worker uses
 * (failure messages go through the payload codec, see codec/).
 */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, failureConverterPath: FAILURE_CONVERTER_PATH, logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } as never });
  return bundle;
}

