import {
  type ActivityOptions,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  executeChild,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  setHandler,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { DisputesActivities } from '../activities/disputes.activities';
import type { SigningActivities } from '../activities/signing.activities';
import type { BankHolidayTable } from '../domain/calendar/working-days';
import { londonDate } from '../domain/calendar/working-days';
import { clockTimers, startClock } from '../domain/disputes/clock';
import {
  applyCaseEvent,
  breachStep,
  type CaseActor,
  type CaseRejectionCode,
  type CaseState,
  checkCaseEvent,
  isClosed,
  settlementDeclined,
  settlementSigned,
  snapshotOf,
  standingOf,
} from '../domain/disputes/case';
import { ladderStep } from '../domain/disputes/ladder';
import { DEFAULT_SIGNING_RULE } from '../domain/signing';
import {
  appointExternalUpdate,
  type CaseEventReceipt,
  type CaseOutcome,
  caseEventUpdate,
  caseStateQuery,
  type DisputeInput,
  holdStageSignal,
} from './dispute-messages';
import { formationWorkflowId } from './messages';
import { signoffWorkflow } from './signoff.workflow';

/** Writes of acknowledged events: retried until they succeed (each is idempotent by its number). */
const RECORDS: ActivityOptions = { startToCloseTimeout: '60 seconds', retry: { initialInterval: '500 milliseconds', maximumInterval: '30 seconds' } };
const RENDERING: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '10 seconds', maximumAttempts: 5, nonRetryableErrorTypes: ['TEMPLATE_CONTEXT_INVALID'] },
};
const records = proxyActivities<DisputesActivities>(RECORDS);
const rendering = proxyActivities<DisputesActivities>(RENDERING);
const calendar = proxyActivities<SigningActivities>(RECORDS);

const DAY_MS = 86_400_000;
/** A paused or unlimited case still wakes monthly, to keep its bank holiday table ahead of the calendar. */
const WAKE_AT_LEAST_EVERY_MS = 30 * DAY_MS;
const DEFAULT_EVENTS_PER_RUN = 200;

/** A business rejection; its type is the API error code (server/errors.ts). */
export function rejectCase(code: CaseRejectionCode, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: code, message, nonRetryable: true });
}

const today = () => londonDate(Date.now());
const nowIso = () => new Date(Date.now()).toISOString();

/**
 * One dispute case, months long: it climbs the network's ladder step by step. People record events
 * as Updates (their validators alone judge what the case allows now); the clock of each step is a
 * durable timer on England and Wales working days: a reminder two working days before the due date,
 * and escalation at its end if the step is unresolved. Resolving with terms sends a settlement record
 * to the parties' partners in a sign-off child workflow. A case tied to a formation stage holds that
 * stage while it is open. The history lives in the database, so the workflow carries only the case's
 * state, and continues as new after a number of events.
 */
