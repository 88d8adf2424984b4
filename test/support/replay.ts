import { Client, Connection } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { workflowBundle } from './bundle';
import { testDataConverter } from './codec';

/**
 * Replays every recorded history on a task queue against the current workflow code: a change that
 * alters command order without a patch fails here rather than in production. Histories hold
 * encrypted payloads, so the replayer decodes them with this file's codec (the stack's).
 */
export async function replayAllHistories(address: string, taskQueue: string): Promise<string[]> {
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({ connection, dataConverter: testDataConverter });
    const replayed: string[] = [];
    for await (const wf of client.workflow.list({ query: `TaskQueue = '${taskQueue}'` })) {
      const history = await client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
      await Worker.runReplayHistory({ workflowBundle: await workflowBundle(), dataConverter: testDataConverter }, history, wf.workflowId);
      replayed.push(wf.type);
    }
    return replayed;
  } finally {
    await connection.close();
  }
}
