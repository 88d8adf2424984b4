import { describe, expect, it } from 'vitest';
import { bankHolidaysTable } from '../../../../domain/calendar/bank-holidays';
import { startClock } from '../../../../domain/disputes/clock';
import {
  applyCaseEvent,
  breachStep,
  type CaseActor,
  type CaseEventRequest,
  type CaseState,
  checkCaseEvent,
  checkOpening,
  settlementDeclined,
  settlementSigned,
  snapshotOf,
  standingAside,
  standingOf,
} from '../../../../domain/disputes/case';
import { buildLadder } from '../../../../domain/disputes/ladder';

const table = bankHolidaysTable(2026, 2028);
const ladder = buildLadder();

/** A case between practices a (which raised it) and b, in network n, at `step`. */
function makeCase(overrides: Partial<CaseState> = {}): CaseState {
  const step = overrides.step ?? 1;
  return {
    caseId: 'case-1',
    networkId: 'n',
    parties: ['a', 'b'],
    stage: null,
    status: 'open',
    ladder,
    step,
    clock: startClock(ladder[step - 1].limit, '2027-01-11', table),
    breaches: 0,
    settling: null,
    external: null,
    seq: 1,
    ...overrides,
  };
}

const facilitator: CaseActor = { kind: 'staff', name: 'Facilitator', role: 'facilitator' };
const commissioner: CaseActor = { kind: 'staff', name: 'Commissioner', role: 'commissioner' };
const person = (practiceId: string, roles: string[] = ['partner'], networkId = 'n'): CaseActor => ({
  kind: 'person',
  personId: `p-${practiceId}-${roles.join('-')}`,
  name: 'Dr A',
  networkId,
  practiceId,
  roles,
});
const event = (type: CaseEventRequest['type'], actor: CaseActor = facilitator, extra: Partial<CaseEventRequest> = {}): CaseEventRequest => ({
  type,
  text: 'Because.',
  actor,
  ...extra,
});

describe('opening a case', () => {
  const base = { opener: facilitator, networkId: 'n', networkPracticeIds: ['a', 'b', 'c'], parties: ['a', 'b'] };
  it('is for two or more distinct practices of the network', () => {
    expect(checkOpening(base)).toBeNull();
    expect(checkOpening({ ...base, parties: ['a'] })?.message).toMatch(/two or more practices/);
    expect(checkOpening({ ...base, parties: ['a', 'a'] })?.message).toMatch(/named twice/);
    expect(checkOpening({ ...base, parties: ['a', 'z'] })).toEqual({ code: 'VALIDATION_FAILED', message: 'Not a practice of this network: z.' });
  });

  it('may be done by a facilitator, the chair, or a partner of a party, and nobody else', () => {
    expect(checkOpening({ ...base, opener: person('c', ['chair']) })).toBeNull();
    expect(checkOpening({ ...base, opener: person('b') })).toBeNull();
    expect(checkOpening({ ...base, opener: person('c') })?.code).toBe('FORBIDDEN');
    expect(checkOpening({ ...base, opener: person('a', ['practice-manager']) })?.code).toBe('FORBIDDEN');
    expect(checkOpening({ ...base, opener: person('a', ['partner'], 'elsewhere') })?.code).toBe('FORBIDDEN');
    expect(checkOpening({ ...base, opener: commissioner })?.code).toBe('FORBIDDEN');
  });
});

