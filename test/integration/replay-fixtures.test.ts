import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { quietRuntime, workflowBundle } from '../support/bundle';

const DIR = path.join(__dirname, '..', 'fixtures', 'histories');

interface RecordedHistory {
  workflowId: string;
  type: string;
  history: Record<string, unknown>;
}

/** A recorded file: the recorder's `{ workflowId, type, status, history }`, or a bare `History` object. */
function load(file: string): RecordedHistory {
  const json = JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8')) as Record<string, unknown>;
  if (json.history) return json as unknown as RecordedHistory;
  const started = (json.events as { workflowExecutionStartedEventAttributes?: { workflowType?: { name?: string } } }[])[0];
  return { workflowId: file, type: started.workflowExecutionStartedEventAttributes?.workflowType?.name ?? 'unknown', history: json };
}

const fixtures = fs
  .readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((file) => ({ file, recorded: load(file) }));

/**
 * Histories recorded from earlier versions of the workflows (test/record, `npm run
 * record-histories`) replay on today's code: a change that would break running workflows (a
 * command added, removed or reordered without `patched()`) fails here, before it reaches them.
 */
describe('replay of recorded workflow histories', () => {
  it('has histories of every workflow', () => {
    expect(new Set(fixtures.map((f) => f.recorded.type))).toEqual(
      new Set(['formationWorkflow', 'signoffWorkflow', 'voteWorkflow', 'electionWorkflow', 'disputeWorkflow', 'riskReviewWorkflow', 'panelLetterWorkflow']),
    );
  });

  it.each(fixtures.map((f) => [f.file, f.recorded] as const))('replays %s', async (_file, recorded) => {
    quietRuntime();
    const history = temporal.api.history.v1.History.fromObject(recorded.history);
    expect(history.events?.length ?? 0).toBeGreaterThan(3);
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, recorded.workflowId);
  });
});
