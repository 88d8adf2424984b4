/**
 * The panel part of a network's formation workflow: scoring by the wave's panel members, the
 * facilitator's outcome (pass, conditional, defer), and the conditions that hold back the
 * legal-entity stage. Not a workflow of its own: the formation workflow installs these handlers and
 * asks this module what the panel allows. Every rule is a pure function in domain/panel.ts; the
 * validators here are the only judges of whether an action is allowed now.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  type ActivityOptions,
  getExternalWorkflowHandle,
  type LocalActivityOptions,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
} from '@temporalio/workflow';
import type { PanelActivities } from '../activities/panel.activities';
import { closeConditionRefusal, emptyPanelState, openConditionsBlock, outcomeRefusal, scoreRefusal, type PanelRefusal, type PanelState } from '../domain/panel';
import { reject } from './failures';
import { sendOutcomeLetter } from './panel-letter.workflow';
import { type DocumentRef, type StageState, voidRoundSignal } from './messages';
import { closePanelConditionUpdate, recordPanelOutcomeUpdate, scorePanelUpdate } from './panel-messages';

/** Patch id: workflows started before it complete the panel stage on signatures alone. */
export const PANEL_OUTCOME_PATCH = 'panel-outcome';
/**
 * Patch id: the facilitator is answered as soon as the outcome is recorded, and the workflow renders
 * and sends the letter after. Before it the answer waited for the letter (a rendered document and
 * mail to every practice), which on a busy machine could outlast the server's wait and answer 503
 * for an outcome that had been recorded.
 */
export const LETTER_AFTER_ANSWER_PATCH = 'panel-letter-after-answer';

/** Writes of acknowledged actions: retried briefly, so a panel member or facilitator never waits long. */
const ACKNOWLEDGED_WRITE: ActivityOptions = {
  startToCloseTimeout: '20 seconds',
  retry: { initialInterval: '200 milliseconds', maximumInterval: '3 seconds', maximumAttempts: 8, nonRetryableErrorTypes: ['NO_NEXT_WAVE'] },
};
/** Opening a presentation writes and mails: retried until it succeeds (it is idempotent). */
const RECORDS: ActivityOptions = { startToCloseTimeout: '60 seconds', retry: { initialInterval: '500 milliseconds', maximumInterval: '30 seconds' } };

const scheduledAcknowledged = proxyActivities<PanelActivities>(ACKNOWLEDGED_WRITE);
const records = proxyActivities<PanelActivities>(RECORDS);
const localWrites = proxyLocalActivities<PanelActivities>(ACKNOWLEDGED_WRITE as LocalActivityOptions);
const localRecords = proxyLocalActivities<PanelActivities>(RECORDS as LocalActivityOptions);

/**
 * Scores, the outcome, closing a condition and opening the presentation are database writes only:
 * local activities since this patch, one marker each inside the workflow task that asked (and a
 * shorter wait for the person who acted). Invitations and the letter (mail, a rendered document)
 * stay scheduled. Histories begun before it keep their scheduled activities.
 */
const LOCAL_WRITES_PATCH = 'panel-local-writes';
const acknowledged = (): typeof scheduledAcknowledged => (patched(LOCAL_WRITES_PATCH) ? localWrites : scheduledAcknowledged);

function refuse(refusal: PanelRefusal | null): void {
  if (refusal) throw reject(refusal.code, refusal.message, refusal.details);
}

/** The business failure an activity raised (e.g. NO_NEXT_WAVE), as the update's own rejection. */
function asRejection(err: unknown): unknown {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure && cause.type === 'NO_NEXT_WAVE') return reject('NO_NEXT_WAVE', cause.message);
  return err;
}

export interface PanelStage {
  readonly state: PanelState;
  /** Opens the presentation to the wave's panel, then sends score links to its members and exclusions to the conflicted. */
  open(doc: DocumentRef, actor: string): Promise<void>;
  /** pass or conditional: the stage may complete once the pack is signed */
  decided(): boolean;
  /** how many times the network has been deferred (a change wakes the formation loop) */
  deferrals(): number;
  /** why the legal-entity stage may not be issued yet, or null */
  legalEntityBlock(): string | null;
  /** no outcome letter is still being rendered or sent (the workflow waits for this before it ends) */
  lettersSent(): boolean;
}

