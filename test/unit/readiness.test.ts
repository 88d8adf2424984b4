import { describe, expect, it } from 'vitest';
import { assessReadiness, type NetworkReadinessInput } from '../../domain/readiness';

const base: NetworkReadinessInput = {
  formationStatus: 'running',
  currentStage: 'terms-of-reference',
  listSize: 30000,
  footprint: { minListSize: 24000, maxListSize: 40000 },
  stageStatus: 'drafting',
  round: null,
  lastOutcome: null,
  daysToPanel: 60,
};

describe('assessReadiness', () => {
  it('is green for a network on track within its footprint', () => {
    expect(assessReadiness(base)).toEqual({ rag: 'green', stagesCompleted: 1, blockers: [], footprint: 'within' });
  });
  it('is red below the footprint and amber above it', () => {
    expect(assessReadiness({ ...base, listSize: 23000 })).toMatchObject({ rag: 'red', footprint: 'below' });
    expect(assessReadiness({ ...base, listSize: 23000 }).blockers[0]).toContain('23,000 is below the footprint minimum of 24,000');
    expect(assessReadiness({ ...base, listSize: 41000 })).toMatchObject({ rag: 'amber', footprint: 'above' });
  });
  it('counts the edges of the footprint as within', () => {
    expect(assessReadiness({ ...base, listSize: 24000 }).footprint).toBe('within');
    expect(assessReadiness({ ...base, listSize: 40000 }).footprint).toBe('within');
  });
  it('flags a network that has not started, red when the panel is near', () => {
    expect(assessReadiness({ ...base, formationStatus: 'not-started', currentStage: null, daysToPanel: 90 }).rag).toBe('amber');
    expect(assessReadiness({ ...base, formationStatus: 'not-started', currentStage: null, daysToPanel: 10 }).rag).toBe('red');
  });
  it('is red when a round expired, naming who owes', () => {
    const r = assessReadiness({ ...base, stageStatus: 'awaiting-signatures', round: { status: 'expired', owedBy: ['Dr A (Bow)'] } });
    expect(r.rag).toBe('red');
    expect(r.blockers).toEqual(['The signing round expired; still owed by Dr A (Bow).']);
  });
  it('warns of signatures owed close to the panel', () => {
    expect(assessReadiness({ ...base, stageStatus: 'awaiting-signatures', round: { status: 'open', owedBy: ['Dr A'] }, daysToPanel: 30 }).rag).toBe('green');
    expect(assessReadiness({ ...base, stageStatus: 'awaiting-signatures', round: { status: 'open', owedBy: ['Dr A'] }, daysToPanel: 7 }).rag).toBe('amber');
  });
  it('is amber when a stage went back to drafting after a decline or a lost vote', () => {
    const r = assessReadiness({ ...base, lastOutcome: { outcome: 'lost', reason: 'Lost.' } });
    expect(r.rag).toBe('amber');
    expect(r.blockers[0]).toContain('lost');
  });
  it('is red after the panel date without a panel presentation', () => {
    expect(assessReadiness({ ...base, currentStage: 'panel-presentation', daysToPanel: -1 }).rag).toBe('red');
    expect(assessReadiness({ ...base, formationStatus: 'completed', currentStage: null, daysToPanel: -100 })).toMatchObject({
      rag: 'green',
      stagesCompleted: 6,
    });
  });
  it('adds the panel: a signed pack waiting for its outcome, open conditions, a deferral, and open disputes are amber', () => {
    const panel = { outcome: null, openConditions: [], awaitingOutcome: false, deferredFromWave: null };
    expect(assessReadiness({ ...base, panel }).rag).toBe('green');
    expect(assessReadiness({ ...base, panel: { ...panel, awaitingOutcome: true } })).toMatchObject({
      rag: 'amber',
      blockers: ["The panel pack is signed; the panel's outcome is still to be recorded."],
    });
    expect(assessReadiness({ ...base, panel: { ...panel, outcome: 'conditional', openConditions: ['1. Name the payee'] } })).toMatchObject({
      rag: 'amber',
      blockers: ['Panel condition open: 1. Name the payee'],
    });
    expect(assessReadiness({ ...base, currentStage: 'panel-presentation', panel: { ...panel, deferredFromWave: 1 } }).blockers).toEqual([
      "Deferred by the wave 1 panel: presents again to this wave's panel.",
    ]);
    expect(assessReadiness({ ...base, openDisputes: [{ text: 'Payee dispute, step 2', breached: false }] })).toMatchObject({
      rag: 'amber',
      blockers: ['Open dispute: Payee dispute, step 2'],
    });
  });

  it('makes a dispute that has missed a due date red', () => {
    expect(assessReadiness({ ...base, openDisputes: [{ text: 'Payee dispute (1 due date missed)', breached: true }] })).toMatchObject({
      rag: 'red',
      blockers: ['Open dispute: Payee dispute (1 due date missed)'],
    });
  });
});