describe('who may record what', () => {
  it('gives each caller their standing in the case', () => {
    const state = makeCase();
    expect(standingOf(person('a'), state)).toEqual(['party', 'raising-party']);
    expect(standingOf(person('b', ['partner', 'chair']), state)).toEqual(['office', 'party']);
    expect(standingOf(person('c'), state)).toEqual([]);
    expect(standingOf(commissioner, state)).toEqual([]);
  });

  it('lets a party note and escalate but not pause; only the raising party may withdraw', () => {
    const state = makeCase();
    expect(checkCaseEvent(state, event('note', person('b')))).toBeNull();
    expect(checkCaseEvent(state, event('escalate', person('b')))).toBeNull();
    expect(checkCaseEvent(state, event('pause', person('b')))?.code).toBe('FORBIDDEN');
    expect(checkCaseEvent(state, event('withdraw', person('b')))?.code).toBe('FORBIDDEN');
    expect(checkCaseEvent(state, event('withdraw', person('a')))).toBeNull();
    expect(checkCaseEvent(state, event('note', person('c')))?.code).toBe('FORBIDDEN');
    expect(checkCaseEvent(state, event('note', commissioner))?.code).toBe('FORBIDDEN');
  });

  it('lets the outside person of the current step give a view and determine, and no one else’s', () => {
    const lmc = makeCase({ step: 3, external: { externalId: 'x1', name: 'Ms Lee', role: 'lmc-officer', step: 3 } });
    const officer: CaseActor = { kind: 'external', externalId: 'x1', name: 'Ms Lee' };
    expect(checkCaseEvent(lmc, event('note', officer))).toBeNull();
    expect(checkCaseEvent(lmc, event('determine', officer))).toBeNull();
    expect(checkCaseEvent(lmc, event('pause', officer))?.code).toBe('FORBIDDEN');
    expect(checkCaseEvent(lmc, event('note', { ...officer, externalId: 'x0' }))?.code).toBe('FORBIDDEN');
    // once the case has moved on, the LMC officer's link no longer acts
    expect(checkCaseEvent({ ...lmc, step: 4 }, event('note', officer))?.code).toBe('FORBIDDEN');
  });
});

describe('what the case allows now', () => {
  it('refuses everything on a closed case, and while it is being opened', () => {
    for (const status of ['resolved', 'withdrawn', 'determined'] as const)
      expect(checkCaseEvent(makeCase({ status }), event('note'))?.code).toBe('CASE_CLOSED');
    expect(checkCaseEvent(makeCase({ status: 'opening' }), event('note'))?.code).toBe('CASE_OPENING');
  });

  it('refuses to resume a clock that was never paused, and to pause twice', () => {
    const state = makeCase();
    expect(checkCaseEvent(state, event('resume'))).toEqual({ code: 'CLOCK_NOT_PAUSED', message: 'The clock is running: only a paused clock can be resumed.' });
    const paused = applyCaseEvent(state, event('pause'), '2027-01-12', table).state;
    expect(checkCaseEvent(paused, event('pause'))?.code).toBe('ALREADY_PAUSED');
    expect(checkCaseEvent(paused, event('resume'))).toBeNull();
  });

  it('refuses an empty text, an extension without days, and clock events at a step without a limit', () => {
    expect(checkCaseEvent(makeCase(), { ...event('note'), text: '  ' })?.code).toBe('VALIDATION_FAILED');
    expect(checkCaseEvent(makeCase(), event('extend'))?.code).toBe('INVALID_EXTENSION');
    expect(checkCaseEvent(makeCase(), event('extend', facilitator, { days: 91 }))?.code).toBe('INVALID_EXTENSION');
    expect(checkCaseEvent(makeCase(), event('extend', facilitator, { days: 5 }))).toBeNull();
    const arbitration = makeCase({ step: 5 });
    expect(checkCaseEvent(arbitration, event('pause'))?.code).toBe('NO_TIME_LIMIT');
    expect(checkCaseEvent(arbitration, event('extend', facilitator, { days: 5 }))?.code).toBe('NO_TIME_LIMIT');
    expect(checkCaseEvent(arbitration, event('escalate'))?.code).toBe('LAST_STEP');
  });

  it('determines a case only where the ladder allows it', () => {
    expect(checkCaseEvent(makeCase({ step: 2 }), event('determine'))?.code).toBe('CANNOT_DETERMINE');
    expect(checkCaseEvent(makeCase({ step: 3 }), event('determine'))).toBeNull();
    expect(checkCaseEvent(makeCase({ step: 5 }), event('determine'))).toBeNull();
  });

  it('takes only notes while the settlement record is out for signature', () => {
    const settling = makeCase({ settling: { pausedClock: true } });
    expect(checkCaseEvent(settling, event('note'))).toBeNull();
    expect(checkCaseEvent(settling, event('withdraw'))?.code).toBe('SETTLEMENT_PENDING');
  });
});