export async function disputeWorkflow(input: DisputeInput): Promise<CaseOutcome> {
  const { caseId, networkId } = input;
  const eventsPerRun = input.eventsPerRun ?? DEFAULT_EVENTS_PER_RUN;
  let holidays: BankHolidayTable | null = input.carried?.holidays ?? null;
  let state: CaseState = input.carried?.state ?? {
    caseId,
    networkId,
    parties: input.parties,
    stage: input.stage,
    status: 'opening',
    ladder: input.ladder,
    step: 1,
    clock: { startedOn: '', countingFrom: '', unit: null, dueOn: null, paused: null },
    breaches: 0,
    settling: null,
    external: null,
    seq: 0,
  };
  const reminded = new Set(input.carried?.reminded ?? []);
  let settlements = input.carried?.settlements ?? 0;
  const firstSeqOfRun = state.seq;
  /** bumped by every accepted event, so the main loop re-reads the clock */
  let changes = 0;
  let pendingTerms: { text: string; actor: CaseActor } | null = null;

  const table = (): BankHolidayTable => {
    if (!holidays) throw ApplicationFailure.nonRetryable('bank holidays not loaded', 'NOT_READY');
    return holidays;
  };
  const nextSeq = () => {
    state = { ...state, seq: state.seq + 1 };
    return state.seq;
  };
  const receipt = (seq: number, type: string): CaseEventReceipt => {
    const snap = snapshotOf(state, today());
    return { seq, type, status: state.status, step: state.step, stepName: ladderStep(state.ladder, state.step).name, dueOn: snap.stepDueOn, clock: snap.clock };
  };

  /** After a move up the ladder: at the board step, board members of the parties' practices stand aside. */
  async function stepStarted(): Promise<void> {
    if (ladderStep(state.ladder, state.step).kind !== 'board') return;
    const seq = nextSeq();
    await records.recordStandAside({ caseId, seq, at: nowIso(), step: state.step, snapshot: snapshotOf(state, today()) });
  }

  setHandler(caseStateQuery, () => state);

  setHandler(
    caseEventUpdate,
    async (request) => {
      // the state moves before the first await, so a concurrent event is judged against it
      const on = today();
      const at = nowIso();
      const step = state.step;
      const { state: next, effect } = applyCaseEvent(state, request, on, table());
      state = next;
      const seq = nextSeq();
      changes += 1;
      if (request.type === 'resolve') pendingTerms = { text: request.text, actor: request.actor };
      await records.recordCaseEvent({
        caseId,
        seq,
        at,
        type: request.type,
        text: request.text,
        actor: request.actor,
        step,
        snapshot: snapshotOf(state, on),
        notice: effect === 'step-changed' ? 'escalated' : effect === 'closed' ? 'closed' : 'none',
        data: request.type === 'extend' ? { days: request.days } : {},
      });
      if (effect === 'step-changed') await stepStarted();
      return receipt(seq, request.type);
    },
    {
      validator: (request) => {
        const rejection = checkCaseEvent(state, request);
        if (rejection) throw rejectCase(rejection.code, rejection.message);
      },
    },
  );

  setHandler(
    appointExternalUpdate,
    async ({ name, email, organisation, actor }) => {
      const step = ladderStep(state.ladder, state.step);
      const externalId = uuid4();
      state = { ...state, external: { externalId, name, role: step.external!, step: step.number } };
      const seq = nextSeq();
      await records.appointExternal({
        caseId,
        externalId,
        seq,
        at: nowIso(),
        step: step.number,
        role: step.external!,
        name,
        email,
        organisation,
        actor,
        snapshot: snapshotOf(state, today()),
      });
      return { externalId, seq };
    },
    {
      validator: ({ actor }) => {
        if (state.status === 'opening') throw rejectCase('CASE_OPENING', 'The case is being opened; try again in a moment.');
        if (isClosed(state.status)) throw rejectCase('CASE_CLOSED', `This case is closed (${state.status}).`);
        const standing = standingOf(actor, state);
        if (!standing.includes('facilitator') && !standing.includes('office'))
          throw rejectCase('FORBIDDEN', 'Only a facilitator or the chair may appoint an outside person.');
        if (state.settling) throw rejectCase('SETTLEMENT_PENDING', 'The settlement record is out for signature.');
        const step = ladderStep(state.ladder, state.step);
        if (!step.external) throw rejectCase('NO_EXTERNAL_AT_STEP', `Nobody from outside the network acts at the ${step.name} step.`);
      },
    },
  );

  /** Tells the network's formation that a stage is held, or free again; a formation not running is told at its start. */
  async function holdStage(held: boolean): Promise<void> {
    if (!state.stage) return;
    try {
      await getExternalWorkflowHandle(formationWorkflowId(networkId)).signal(holdStageSignal, { caseId, stage: state.stage, held });
    } catch (err) {
      log.info('formation not running; it reads open cases when it starts', { caseId, error: String(err) });
    }
  }

  async function ensureHolidays(): Promise<void> {
    const year = new Date(Date.now()).getUTCFullYear();
    if (holidays && holidays.fromYear <= year - 1 && holidays.toYear >= year + 2) return;
    holidays = await calendar.bankHolidayTable({ fromYear: year - 1, toYear: year + 3 });
  }

  /** Terms were agreed: render the settlement record and have each party's partners sign it. */
  async function settle(terms: { text: string; actor: CaseActor }): Promise<void> {
    settlements += 1;
    const actor =
      terms.actor.kind === 'staff' ? terms.actor.name : terms.actor.kind === 'person' ? `person:${terms.actor.personId}` : `external:${terms.actor.externalId}`;
    let doc;
    try {
      doc = await rendering.renderSettlement({
        caseId,
        terms: terms.text,
        agreedOn: today(),
        idempotencyKey: `${workflowInfo().workflowId}:settlement-${settlements}`,
        actor,
      });
    } catch (err) {
      state = settlementDeclined(state, today(), table());
      const seq = nextSeq();
      await records.recordCaseEvent({
        caseId,
        seq,
        at: nowIso(),
        type: 'settlement-declined',
        text: `The settlement record could not be produced: ${String((err as Error).message ?? err)}`,
        actor: null,
        step: state.step,
        snapshot: snapshotOf(state, today()),
      });
      return;
    }
    let seq = nextSeq();
    await records.recordCaseEvent({
      caseId,
      seq,
      at: nowIso(),
      type: 'settlement-issued',
      text: `${doc.title} (version ${doc.version}) was sent to the parties’ partners to sign.`,
      actor: null,
      step: state.step,
      snapshot: { ...snapshotOf(state, today()), settlementDocumentId: doc.id },
      data: { documentId: doc.id, version: doc.version, sha256: doc.sha256 },
    });
    const result = await executeChild(signoffWorkflow, {
      workflowId: `signoff-dispute-${caseId}-v${doc.version}`,
      args: [
        {
          networkId,
          stage: null,
          subject: `dispute:${caseId}`,
          practiceIds: state.parties,
          documentId: doc.id,
          documentType: doc.type,
          documentVersion: doc.version,
          documentSha256: doc.sha256,
          documentTitle: doc.title,
          rule: DEFAULT_SIGNING_RULE,
        },
      ],
    });
    const on = today();
    if (result.outcome === 'signed') {
      state = settlementSigned(state);
      seq = nextSeq();
      await records.recordCaseEvent({
        caseId,
        seq,
        at: nowIso(),
        type: 'settlement-signed',
        text: `Every party signed ${doc.title} (version ${doc.version}). The case is resolved.`,
        actor: null,
        step: state.step,
        snapshot: snapshotOf(state, on),
        notice: 'closed',
        data: { documentId: doc.id },
      });
      return;
    }
    state = settlementDeclined(state, on, table());
    seq = nextSeq();
    await records.recordCaseEvent({
      caseId,
      seq,
      at: nowIso(),
      type: 'settlement-declined',
      text: result.reason ? `The settlement record was declined: ${result.reason}` : 'The settlement record was not signed.',
      actor: null,
      step: state.step,
      snapshot: snapshotOf(state, on),
      data: { documentId: doc.id },
    });
  }

  if (!input.carried) {
    await ensureHolidays();
    const on = today();
    state = { ...state, clock: startClock(ladderStep(state.ladder, 1).limit, on, table()), seq: 1 };
    await records.openCase({
      caseId,
      workflowId: workflowInfo().workflowId,
      networkId,
      programmeId: input.programmeId,
      title: input.title,
      summary: input.summary,
      parties: input.parties,
      stage: input.stage,
      ladder: input.ladder,
      openedBy: input.openedBy,
      fromIssueId: input.fromIssueId,
      at: nowIso(),
      snapshot: snapshotOf({ ...state, status: 'open' }, on),
    });
    state = { ...state, status: 'open' };
    // recorded first, then signalled: a formation starting in between reads it from the record
    await holdStage(true);
  }

  for (;;) {
    if (isClosed(state.status)) break;
    if (pendingTerms) {
      const terms = pendingTerms;
      pendingTerms = null;
      await settle(terms);
      continue;
    }
    if (!state.settling && (state.seq - firstSeqOfRun >= eventsPerRun || workflowInfo().continueAsNewSuggested)) {
      await condition(allHandlersFinished);
      if (!pendingTerms && !isClosed(state.status)) {
        await continueAsNew<typeof disputeWorkflow>({ ...input, carried: { state, holidays: table(), reminded: [...reminded], settlements } });
      }
      continue;
    }
    await ensureHolidays();
    const now = Date.now();
    const timers = state.settling ? null : clockTimers(state.clock, table());
    const reminderKey = `${state.step}:${state.clock.dueOn}`;
    if (timers && now >= timers.escalateAt) {
      // the step was not resolved by the end of its due date: it escalates by itself
      const from = state.step;
      const on = today();
      state = breachStep(state, on, table());
      const seq = nextSeq();
      const step = ladderStep(state.ladder, from);
      await records.recordCaseEvent({
        caseId,
        seq,
        at: nowIso(),
        type: 'breach',
        text: `The ${step.name} step was not resolved by its due date, so the case moved to ${ladderStep(state.ladder, state.step).name}.`,
        actor: null,
        step: from,
        snapshot: snapshotOf(state, on),
        notice: 'escalated',
      });
      await stepStarted();
      continue;
    }
    const remindAt = timers?.remindAt ?? null;
    if (remindAt !== null && now >= remindAt && !reminded.has(reminderKey)) {
      reminded.add(reminderKey);
      const seq = nextSeq();
      await records.sendStepReminder({ caseId, seq, at: nowIso(), step: state.step, dueOn: state.clock.dueOn!, snapshot: snapshotOf(state, today()) });
      continue;
    }
    const wakeAt = Math.min(
      timers?.escalateAt ?? Infinity,
      remindAt !== null && !reminded.has(reminderKey) ? remindAt : Infinity,
      now + WAKE_AT_LEAST_EVERY_MS,
    );
    const seen = changes;
    await condition(() => changes !== seen || pendingTerms !== null || workflowInfo().continueAsNewSuggested, Math.max(1, wakeAt - now));
  }

  // every acknowledged event is recorded before the stage is released
  await condition(allHandlersFinished);
  await holdStage(false);
  return { caseId, status: state.status };
}
