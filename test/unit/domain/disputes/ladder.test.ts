import { describe, expect, it } from 'vitest';
import { buildLadder, DEFAULT_PROCEDURE, describeLimit, ladderStep, stepAfter } from '../../../../domain/disputes/ladder';
import { optionsSchema } from '../../../../templates/dispute-resolution/schema';

describe('the dispute ladder', () => {
  it('is the programme default of DOMAIN.md §3.5 when the network has adopted no procedure', () => {
    const ladder = buildLadder();
    expect(ladder.map((s) => [s.number, s.name, describeLimit(s.limit)])).toEqual([
      [1, 'Informal discussion', '10 working days'],
      [2, 'Network board', '20 working days'],
      [3, 'Local Medical Committee', '28 days'],
      [4, 'Mediation', '30 days'],
      [5, 'Arbitration', 'no time limit'],
    ]);
  });

  it('takes its limits and the LMC’s name from an adopted procedure, parsed by the template’s own schema', () => {
    const adopted = optionsSchema.parse({ lmcName: 'Tower Hamlets LMC', timescales: { informalWorkingDays: 5, mediationDays: 21 } });
    const ladder = buildLadder(adopted);
    expect(ladder.map((s) => s.limit?.amount ?? null)).toEqual([5, 20, 28, 21, null]);
    expect(ladderStep(ladder, 3).name).toBe('Tower Hamlets LMC');
    // the template's defaults are the programme's defaults: one source of the numbers
    expect(buildLadder(optionsSchema.parse({}))).toEqual(buildLadder(DEFAULT_PROCEDURE));
  });

  it('says who acts from outside at each step, and where a case may be determined', () => {
    const ladder = buildLadder();
    expect(ladder.map((s) => s.external)).toEqual([null, null, 'lmc-officer', 'mediator', 'arbitrator']);
    expect(ladder.filter((s) => s.mayDetermine).map((s) => s.kind)).toEqual(['lmc', 'arbitration']);
  });

  it('climbs one step at a time and stops at arbitration', () => {
    const ladder = buildLadder();
    expect(stepAfter(ladder, 1)?.kind).toBe('board');
    expect(stepAfter(ladder, 4)?.kind).toBe('arbitration');
    expect(stepAfter(ladder, 5)).toBeNull();
    expect(() => ladderStep(ladder, 6)).toThrow(/no step 6/);
  });

  it('refuses a limit that is not a whole number of days', () => {
    expect(() => buildLadder({ ...DEFAULT_PROCEDURE, timescales: { ...DEFAULT_PROCEDURE.timescales, boardWorkingDays: 0 } })).toThrow(/boardWorkingDays/);
    expect(() => buildLadder({ ...DEFAULT_PROCEDURE, timescales: { ...DEFAULT_PROCEDURE.timescales, lmcViewDays: 2.5 } })).toThrow(/lmcViewDays/);
  });

  it('names a limit of one in the singular', () => {
    expect(describeLimit({ amount: 1, unit: 'working-days' })).toBe('1 working day');
    expect(describeLimit({ amount: 1, unit: 'days' })).toBe('1 day');
  });
});