export function installPanelStage(ctx: { networkId: string; stage: () => StageState }): PanelStage {
  const { networkId } = ctx;
  const panel = emptyPanelState();
  let lettersInFlight = 0;

  setHandler(
    scorePanelUpdate,
    async (input) => {
      // the claim is taken before the first await, so a concurrent repeat is refused by its validator
      panel.scored.push(input.memberId);
      try {
        return await acknowledged().recordPanelScore({ networkId, ...input });
      } catch (err) {
        panel.scored = panel.scored.filter((m) => m !== input.memberId);
        throw err;
      }
    },
    { validator: (input) => refuse(scoreRefusal(panel, { memberId: input.memberId, presentationId: input.presentationId, sheet: input.sheet })) },
  );

  setHandler(
    recordPanelOutcomeUpdate,
    async (input) => {
      const presentationId = panel.presentationId!;
      panel.deciding = true;
      let recorded;
      try {
        recorded = await acknowledged().recordPanelOutcome({ networkId, presentationId, ...input });
      } catch (err) {
        throw asRejection(err);
      } finally {
        panel.deciding = false;
      }
      if (recorded.outcome === 'defer') {
        // the network starts again at the panel of its new wave: the presentation in progress ends
        Object.assign(panel, { ...emptyPanelState(), deferrals: panel.deferrals + 1 });
        const stage = ctx.stage();
        if (stage.signoffWorkflowId)
          await getExternalWorkflowHandle(stage.signoffWorkflowId).signal(voidRoundSignal, {
            reason: `deferred by the panel to wave ${recorded.toWave?.number}`,
          });
      } else {
        panel.outcome = recorded.outcome;
        panel.conditions = recorded.conditions.map((c) => ({ ...c, open: true }));
      }
      let letterDocumentId: string | null = null;
      if (patched(LETTER_AFTER_ANSWER_PATCH)) {
        // answered now; the letter follows (GET /networks/:id/panel shows it once sent, or why not)
        lettersInFlight += 1;
        void sendOutcomeLetter({ networkId, presentationId }, true).finally(() => {
          lettersInFlight -= 1;
        });
      } else letterDocumentId = await sendOutcomeLetter({ networkId, presentationId }, false);
      return { presentationId, outcome: recorded.outcome, conditions: recorded.conditions, toWave: recorded.toWave, letterDocumentId };
    },
    {
      validator: (input) => {
        const stage = ctx.stage();
        if (stage.status === 'issuing') throw reject('STAGE_LOCKED', 'The panel pack is being issued; record the outcome in a moment.');
        if (stage.status === 'completed' && input.outcome === 'defer')
          throw reject('OUTCOME_RECORDED', 'The panel stage is complete; the network can no longer be deferred.');
        refuse(outcomeRefusal(panel, input));
      },
    },
  );

  setHandler(
    closePanelConditionUpdate,
    async (input) => {
      const condition = panel.conditions.find((c) => c.n === input.n)!;
      condition.open = false;
      try {
        return await acknowledged().closePanelCondition({ networkId, presentationId: panel.presentationId!, ...input });
      } catch (err) {
        condition.open = true;
        throw err;
      }
    },
    { validator: (input) => refuse(closeConditionRefusal(panel, input.n)) },
  );

  return {
    state: panel,
    async open(doc, actor) {
      const opened = await (patched(LOCAL_WRITES_PATCH) ? localRecords : records).openPanelPresentation({ networkId, documentId: doc.id, actor });
      // a score being written while the pack is reissued keeps its claim
      const inFlight = opened.presentationId === panel.presentationId ? panel.scored : [];
      Object.assign(panel, { ...opened, scored: [...new Set([...opened.scored, ...inFlight])], deciding: panel.deciding, deferrals: panel.deferrals });
      // the links go out once the validators know who may score
      await records.sendPanelInvitations({ networkId, presentationId: opened.presentationId });
    },
    decided: () => panel.outcome === 'pass' || panel.outcome === 'conditional',
    deferrals: () => panel.deferrals,
    legalEntityBlock: () => openConditionsBlock(panel.conditions),
    lettersSent: () => lettersInFlight === 0,
  };
}
