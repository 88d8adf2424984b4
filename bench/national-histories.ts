/**
 * Temporal history length of the national bench's networks: what each network costs the Temporal
 * server is about proportional to it.
 */
import { Connection } from '@temporalio/client';
import { formationWorkflowId, signoffWorkflowId } from '../workflows/messages';
import { voteWorkflowId } from '../workflows/vote-messages';
import type { Api } from './national-api';
import type { BenchStack } from './national-stack';

export interface HistoryEvents {
  mean: number;
  max: number;
  sampled: number;
  /** mean events of each kind of workflow: formation, one sign-off round, one vote */
  byWorkflow: Record<string, number>;
}

/** Temporal history events of the sampled networks: formation, each sign-off round and each vote. */
export async function historyEvents(stack: BenchStack, api: Api, networkIds: readonly string[]): Promise<HistoryEvents> {
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const byWorkflow: Record<string, number[]> = { formation: [], signoff: [], vote: [] };
  const totals: number[] = [];
  try {
    const length = async (workflowId: string) => {
      const res = await connection.workflowService.describeWorkflowExecution({ namespace: 'default', execution: { workflowId } });
      return Number(res.workflowExecutionInfo?.historyLength ?? 0);
    };
    for (const id of networkIds) {
      const view = await api.expect<{ stages: { key: string; documents: { version: number }[]; vote: { motionId: string } | null; signoff: unknown }[] }>(
        'read formation',
        200,
        'GET',
        `/networks/${id}/formation`,
      );
      let total = 0;
      const formation = await length(formationWorkflowId(id));
      byWorkflow.formation.push(formation);
      total += formation;
      for (const stage of view.stages) {
        for (const doc of stage.documents) {
          const n = await length(signoffWorkflowId(id, stage.key, doc.version)).catch(() => 0);
          if (n) byWorkflow.signoff.push(n);
          total += n;
        }
        if (stage.vote) {
          const n = await length(voteWorkflowId(stage.vote.motionId)).catch(() => 0);
          if (n) byWorkflow.vote.push(n);
          total += n;
        }
      }
      totals.push(total);
    }
  } finally {
    await connection.close();
  }
  const mean = (xs: number[]) => (xs.length ? Math.round(xs.reduce((a, b) => a + b, 0) / xs.length) : 0);
  return {
    mean: mean(totals),
    max: Math.max(0, ...totals),
    sampled: totals.length,
    byWorkflow: Object.fromEntries(Object.entries(byWorkflow).map(([k, xs]) => [k, mean(xs)])),
  };
}
