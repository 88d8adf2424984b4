/**
 * A dispute case as its workflow holds it, and the rules its Update validators apply: who may open a
 * case, who may record which event, and what each event does to the case. Pure, so the workflow
 * (which decides) and the pages (which explain) read the same rules.
 */
import type { Holidays, IsoDate } from '../calendar/working-days';
import type { StageKey } from '../stages';
import { extendClock, pauseClock, resumeClock, startClock, type StepClock } from './clock';
import { type ExternalRole, type LadderStep, ladderStep, stepAfter } from './ladder';

export const CASE_STATUSES = ['opening', 'open', 'resolved', 'withdrawn', 'determined'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/** The events a person may record on a case (POST /disputes/:id/events). */
export const CASE_EVENT_TYPES = ['note', 'pause', 'resume', 'escalate', 'extend', 'resolve', 'withdraw', 'determine'] as const;
export type CaseEventType = (typeof CASE_EVENT_TYPES)[number];

/** Longest extension agreed in one go, in the step's unit. */
export const MAX_EXTENSION = 90;

export interface CaseState {
  caseId: string;
  networkId: string;
  /** practice ids; the first is the practice that gave notice of the dispute */
  parties: string[];
  /** the formation stage the case holds, if any */
  stage: StageKey | null;
  status: CaseStatus;
  ladder: LadderStep[];
  /** the current step's number */
  step: number;
  clock: StepClock;
  /** steps left unresolved by their due date (each escalated by itself) */
  breaches: number;
  /** terms are recorded and the settlement record is out for signature; the clock stops meanwhile */
  settling: { pausedClock: boolean } | null;
  /** the outside person appointed for the current step */
  external: { externalId: string; name: string; role: ExternalRole; step: number } | null;
  /** events recorded so far (the next event's number is seq + 1) */
  seq: number;
}

/** Who is asking, as the service (or an action link) establishes it. */
export type CaseActor =
  | { kind: 'staff'; name: string; role: 'facilitator' | 'commissioner'; /** how the audit log names them, when not by `name` */ audit?: string }
  | { kind: 'person'; personId: string; name: string; networkId: string; practiceId: string; roles: readonly string[]; audit?: string }
  | { kind: 'external'; externalId: string; name: string };

export interface CaseEventRequest {
  type: CaseEventType;
  text: string;
  /** for `extend`: how many days (of the step's unit) */
  days?: number;
  actor: CaseActor;
}

export type CaseRejectionCode =
  | 'CASE_OPENING'
  | 'CASE_CLOSED'
  | 'FORBIDDEN'
  | 'SETTLEMENT_PENDING'
  | 'ALREADY_PAUSED'
  | 'CLOCK_NOT_PAUSED'
  | 'NO_TIME_LIMIT'
  | 'LAST_STEP'
  | 'CANNOT_DETERMINE'
  | 'NO_EXTERNAL_AT_STEP'
  | 'INVALID_EXTENSION'
  | 'VALIDATION_FAILED';

export interface CaseRejection {
  code: CaseRejectionCode;
  message: string;
}

/** What a caller is to a case; a caller may be several things (a chair whose practice is a party). */
export type CaseStanding = 'facilitator' | 'office' | 'party' | 'raising-party' | 'external';

/** Offices of the network that may steer a case, besides facilitators. */
const NETWORK_OFFICES = ['chair'];

export function standingOf(actor: CaseActor, state: Pick<CaseState, 'networkId' | 'parties' | 'external' | 'step'>): CaseStanding[] {
  if (actor.kind === 'staff') return actor.role === 'facilitator' ? ['facilitator'] : [];
  if (actor.kind === 'external')
    return state.external && state.external.externalId === actor.externalId && state.external.step === state.step ? ['external'] : [];
  if (actor.networkId !== state.networkId) return [];
  const out: CaseStanding[] = [];
  if (actor.roles.some((r) => NETWORK_OFFICES.includes(r))) out.push('office');
  if (state.parties.includes(actor.practiceId)) out.push('party');
  if (state.parties[0] === actor.practiceId) out.push('raising-party');
  return out;
}

/**
 * Who may record what. Facilitators and the chair steer the case; any party may add a note or take
 * the case to the next step; the practice that raised it may withdraw it; the outside person of the
 * current step may give their view (a note) and, where the step allows, determine it.
 */
export const EVENT_PERMISSIONS: Record<CaseEventType, readonly CaseStanding[]> = {
  note: ['facilitator', 'office', 'party', 'external'],
  pause: ['facilitator', 'office'],
  resume: ['facilitator', 'office'],
  extend: ['facilitator', 'office'],
  escalate: ['facilitator', 'office', 'party'],
  resolve: ['facilitator', 'office'],
  withdraw: ['facilitator', 'office', 'raising-party'],
  determine: ['facilitator', 'external'],
};

export function isClosed(status: CaseStatus): boolean {
  return status === 'resolved' || status === 'withdrawn' || status === 'determined';
}

/** Checks an event against the case as it stands; null means it may be recorded. */
export function checkCaseEvent(state: CaseState, request: CaseEventRequest): CaseRejection | null {
  if (state.status === 'opening') return { code: 'CASE_OPENING', message: 'The case is being opened; try again in a moment.' };
  if (isClosed(state.status)) return { code: 'CASE_CLOSED', message: `This case is closed (${state.status}); nothing more can be recorded on it.` };
  const standing = standingOf(request.actor, state);
  if (!EVENT_PERMISSIONS[request.type].some((s) => standing.includes(s))) {
    return { code: 'FORBIDDEN', message: `You may not record "${request.type}" on this case.` };
  }
  if (!request.text.trim()) return { code: 'VALIDATION_FAILED', message: 'Say what happened: the text may not be empty.' };
  if (state.settling && request.type !== 'note') {
    return {
      code: 'SETTLEMENT_PENDING',
      message: 'The settlement record is out for signature; only notes can be added until the parties have signed or one declines.',
    };
  }
  const step = ladderStep(state.ladder, state.step);
  switch (request.type) {
    case 'pause':
      if (!step.limit) return { code: 'NO_TIME_LIMIT', message: `${step.name} has no time limit, so there is no clock to pause.` };
      if (state.clock.paused) return { code: 'ALREADY_PAUSED', message: 'The clock is already paused.' };
      return null;
    case 'resume':
      if (!state.clock.paused) return { code: 'CLOCK_NOT_PAUSED', message: 'The clock is running: only a paused clock can be resumed.' };
      return null;
    case 'extend':
      if (!step.limit) return { code: 'NO_TIME_LIMIT', message: `${step.name} has no time limit to extend.` };
      if (!Number.isInteger(request.days) || (request.days ?? 0) < 1 || (request.days ?? 0) > MAX_EXTENSION) {
        return { code: 'INVALID_EXTENSION', message: `Give the extension agreed as days: a whole number from 1 to ${MAX_EXTENSION}.` };
      }
      return null;
    case 'escalate':
      if (!stepAfter(state.ladder, state.step))
        return { code: 'LAST_STEP', message: `${step.name} is the last step: the case can only be resolved, determined or withdrawn.` };
      return null;
    case 'determine':
      if (!step.mayDetermine)
        return {
          code: 'CANNOT_DETERMINE',
          message: `A case is not determined at the ${step.name.toLowerCase()} step; it can be determined by the LMC or at arbitration.`,
        };
      return null;
    default:
      return null;
  }
}

/** What an accepted event did, for the record and for the notices it sends. */
export type CaseEffect = 'none' | 'clock' | 'step-changed' | 'settling' | 'closed';

/** Applies an accepted event (see checkCaseEvent) on `today`. */
export function applyCaseEvent(
  state: CaseState,
  request: Omit<CaseEventRequest, 'actor' | 'text'>,
  today: IsoDate,
  holidays: Holidays,
): { state: CaseState; effect: CaseEffect } {
  switch (request.type) {
    case 'note':
      return { state, effect: 'none' };
    case 'pause':
      return { state: { ...state, clock: pauseClock(state.clock, today, holidays) }, effect: 'clock' };
    case 'resume':
      return { state: { ...state, clock: resumeClock(state.clock, today, holidays) }, effect: 'clock' };
    case 'extend':
      return { state: { ...state, clock: extendClock(state.clock, request.days ?? 0, holidays) }, effect: 'clock' };
    case 'escalate':
      return { state: moveUp(state, today, holidays), effect: 'step-changed' };
    case 'resolve': {
      // the step's clock stops while the parties sign, and runs on if one declines
      const pause = state.clock.dueOn !== null && !state.clock.paused;
      return {
        state: { ...state, clock: pause ? pauseClock(state.clock, today, holidays) : state.clock, settling: { pausedClock: pause } },
        effect: 'settling',
      };
    }
    case 'withdraw':
      return { state: { ...state, status: 'withdrawn' }, effect: 'closed' };
    case 'determine':
      return { state: { ...state, status: 'determined' }, effect: 'closed' };
  }
}

function moveUp(state: CaseState, today: IsoDate, holidays: Holidays): CaseState {
  const next = stepAfter(state.ladder, state.step);
  if (!next) throw new RangeError(`Step ${state.step} is the last step.`);
  return { ...state, step: next.number, clock: startClock(next.limit, today, holidays), external: null };
}

/** A step left unresolved past its due date escalates by itself, and counts as a breach. */
export function breachStep(state: CaseState, today: IsoDate, holidays: Holidays): CaseState {
  return { ...moveUp(state, today, holidays), breaches: state.breaches + 1 };
}

/** Every party signed the settlement record: the case is resolved. */
export function settlementSigned(state: CaseState): CaseState {
  return { ...state, status: 'resolved', settling: null };
}

/** A party declined the settlement record: the case carries on at its step, the clock running again. */
export function settlementDeclined(state: CaseState, today: IsoDate, holidays: Holidays): CaseState {
  const resume = state.settling?.pausedClock === true && state.clock.paused !== null;
  return { ...state, settling: null, clock: resume ? resumeClock(state.clock, today, holidays) : state.clock };
}

export interface OpeningCheck {
  opener: CaseActor;
  networkId: string;
  /** the network's member practices */
  networkPracticeIds: readonly string[];
  parties: readonly string[];
}

/**
 * Who may open a case, between whom: a facilitator, the network's chair, or a partner of a member
 * practice that is itself a party (it gives notice of the dispute); between two or more distinct
 * practices of the network.
 */
export function checkOpening(input: OpeningCheck): CaseRejection | null {
  const distinct = new Set(input.parties);
  if (distinct.size !== input.parties.length) return { code: 'VALIDATION_FAILED', message: 'A practice is named twice among the parties.' };
  if (distinct.size < 2) return { code: 'VALIDATION_FAILED', message: 'A dispute is between two or more practices: name at least two parties.' };
  const strangers = input.parties.filter((p) => !input.networkPracticeIds.includes(p));
  if (strangers.length) return { code: 'VALIDATION_FAILED', message: `Not a practice of this network: ${strangers.join(', ')}.` };
  const opener = input.opener;
  if (opener.kind === 'staff')
    return opener.role === 'facilitator' ? null : { code: 'FORBIDDEN', message: 'Only a facilitator, the chair or a partner of a party may open a case.' };
  if (opener.kind === 'external' || opener.networkId !== input.networkId)
    return { code: 'FORBIDDEN', message: 'Only people of this network may open a case in it.' };
  if (opener.roles.some((r) => NETWORK_OFFICES.includes(r))) return null;
  if (opener.roles.includes('partner') && input.parties.includes(opener.practiceId)) return null;
  return { code: 'FORBIDDEN', message: 'A partner may open a case only for a dispute their practice is party to.' };
}

export interface CasePerson {
  personId: string;
  name: string;
  practiceId: string;
  roles: readonly string[];
}

/** Board members (and the chair) from the parties' practices: they stand aside at the board step. */
export function standingAside(people: readonly CasePerson[], parties: readonly string[]): CasePerson[] {
  return people.filter((p) => parties.includes(p.practiceId) && (p.roles.includes('board-member') || p.roles.includes('chair')));
}

/** The changing part of a case, as its workflow writes it to the read model with every event. */
export interface CaseSnapshot {
  status: CaseStatus;
  stepNumber: number;
  stepStartedOn: IsoDate;
  stepDueOn: IsoDate | null;
  limitUnit: 'working-days' | 'days' | null;
  clock: 'running' | 'paused' | 'none';
  pausedDaysLeft: number | null;
  settling: boolean;
  breaches: number;
  closedOn: IsoDate | null;
}

export function snapshotOf(state: CaseState, today: IsoDate): CaseSnapshot {
  return {
    status: state.status,
    stepNumber: state.step,
    stepStartedOn: state.clock.startedOn,
    stepDueOn: state.clock.dueOn,
    limitUnit: state.clock.unit,
    clock: state.clock.dueOn === null ? 'none' : state.clock.paused ? 'paused' : 'running',
    pausedDaysLeft: state.clock.paused?.daysLeft ?? null,
    settling: state.settling !== null,
    breaches: state.breaches,
    closedOn: isClosed(state.status) ? today : null,
  };
}

/** The history entry types a case records, in words for pages and the evidence pack. */
export const HISTORY_WORDS: Record<string, string> = {
  opened: 'Case opened',
  'issue-history': 'From the issue log',
  note: 'Note',
  pause: 'Clock paused',
  resume: 'Clock resumed',
  extend: 'Due date extended by agreement',
  escalate: 'Escalated to the next step',
  breach: 'Escalated: the step was not resolved by its due date',
  reminder: 'Reminder sent',
  'stood-aside': 'Stood aside',
  'external-appointed': 'Outside person appointed',
  resolve: 'Terms agreed',
  'settlement-issued': 'Settlement record sent for signature',
  'settlement-signed': 'Settlement record signed by every party',
  'settlement-declined': 'Settlement record declined',
  withdraw: 'Withdrawn',
  determine: 'Determined',
};
