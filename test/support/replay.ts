import { Client, Connection } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { workflowBundle } from './bundle';

/**
 * Replays every recorded history on a task queue against the current workflow code: a change that
 * alters command order without a patch fails here rather than in production.
 */
export async function replayAllHistories(address: string, taskQueue: string): Promise<string[]> {
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({ connection });
    const replayed: string[] = [];
    for await (const wf of client.workflow.list({ query: `TaskQueue = '${taskQueue}'` })) {
      const history = await client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
      await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, wf.workflowId);
      replayed.push(wf.type);
    }
    return replayed;
  } finally {
    await connection.close();
  }
}
