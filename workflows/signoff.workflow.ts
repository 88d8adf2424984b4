import {
  type ActivityOptions,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { SealingActivities } from '../activities/sealing.activities';
import type { SigningActivities } from '../activities/signing.activities';
import { reminderSchedule, type BankHolidayTable, type ReminderPolicy } from '../domain/calendar/working-days';
import {
  activeGroup,
  checkSignAttempt,
  delegateSlots,
  delegationTargets,
  roundComplete,
  slotsFor,
  type PracticeForSigning,
  type SigningRule,
} from '../domain/signing';
import type { StageKey } from '../domain/stages';
import { reject } from './failures';
import { acknowledged, createSignatureWriter } from './signature-writes';
import {
  SIGNATURES_PER_UPDATE,
  type SignInput,
  type SignOutcome,
  type SignatureReceipt,
  type SignoffState,
  declineUpdate,
  delegateUpdate,
  extendRoundUpdate,
  resendRoundUpdate,
  signManyUpdate,
  signUpdate,
  signoffStateQuery,
  voidRoundSignal,
} from './messages';

/** Bookkeeping and mail: retried until it succeeds (every activity here is idempotent). */
const RECORDS: ActivityOptions = { startToCloseTimeout: '60 seconds', retry: { initialInterval: '500 milliseconds', maximumInterval: '30 seconds' } };

const records = proxyActivities<SigningActivities>(RECORDS);
/** Opening and closing the round's record: quick writes, local activities with the same patience. */
const localRecords = proxyLocalActivities<SigningActivities>({ startToCloseTimeout: '60 seconds', retry: RECORDS.retry });
/** Sealing renders and stores the evidence PDF: retried patiently, since a signed round should end sealed. */
const SEALING: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
};
const sealing = proxyActivities<SealingActivities>(SEALING);

const DAY_MS = 86_400_000;

export interface SignoffInput {
  networkId: string;
  /** the formation stage the document belongs to; null for a document outside formation */
  stage: StageKey | null;
  /** what a round without a stage is filed under, e.g. `dispute:<case id>` */
  subject?: string;
  /** only these practices sign (the parties to a dispute); by default every member practice */
  practiceIds?: string[];
  documentId: string;
  documentType: string;
  documentVersion: number;
  documentSha256: string;
  documentTitle: string;
  rule: SigningRule;
  /** reminder and expiry policy; defaults: first reminder after 3 working days, then every 5, expiry after 30 days */
  reminders?: Partial<Omit<ReminderPolicy, 'sentAt'>>;
}

export interface SignoffResult {
  outcome: 'signed' | 'declined' | 'voided';
  reason?: string;
}

/**
 * One sign-off round for one document version. Requests go to everyone who may fill a slot of the
 * active group; signatures, declines and delegations arrive as Updates; reminders and expiry are
 * durable timers on England and Wales working days. The round ends when every slot is filled, at
 * the first decline, or when a new version voids it.
 *
 * The history stays small without continuing as new: a signature costs at most about 2.3 events (its
 * update accepted and completed, and its share of a batch's workflow task and write) and far fewer
 * when signers arrive together (one `signMany` update carries them: 200 at once cost about 70
 * events); a refused `sign` costs none (a refusal inside a `signMany` shares its update), and each
 * person signs once; reminders follow a fixed schedule, and a resend or an extension is a
 * facilitator's act, about a dozen events each. A round of 1,000 signers stays far under Temporal's
 * 10,240-event warning.
 */
