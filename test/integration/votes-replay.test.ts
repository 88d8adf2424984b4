import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { quietRuntime, workflowBundle } from '../support/bundle';

const dir = path.join(__dirname, '../fixtures/histories');
const recorded = fs.readdirSync(dir).filter((f) => /^(vote|election)-.*\.json$/.test(f));

/**
 * Vote and election histories recorded before the workflows changed (test/fixtures/histories):
 * finished runs and runs caught mid-ballot. Each must replay on today's code, so a change of
 * command order that is not behind `patched()` fails here, not on a running vote.
 */
describe('recorded vote and election histories replay on today’s code', () => {
  it('has histories to replay', () => {
    expect(recorded.length).toBeGreaterThanOrEqual(6);
  });
  for (const file of recorded) {
    it(file, async () => {
      quietRuntime();
      // stored as the protobuf object form (enum names, 64-bit numbers as strings)
      const history = temporal.api.history.v1.History.fromObject(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')));
      await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, file);
    });
  }
});
