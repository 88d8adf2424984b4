import { type ActivityOptions, allHandlersFinished, condition, executeChild, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { FormationActivities } from '../activities/formation.activities';
import { STAGE_KEYS, type StageKey } from '../domain/stages';
import { reject } from './failures';
import {
  type DocumentRef,
  type FormationState,
  type StageState,
  formationStateQuery,
  issueStageUpdate,
  signoffWorkflowId,
  submitStageDataUpdate,
} from './messages';
import { signoffWorkflow } from './signoff.workflow';

/** Database writes: quick, retried until they succeed (they are idempotent). */
const RECORDS: ActivityOptions = { startToCloseTimeout: '30 seconds', retry: { initialInterval: '200 milliseconds', maximumInterval: '10 seconds' } };
/** Rendering: a template error is final, anything else is retried a few times. */
const RENDERING: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '10 seconds', maximumAttempts: 5, nonRetryableErrorTypes: ['TEMPLATE_CONTEXT_INVALID'] },
} as const;

const records = proxyActivities<FormationActivities>(RECORDS);
const rendering = proxyActivities<FormationActivities>(RENDERING);

export interface FormationInput {
  networkId: string;
}

/**
 * One per network: runs the formation stages in order. In each stage the facilitator may submit
 * data, then issues the stage; its document is rendered and every member practice signs it in a
 * sign-off child workflow. A declined round returns the stage to drafting.
 */
export async function formationWorkflow(input: FormationInput): Promise<FormationState> {
  const { networkId } = input;
  const state: FormationState = {
    networkId,
    status: 'running',
    currentStage: null,
    stages: STAGE_KEYS.map((key): StageState => ({ key, status: 'pending', dataRevision: 0, documents: [], signoffWorkflowId: null, lastOutcome: null })),
  };
  const stageData = new Map<StageKey, unknown>();
  let pendingIssue: DocumentRef | null = null;
  let issueCount = 0;
  const stageOf = (key: StageKey) => {
    const found = state.stages.find((s) => s.key === key);
    if (!found) throw reject('UNKNOWN_STAGE', `Unknown stage ${key}`);
    return found;
  };

  setHandler(formationStateQuery, () => state);

  setHandler(
    submitStageDataUpdate,
    async ({ stage, data, actor }) => {
      const s = stageOf(stage);
      s.dataRevision += 1;
      const revision = s.dataRevision;
      stageData.set(stage, data);
      await records.persistStageData({ networkId, stage, data, revision, actor });
      return { revision };
    },
    {
      validator: ({ stage }) => {
        const s = stageOf(stage);
        if (s.status === 'completed') throw reject('STAGE_COMPLETED', `The ${stage} stage is already completed.`);
        if (s.status === 'issuing' || s.status === 'awaiting-signatures') {
          throw reject('STAGE_LOCKED', `The ${stage} stage is out for decision; its data cannot change until the round ends.`);
        }
      },
    },
  );

  setHandler(
    issueStageUpdate,
    async ({ stage, actor }) => {
      const s = stageOf(stage);
      s.status = 'issuing';
      issueCount += 1;
      try {
        const doc = await rendering.renderStageDocument({
          networkId,
          stage,
          data: stageData.get(stage) ?? null,
          idempotencyKey: `${workflowInfo().workflowId}:${stage}:issue-${issueCount}`,
          actor,
        });
        s.documents.push(doc);
        pendingIssue = doc;
        return doc;
      } catch (err) {
        s.status = 'drafting';
        throw err;
      }
    },
    {
      validator: ({ stage }) => {
        const s = stageOf(stage);
        if (s.status === 'completed') throw reject('STAGE_COMPLETED', `The ${stage} stage is already completed.`);
        if (state.currentStage !== stage) throw reject('STAGE_NOT_CURRENT', `The ${stage} stage is not the current stage (current: ${state.currentStage ?? 'none'}).`);
        if (s.status !== 'drafting') throw reject('STAGE_LOCKED', `The ${stage} stage has already been issued and is ${s.status}.`);
      },
    },
  );

  await records.markFormation({ networkId, status: 'running', currentStage: STAGE_KEYS[0] });

  for (const key of STAGE_KEYS) {
    const s = stageOf(key);
    state.currentStage = key;
    s.status = 'drafting';
    await records.markStage({ networkId, stage: key, status: 'drafting', event: 'started' });

    for (;;) {
      await condition(() => pendingIssue !== null);
      const doc = pendingIssue as unknown as DocumentRef;
      pendingIssue = null;
      s.status = 'awaiting-signatures';
      const childId = signoffWorkflowId(networkId, key, doc.version);
      s.signoffWorkflowId = childId;
      await records.markStage({ networkId, stage: key, status: 'awaiting-signatures' });
      const result = await executeChild(signoffWorkflow, {
        workflowId: childId,
        args: [{ networkId, stage: key, documentId: doc.id, documentVersion: doc.version, documentSha256: doc.sha256, documentTitle: doc.title }],
      });
      s.signoffWorkflowId = null;
      s.lastOutcome = { outcome: result.outcome, reason: result.reason, documentVersion: doc.version };
      if (result.outcome === 'signed') {
        s.status = 'completed';
        await records.markStage({ networkId, stage: key, status: 'completed', event: 'completed' });
        break;
      }
      s.status = 'drafting';
      await records.markStage({ networkId, stage: key, status: 'drafting', event: 'returned', reason: result.reason ?? 'declined' });
    }
  }

  state.status = 'completed';
  state.currentStage = null;
  await records.markFormation({ networkId, status: 'completed', currentStage: null });
  await condition(allHandlersFinished);
  return state;
}
