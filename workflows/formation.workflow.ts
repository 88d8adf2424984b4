import {
  type ActivityOptions,
  type LocalActivityOptions,
  allHandlersFinished,
  condition,
  executeChild,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { DisputesActivities } from '../activities/disputes.activities';
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
  voidRoundSignal,
} from './messages';
import type { SigningRule } from '../domain/signing';
import { PANEL_OUTCOME_PATCH, installPanelStage } from './panel-stage';
import { signoffWorkflow } from './signoff.workflow';
import { voteWorkflow } from './vote.workflow';
import { voteWorkflowId } from './vote-messages';
import { holdStageSignal } from './dispute-messages';

const DAY_MS = 86_400_000;

/** Database writes: quick, retried until they succeed (they are idempotent). */
const RECORDS: ActivityOptions = { startToCloseTimeout: '30 seconds', retry: { initialInterval: '200 milliseconds', maximumInterval: '10 seconds' } };
/** Rendering: a template error is final, anything else is retried a few times. */
const RENDERING: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '10 seconds', maximumAttempts: 5, nonRetryableErrorTypes: ['TEMPLATE_CONTEXT_INVALID'] },
} as const;

/** The same writes as local activities: retried in the worker with the same backoff. */
const LOCAL_RECORDS: LocalActivityOptions = { startToCloseTimeout: '30 seconds', retry: RECORDS.retry };

const scheduledRecords = proxyActivities<FormationActivities>(RECORDS);
const rendering = proxyActivities<FormationActivities>(RENDERING);
const scheduledDisputeRecords = proxyActivities<DisputesActivities>(RECORDS);
const localRecords = proxyLocalActivities<FormationActivities>(LOCAL_RECORDS);
const localDisputeRecords = proxyLocalActivities<DisputesActivities>(LOCAL_RECORDS);

/**
 * The formation's quick writes (read model, stage data, the decision plan, open holds) run as local
 * activities: each is one marker in the history, inside the workflow task that asked for it,
 * instead of three events, an activity task and another workflow task. Rendering stays a scheduled
 * activity (it can take seconds, on the render threads of whichever worker is free). Histories
 * begun before this change keep their scheduled activities.
 */
const LOCAL_RECORDS_PATCH = 'formation-local-records';
const records = (): typeof scheduledRecords => (patched(LOCAL_RECORDS_PATCH) ? localRecords : scheduledRecords);
const disputeRecords = (): typeof scheduledDisputeRecords => (patched(LOCAL_RECORDS_PATCH) ? localDisputeRecords : scheduledDisputeRecords);

/** Open dispute cases tied to a stage hold it: added after formations were already running. */
const DISPUTE_HOLDS_PATCH = 'dispute-stage-holds';

export interface FormationInput {
  networkId: string;
}

/**
 * One per network: runs the formation stages in order. In each stage the facilitator may submit
 * data, then issues the stage; its document is rendered and every member practice signs it in a
 * sign-off child workflow. A declined round returns the stage to drafting. The panel stage also
 * needs the panel's outcome (workflows/panel-stage.ts), and its open conditions hold back the
 * legal-entity stage.
 */