export async function signoffWorkflow(input: SignoffInput): Promise<SignoffResult> {
  const workflowId = workflowInfo().workflowId;
  // rounds begun before signatures were written in batches keep writing them one activity each
  const batchedWrites = patched('batched-signature-writes');
  // rounds begun before their record was opened and closed by local activities keep scheduled ones
  const quick = patched('signoff-local-records') ? localRecords : records;
  const state: SignoffState = {
    signoffId: uuid4(),
    status: 'opening',
    rule: input.rule,
    documentId: input.documentId,
    documentVersion: input.documentVersion,
    slots: [],
    filled: {},
    declinedBy: null,
    expiresAt: 0,
    remindersSent: 0,
  };
  let practices: PracticeForSigning[] = [];
  let reminders: number[] = [];
  let voided: string | null = null;
  let scheduleChanged = false;
  // claims are taken before the first await of a handler, so that a concurrent attempt for the same
  // slot is rejected by its validator; only a written signature moves into state.filled
  const claims: Record<string, string> = {};
  let declining = false;
  const claimed = () => ({ ...state.filled, ...claims });
  const accepting = () => state.status === 'open' && !declining && state.declinedBy === null && voided === null;
  const ended = () => roundComplete(state) || state.declinedBy !== null || voided !== null;

  const recordOne = createSignatureWriter(input, state, workflowId, batchedWrites);

  setHandler(signoffStateQuery, () => state);
  setHandler(voidRoundSignal, ({ reason }) => {
    voided ??= reason;
  });

  /** Why a signature may not be taken now, as its update's rejection; null when it may. */
  const signRefusal = (attempt: SignInput): ApplicationFailure | null => {
    if (!attempt.consent) return reject('CONSENT_REQUIRED', 'You must agree to sign electronically.');
    if (state.status === 'expired') return reject('ROUND_EXPIRED', 'This signing round has expired. The facilitator has been told and can extend it.');
    const rejection = checkSignAttempt({ open: accepting(), documentVersion: state.documentVersion, slots: state.slots, filled: claimed() }, attempt);
    return rejection ? reject(rejection.code, rejection.message) : null;
  };

  /** Takes an attempt that has passed `signRefusal`: its slots are claimed before the first await. */
  const takeSignature = async (attempt: SignInput): Promise<SignatureReceipt> => {
    const slots = slotsFor({ slots: state.slots, filled: claimed() }, attempt.personId);
    for (const slot of slots) claims[slot.id] = attempt.personId;
    try {
      const receipt = await recordOne(attempt, slots);
      for (const slot of slots) state.filled[slot.id] = attempt.personId;
      return { ...receipt, roundComplete: roundComplete(state) };
    } finally {
      for (const slot of slots) delete claims[slot.id];
    }
  };

  setHandler(signUpdate, takeSignature, {
    validator: (attempt) => {
      const refusal = signRefusal(attempt);
      if (refusal) throw refusal;
    },
  });

  // each attempt is judged in turn, after the claims of those before it, as separate updates would be
  setHandler(
    signManyUpdate,
    (attempts) =>
      Promise.all(
        attempts.map(async (attempt): Promise<SignOutcome> => {
          const refusal = signRefusal(attempt);
          if (refusal) return { refused: { code: refusal.type ?? 'CONFLICT', message: refusal.message } };
          try {
            return { receipt: await takeSignature(attempt) };
          } catch (err) {
            if (err instanceof ApplicationFailure && err.nonRetryable && err.type) return { refused: { code: err.type, message: err.message } };
            return { unrecorded: { message: err instanceof Error ? err.message : String(err) } };
          }
        }),
      ),
    {
      validator: (attempts) => {
        if (!Array.isArray(attempts) || attempts.length === 0 || attempts.length > SIGNATURES_PER_UPDATE)
          throw reject('VALIDATION_FAILED', `Between 1 and ${SIGNATURES_PER_UPDATE} signatures at once.`);
      },
    },
  );

  setHandler(
    declineUpdate,
    async ({ personId, tokenId, reason }) => {
      declining = true;
      try {
        const receipt = await acknowledged.recordDecline({
          signoffId: state.signoffId,
          networkId: input.networkId,
          personId,
          tokenId,
          reason,
          documentTitle: input.documentTitle,
          documentVersion: input.documentVersion,
        });
        state.declinedBy = { personId, reason };
        return receipt;
      } finally {
        declining = false;
      }
    },
    {
      validator: ({ personId }) => {
        if (!accepting()) throw reject('ROUND_CLOSED', 'This signing round is closed.');
        if (!state.slots.some((s) => s.eligible.some((e) => e.personId === personId)))
          throw reject('NOT_A_SIGNER', 'You are not entitled to sign this document.');
        if (slotsFor({ slots: state.slots, filled: claimed() }, personId).length === 0)
          throw reject('ALREADY_SIGNED', 'Nothing is waiting for your signature in this round.');
      },
    },
  );

  setHandler(
    delegateUpdate,
    async ({ personId, tokenId, toPersonId }) => {
      // the validator has checked that the target may sign in this person's place
      const target = delegationTargets(state.slots, practices, personId).find((p) => p.personId === toPersonId)!;
      const before = state.slots;
      state.slots = delegateSlots({ slots: state.slots, filled: claimed() }, personId, { personId: target.personId, name: target.name, email: target.email });
      try {
        await acknowledged.recordDelegation({ ...requestContext(), fromPersonId: personId, tokenId, toPersonId: target.personId, slots: state.slots });
        return { delegatedTo: target.name };
      } catch (err) {
        state.slots = before;
        throw err;
      }
    },
    {
      validator: ({ personId, toPersonId }) => {
        if (!accepting()) throw reject('ROUND_CLOSED', 'This signing round is closed.');
        if (slotsFor({ slots: state.slots, filled: claimed() }, personId).length === 0)
          throw reject('ALREADY_SIGNED', 'Nothing is waiting for your signature in this round.');
        if (!delegationTargets(state.slots, practices, personId).some((p) => p.personId === toPersonId)) {
          throw reject('CANNOT_DELEGATE', 'You can hand this request only to another partner of your practice who holds the same roles.');
        }
        if (Object.values(claimed()).includes(toPersonId)) throw reject('CANNOT_DELEGATE', 'That person has already signed.');
      },
    },
  );

  setHandler(
    extendRoundUpdate,
    async ({ days, actor }) => {
      state.expiresAt = Math.max(Date.now(), state.expiresAt) + days * DAY_MS;
      state.status = 'open';
      reminders = reminders.filter((r) => r > Date.now() && r < state.expiresAt);
      scheduleChanged = true;
      const expiresAt = new Date(state.expiresAt).toISOString();
      await records.extendSignoff({ signoffId: state.signoffId, networkId: input.networkId, expiresAt, actor });
      return { expiresAt };
    },
    {
      validator: ({ days }) => {
        if (!Number.isInteger(days) || days < 1 || days > 90) throw reject('INVALID_EXTENSION', 'Extend by 1 to 90 days.');
        if (state.status !== 'open' && state.status !== 'expired') throw reject('ROUND_CLOSED', 'This signing round has ended.');
      },
    },
  );

  setHandler(
    resendRoundUpdate,
    async ({ actor, personId }) => {
      // one person chased, or everyone still owed (the validator has checked the one is owed)
      const owed = personId ? [personId] : owedPeople();
      await records.sendSignatureRequests({ ...requestContext(), personIds: owed, batch: `resend-${uuid4()}`, reminder: false, actor });
      return { sentTo: owed.length };
    },
    {
      validator: ({ personId }) => {
        if (state.status !== 'open')
          throw reject('ROUND_CLOSED', state.status === 'expired' ? 'Extend the round before resending its links.' : 'This signing round has ended.');
        if (personId !== undefined && !owedPeople().includes(personId)) {
          const known = state.slots.some((s) => s.eligible.some((e) => e.personId === personId));
          throw reject(
            'NOT_OWED',
            known
              ? 'Nothing is waiting for this person’s signature now: they have signed, their practice has, or their turn has not come.'
              : 'This person does not sign in this round.',
          );
        }
      },
    },
  );

  function owedPeople(): string[] {
    const group = activeGroup({ slots: state.slots, filled: claimed() });
    const people = state.slots.filter((s) => s.group === group && !claimed()[s.id]).flatMap((s) => s.eligible.map((e) => e.personId));
    return [...new Set(people)];
  }

  function requestContext() {
    return {
      signoffId: state.signoffId,
      workflowId,
      networkId: input.networkId,
      documentId: input.documentId,
      documentVersion: input.documentVersion,
      documentTitle: input.documentTitle,
      expiresAt: new Date(state.expiresAt).toISOString(),
    };
  }

  // open the round: the signoff record, then the holiday table for working-day timers
  const startedAt = Date.now();
  const holidays: BankHolidayTable = await quick.bankHolidayTable({
    fromYear: new Date(startedAt).getUTCFullYear(),
    toYear: new Date(startedAt).getUTCFullYear() + 2,
  });
  const schedule = reminderSchedule({ sentAt: startedAt, ...input.reminders }, holidays);
  state.expiresAt = schedule.expiresAt;
  reminders = schedule.reminders;
  const opened = await quick.openSignoff({
    signoffId: state.signoffId,
    workflowId,
    networkId: input.networkId,
    stage: input.stage,
    subject: input.subject,
    practiceIds: input.practiceIds,
    documentId: input.documentId,
    documentVersion: input.documentVersion,
    rule: input.rule,
    expiresAt: new Date(state.expiresAt).toISOString(),
  });
  state.signoffId = opened.signoffId;
  state.slots = opened.slots;
  practices = opened.practices;
  state.status = 'open';

  let group = 0;
  for (;;) {
    if (ended()) break;
    const current = activeGroup({ slots: state.slots, filled: state.filled });
    if (current !== group) {
      group = current;
      await records.sendSignatureRequests({ ...requestContext(), personIds: owedPeople(), batch: `group-${group}`, reminder: false, actor: 'system' });
      continue;
    }
    const next = state.status === 'open' ? Math.min(state.expiresAt, ...reminders) : Infinity;
    const wait = next - Date.now();
    if (wait > 0) {
      const settled = await condition(
        () => ended() || scheduleChanged || activeGroup({ slots: state.slots, filled: state.filled }) !== group,
        Number.isFinite(wait) ? wait : undefined,
      );
      scheduleChanged = false;
      if (settled !== false) continue;
    }
    if (state.status !== 'open') continue;
    if (Date.now() >= state.expiresAt) {
      state.status = 'expired';
      await records.expireSignoff({
        signoffId: state.signoffId,
        networkId: input.networkId,
        documentTitle: input.documentTitle,
        documentVersion: input.documentVersion,
        owedPersonIds: owedPeople(),
      });
      continue;
    }
    const due = reminders.filter((r) => r <= Date.now());
    reminders = reminders.filter((r) => r > Date.now());
    if (due.length) {
      state.remindersSent += 1;
      await records.sendSignatureRequests({
        ...requestContext(),
        personIds: owedPeople(),
        batch: `reminder-${state.remindersSent}`,
        reminder: true,
        actor: 'system',
      });
    }
  }

  // let in-flight writes finish before the round is closed
  await condition(allHandlersFinished);
  const outcome: SignoffResult['outcome'] = roundComplete(state) ? 'signed' : voided !== null ? 'voided' : 'declined';
  state.status = outcome;
  await quick.completeSignoff({
    signoffId: state.signoffId,
    networkId: input.networkId,
    documentId: input.documentId,
    outcome,
    reason: outcome === 'voided' ? (voided ?? undefined) : state.declinedBy?.reason,
  });
  if (outcome === 'signed') {
    if (patched('seal-signed-rounds')) {
      try {
        await sealing.sealSignoff({ signoffId: state.signoffId, networkId: input.networkId });
      } catch (err) {
        // only a non-retryable failure gets here (stored bytes no longer match their hash); the
        // signatures stand, and the round can be sealed again once a person has looked
        log.error('sealing the signed round failed', { signoffId: state.signoffId, error: String(err) });
      }
    }
    return { outcome };
  }
  return { outcome, reason: outcome === 'voided' ? (voided ?? undefined) : state.declinedBy?.reason };
}