describe('applying events', () => {
  it('moves up a step with a fresh clock and forgets the outside person of the old one', () => {
    const state = makeCase({ step: 3, external: { externalId: 'x', name: 'Ms Lee', role: 'lmc-officer', step: 3 } });
    const { state: next, effect } = applyCaseEvent(state, event('escalate'), '2027-02-01', table);
    expect(effect).toBe('step-changed');
    expect(next.step).toBe(4);
    expect(next.clock).toMatchObject({ startedOn: '2027-02-01', dueOn: '2027-03-03', unit: 'days' });
    expect(next.external).toBeNull();
    expect(next.breaches).toBe(0);
  });

  it('counts a breach when a step escalates by itself', () => {
    const next = breachStep(makeCase(), '2027-01-26', table);
    expect(next).toMatchObject({ step: 2, breaches: 1 });
  });

  it('stops the clock while the parties sign, and runs it again with the same days left if one declines', () => {
    const state = makeCase();
    const { state: settling, effect } = applyCaseEvent(state, event('resolve'), '2027-01-13', table);
    expect(effect).toBe('settling');
    expect(settling.settling).toEqual({ pausedClock: true });
    expect(settling.clock.paused?.daysLeft).toBe(8);
    const declined = settlementDeclined(settling, '2027-01-20', table);
    expect(declined.settling).toBeNull();
    expect(declined.clock.paused).toBeNull();
    expect(declined.clock.dueOn).toBe('2027-02-01');
    expect(settlementSigned(settling)).toMatchObject({ status: 'resolved', settling: null });
  });

  it('does not restart a clock that was already paused when terms were agreed', () => {
    const paused = applyCaseEvent(makeCase(), event('pause'), '2027-01-12', table).state;
    const settling = applyCaseEvent(paused, event('resolve'), '2027-01-13', table).state;
    expect(settling.settling).toEqual({ pausedClock: false });
    expect(settlementDeclined(settling, '2027-01-20', table).clock.paused).not.toBeNull();
  });

  it('closes a case withdrawn or determined, and says so in its snapshot', () => {
    expect(applyCaseEvent(makeCase(), event('withdraw'), '2027-01-12', table)).toMatchObject({ state: { status: 'withdrawn' }, effect: 'closed' });
    const determined = applyCaseEvent(makeCase({ step: 5 }), event('determine'), '2027-06-01', table).state;
    expect(snapshotOf(determined, '2027-06-01')).toMatchObject({ status: 'determined', closedOn: '2027-06-01', clock: 'none', stepDueOn: null });
    expect(snapshotOf(makeCase(), '2027-01-11')).toMatchObject({
      status: 'open',
      closedOn: null,
      clock: 'running',
      stepDueOn: '2027-01-25',
      limitUnit: 'working-days',
    });
  });
});

describe('standing aside at the board', () => {
  it('names the board members and chair of the parties’ practices, and nobody else', () => {
    const people = [
      { personId: '1', name: 'Dr One', practiceId: 'a', roles: ['partner', 'board-member'] },
      { personId: '2', name: 'Dr Two', practiceId: 'a', roles: ['partner'] },
      { personId: '3', name: 'Dr Three', practiceId: 'b', roles: ['chair'] },
      { personId: '4', name: 'Dr Four', practiceId: 'c', roles: ['board-member'] },
    ];
    expect(standingAside(people, ['a', 'b']).map((p) => p.personId)).toEqual(['1', '3']);
  });
});