export async function formationWorkflow(input: FormationInput): Promise<FormationState> {
  const { networkId } = input;
  const state: FormationState = {
    networkId,
    status: 'running',
    currentStage: null,
    stages: STAGE_KEYS.map((key): StageState => ({
      key,
      status: 'pending',
      dataRevision: 0,
      documents: [],
      signoffWorkflowId: null,
      lastOutcome: null,
      vote: null,
    })),
  };
  const stageData = new Map<StageKey, unknown>();
  let pendingIssue: { stage: StageKey; doc: DocumentRef; rule: SigningRule; actor: string } | null = null;
  let issueCount = 0;
  const stageOf = (key: StageKey) => {
    const found = state.stages.find((s) => s.key === key);
    if (!found) throw reject('UNKNOWN_STAGE', `Unknown stage ${key}`);
    return found;
  };

  setHandler(formationStateQuery, () => state);
  const panel = installPanelStage({ networkId, stage: () => stageOf('panel-presentation') });
  state.panel = panel.state;

  // caseId → the stage an open dispute case holds; a released case is never held again
  const holds = new Map<string, StageKey>();
  const released = new Set<string>();
  let waitingOnHold: StageKey | null = null;
  const held = (key: StageKey) => [...holds.values()].includes(key);
  setHandler(holdStageSignal, ({ caseId, stage, held: hold }) => {
    if (hold && !released.has(caseId)) holds.set(caseId, stage);
    if (!hold) {
      holds.delete(caseId);
      released.add(caseId);
    }
  });
  /** The one wait before a stage completes: until no open case holds it. */
  async function untilNotHeld(key: StageKey): Promise<void> {
    if (!patched(DISPUTE_HOLDS_PATCH) || !held(key)) return;
    waitingOnHold = key;
    await condition(() => !held(key));
    waitingOnHold = null;
  }

  setHandler(
    submitStageDataUpdate,
    async ({ stage, data, actor }) => {
      const s = stageOf(stage);
      s.dataRevision += 1;
      const revision = s.dataRevision;
      stageData.set(stage, data);
      await records().persistStageData({ networkId, stage, data, revision, actor });
      return { revision };
    },
    {
      validator: ({ stage }) => {
        const s = stageOf(stage);
        if (s.status === 'completed') throw reject('STAGE_COMPLETED', `The ${stage} stage is already completed.`);
        if (s.status === 'issuing' || s.status === 'voting')
          throw reject(
            'STAGE_LOCKED',
            `The ${stage} stage is ${s.status === 'voting' ? 'being voted on' : 'being issued'}; its data can change once that ends.`,
          );
      },
    },
  );

  setHandler(
    issueStageUpdate,
    async ({ stage, actor, signingRule }) => {
      const s = stageOf(stage);
      const previous = s.status;
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
        pendingIssue = { stage, doc, rule: signingRule, actor };
        // a new version voids the round in progress: signatures on a superseded version never count
        if (s.signoffWorkflowId) {
          await getExternalWorkflowHandle(s.signoffWorkflowId).signal(voidRoundSignal, { reason: `superseded by version ${doc.version}` });
        }
        return doc;
      } catch (err) {
        s.status = previous;
        throw err;
      }
    },
    {
      validator: ({ stage }) => {
        const s = stageOf(stage);
        if (s.status === 'completed') throw reject('STAGE_COMPLETED', `The ${stage} stage is already completed.`);
        if (state.currentStage !== stage)
          throw reject('STAGE_NOT_CURRENT', `The ${stage} stage is not the current stage (current: ${state.currentStage ?? 'none'}).`);
        if (waitingOnHold === stage)
          throw reject('STAGE_LOCKED', `The ${stage} stage is decided and completes once the dispute cases that hold it are closed.`);
        if (s.status === 'voting') throw reject('STAGE_LOCKED', `The ${stage} stage is being voted on; a new version can be issued once the vote ends.`);
        if (s.status === 'awaiting-outcome')
          throw reject('STAGE_LOCKED', "The panel pack is signed; record the panel's outcome (pass, conditional or defer) before issuing it again.");
        const conditionsOpen = stage === 'legal-entity' ? panel.legalEntityBlock() : null;
        if (conditionsOpen) throw reject('CONDITIONS_OPEN', conditionsOpen);
        if (s.status !== 'drafting' && s.status !== 'awaiting-signatures')
          throw reject('STAGE_LOCKED', `The ${stage} stage is ${s.status}; try again in a moment.`);
      },
    },
  );

  // cases opened before this formation started hold their stages too
  if (patched(DISPUTE_HOLDS_PATCH)) {
    for (const hold of await disputeRecords().openStageHolds({ networkId })) if (!released.has(hold.caseId)) holds.set(hold.caseId, hold.stage as StageKey);
  }
  await records().markFormation({ networkId, status: 'running', currentStage: STAGE_KEYS[0] });

  for (const key of STAGE_KEYS) {
    const s = stageOf(key);
    // a change of the stage's status, in the workflow's state and in the read model together
    const mark = (status: StageState['status'], event?: 'started' | 'completed' | 'returned', reason?: string) => {
      s.status = status;
      return records().markStage({ networkId, stage: key, status, event, reason, lastOutcome: s.lastOutcome, vote: s.vote });
    };
    state.currentStage = key;
    await mark('drafting', 'started');

    for (;;) {
      await condition(() => pendingIssue?.stage === key);
      const { doc, rule, actor } = pendingIssue as unknown as { doc: DocumentRef; rule: SigningRule; actor: string };
      pendingIssue = null;

      // the wave's panel scores the presentation and the facilitator records its outcome
      const panelRules = key === 'panel-presentation' && patched(PANEL_OUTCOME_PATCH);
      if (panelRules) await panel.open(doc, actor);
      const deferralsAtIssue = panel.deferrals();

      // where the programme decides this stage by vote, the members vote on this version first
      const plan = await records().stageDecisionPlan({ networkId, stage: key });
      if (plan.vote) {
        const motionId = uuid4();
        s.vote = { motionId, documentVersion: doc.version, result: null, ruleVersion: null, explanation: [] };
        await mark('voting');
        const outcome = await executeChild(voteWorkflow, {
          workflowId: voteWorkflowId(motionId),
          args: [
            {
              motionId,
              networkId,
              title: `Approve ${doc.title}, version ${doc.version}`,
              text: `That the network approves "${doc.title}" (version ${doc.version}, SHA-256 ${doc.sha256}) as issued.`,
              decisionType: plan.vote,
              closesAt: new Date(Date.now() + plan.voteWindowDays * DAY_MS).toISOString(),
              documentId: doc.id,
              actor: 'formation',
            },
          ],
        });
        s.vote = { motionId, documentVersion: doc.version, result: outcome.result, ruleVersion: outcome.ruleVersion, explanation: outcome.explanationLines };
        if (outcome.result !== 'carried') {
          s.lastOutcome = { outcome: outcome.result, reason: outcome.explanationLines.at(-1), documentVersion: doc.version };
          await mark('drafting', 'returned', `vote ${outcome.result}`);
          continue;
        }
        if (!plan.signatures) {
          s.lastOutcome = { outcome: 'carried', documentVersion: doc.version };
          await untilNotHeld(key);
          if ((pendingIssue as { stage: StageKey } | null)?.stage === key) pendingIssue = null;
          await mark('completed', 'completed');
          break;
        }
      }

      const childId = signoffWorkflowId(networkId, key, doc.version);
      s.signoffWorkflowId = childId;
      await mark('awaiting-signatures');
      const result = await executeChild(signoffWorkflow, {
        workflowId: childId,
        args: [
          {
            networkId,
            stage: key,
            documentId: doc.id,
            documentType: doc.type,
            documentVersion: doc.version,
            documentSha256: doc.sha256,
            documentTitle: doc.title,
            rule,
          },
        ],
      });
      s.signoffWorkflowId = null;
      s.lastOutcome = { outcome: result.outcome, reason: result.reason, documentVersion: doc.version };
      if (result.outcome === 'signed') {
        await untilNotHeld(key);
        // a version issued while the round was finishing came too late to void it
        if ((pendingIssue as { stage: StageKey } | null)?.stage === key) pendingIssue = null;
        if (panelRules && !panel.decided()) {
          // the pack is signed; the stage completes with a pass or a conditional pass, and starts again after a deferral
          if (panel.deferrals() === deferralsAtIssue) {
            await mark('awaiting-outcome');
            await condition(() => panel.decided() || panel.deferrals() !== deferralsAtIssue);
          }
          if (!panel.decided()) {
            await mark('drafting', 'returned', 'deferred by the panel to the next wave');
            continue;
          }
        }
        // the signed terms of reference set the rules of every later vote
        if (key === 'terms-of-reference') await records().adoptConstitutionRules({ networkId, documentVersion: doc.version });
        await mark('completed', 'completed');
        break;
      }
      if (result.outcome === 'voided' && pendingIssue) continue; // the next version goes straight out
      await mark('drafting', 'returned', result.reason ?? result.outcome);
    }
  }

  state.status = 'completed';
  state.currentStage = null;
  await records().markFormation({ networkId, status: 'completed', currentStage: null });
  await condition(() => allHandlersFinished() && panel.lettersSent());
  return state;
}
