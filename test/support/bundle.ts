import fs from 'node:fs';
import { bundleWorkflowCode, DefaultLogger, Runtime, type WorkflowBundle } from '@temporalio/worker';
import { inject } from 'vitest';
import { WORKFLOW_BUNDLE_OPTIONS } from '../../bin/workflow-code';

let bundle: Promise<WorkflowBundle> | null = null;
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
 * The workflow bundle, with the failure converter every worker uses (failure messages go through the
 * payload codec, see codec/): the one test/setup/global.ts built for the run, else built once for
 * this file.
 */
export function workflowBundle(): Promise<WorkflowBundle> {
  const built = inject('workflowBundlePath');
  bundle ??= built
    ? fs.promises.readFile(built, 'utf8').then((code) => ({ code }))
    : bundleWorkflowCode({ ...WORKFLOW_BUNDLE_OPTIONS, logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } as never });
  return bundle;
}
