import { describe, expect, it } from 'vitest';
import {
  closeConditionRefusal,
  emptyPanelState,
  openConditionsBlock,
  outcomeRefusal,
  panelConflicts,
  scoreRefusal,
  scoreSheetProblems,
  summariseScores,
  type PanelState,
} from '../../../domain/panel';

const CRITERIA = [
  { key: 'vision', title: 'Vision', weight: 2 },
  { key: 'freedoms', title: 'Freedoms', weight: 1 },
  { key: 'leadership', title: 'Leadership', weight: 1 },
];
const sheet = (memberId: string, [v, f, l]: number[], recommendation: 'pass' | 'conditional' | 'defer' = 'pass') => ({
  memberId,
  recommendation,
  scores: [
    { criterion: 'vision', score: v },
    { criterion: 'freedoms', score: f },
    { criterion: 'leadership', score: l },
  ],
});

describe('summariseScores', () => {
  it('weights each criterion: a member scoring 4, 3, 2 with weights 2, 1, 1 has (8 + 3 + 2) / 4 = 3.25', () => {
    const summary = summariseScores(CRITERIA, [sheet('a', [4, 3, 2])]);
    expect(summary.members).toEqual([{ memberId: 'a', weighted: 3.25 }]);
    expect(summary.weightedMean).toBe(3.25);
  });

  it("takes the mean of the members' weighted scores, and equals the weighted mean of the criterion means", () => {
    const sheets = [sheet('a', [4, 3, 2], 'conditional'), sheet('b', [5, 4, 4]), sheet('c', [1, 5, 3], 'defer')];
    const summary = summariseScores(CRITERIA, sheets);
    expect(summary.weightedMean).toBeCloseTo((3.25 + 4.5 + 2.5) / 3, 12);
    const means = summary.criteria.map((c) => c.mean!);
    expect(means).toEqual([10 / 3, 4, 3]);
    expect(summary.weightedMean).toBeCloseTo((2 * means[0] + means[1] + means[2]) / 4, 12);
    expect(summary.recommendations).toEqual({ pass: 1, conditional: 1, defer: 1 });
  });

  it('has no mean before anyone scores, rather than a zero that reads as a fail', () => {
    const summary = summariseScores(CRITERIA, []);
    expect(summary.weightedMean).toBeNull();
    expect(summary.criteria.every((c) => c.mean === null)).toBe(true);
  });
});

describe('scoreSheetProblems', () => {
  const keys = CRITERIA.map((c) => c.key);
  const scores = keys.map((criterion) => ({ criterion, score: 3, comment: '' }));
  it('accepts one score per criterion', () => {
    expect(scoreSheetProblems(keys, { scores, recommendation: 'pass' })).toEqual([]);
  });
  it('names a missing, an unknown and a repeated criterion', () => {
    const problems = scoreSheetProblems(keys, { scores: [scores[0], scores[0], { criterion: 'budget', score: 2, comment: '' }], recommendation: 'pass' });
    expect(problems.map((p) => p.message)).toEqual([
      'vision is scored twice',
      'budget is not a criterion of this panel (vision, freedoms, leadership)',
      'freedoms has no score',
      'leadership has no score',
    ]);
  });
  it('asks for conditions with a conditional recommendation, and refuses them with any other', () => {
    expect(scoreSheetProblems(keys, { scores, recommendation: 'conditional' })[0].message).toContain('at least one condition');
    expect(scoreSheetProblems(keys, { scores, recommendation: 'defer', conditions: ['x'] })[0].message).toContain('conditional recommendation only');
  });
});

describe('who may score', () => {
  const open: PanelState = {
    ...emptyPanelState(),
    presentationId: 'p1',
    criteria: ['vision'],
    invited: ['m1', 'm2'],
    excluded: [{ memberId: 'm3', reason: 'a partner of Jubilee Street' }],
    scored: ['m2'],
  };
  const attempt = (memberId: string, presentationId = 'p1') => ({
    memberId,
    presentationId,
    sheet: { scores: [{ criterion: 'vision', score: 4, comment: '' }], recommendation: 'pass' as const },
  });

  it('an invited member who has not scored', () => {
    expect(scoreRefusal(open, attempt('m1'))).toBeNull();
  });
  it('not twice, not when conflicted, not when not on the panel', () => {
    expect(scoreRefusal(open, attempt('m2'))?.code).toBe('ALREADY_SCORED');
    expect(scoreRefusal(open, attempt('m3'))).toMatchObject({
      code: 'MEMBER_CONFLICTED',
      message: 'You cannot score this network: a partner of Jubilee Street.',
    });
    expect(scoreRefusal(open, attempt('m9'))?.code).toBe('NOT_A_PANEL_MEMBER');
  });
  it('not once the outcome is recorded, nor for the presentation of a wave the network has left', () => {
    expect(scoreRefusal({ ...open, outcome: 'pass' }, attempt('m1'))?.code).toBe('PANEL_CLOSED');
    expect(scoreRefusal(open, attempt('m1', 'p0'))?.code).toBe('PANEL_CLOSED');
  });
});

describe('the outcome and its conditions', () => {
  const open: PanelState = { ...emptyPanelState(), presentationId: 'p1' };
  it('needs a presentation, and is recorded once', () => {
    expect(outcomeRefusal(emptyPanelState(), { outcome: 'pass' })?.code).toBe('PANEL_NOT_OPEN');
    expect(outcomeRefusal(open, { outcome: 'pass' })).toBeNull();
    expect(outcomeRefusal({ ...open, outcome: 'conditional' }, { outcome: 'pass' })).toMatchObject({
      code: 'OUTCOME_RECORDED',
      message: "The panel's outcome is already recorded: passed with conditions.",
    });
    expect(outcomeRefusal({ ...open, deciding: true }, { outcome: 'defer' })?.code).toBe('OUTCOME_RECORDED');
  });
  it('carries conditions exactly when conditional', () => {
    expect(outcomeRefusal(open, { outcome: 'conditional', conditions: [] })?.code).toBe('VALIDATION_FAILED');
    expect(outcomeRefusal(open, { outcome: 'pass', conditions: ['x'] })?.code).toBe('VALIDATION_FAILED');
    expect(outcomeRefusal(open, { outcome: 'conditional', conditions: ['x'] })).toBeNull();
  });
  it('closes each condition once, and the legal entity waits for every one', () => {
    const conditions = [
      { n: 1, text: 'Name the payee', open: false },
      { n: 2, text: 'Appoint the CD', open: true },
    ];
    const state = { ...open, outcome: 'conditional' as const, conditions };
    expect(closeConditionRefusal(state, 1)?.code).toBe('CONDITION_CLOSED');
    expect(closeConditionRefusal(state, 3)?.code).toBe('UNKNOWN_CONDITION');
    expect(closeConditionRefusal(state, 2)).toBeNull();
    expect(openConditionsBlock(conditions)).toBe(
      'The panel\'s condition 2 ("Appoint the CD") must be closed, with evidence, before the legal-entity stage is issued.',
    );
    expect(openConditionsBlock(conditions.map((c) => ({ ...c, open: false })))).toBeNull();
  });
});

describe('panelConflicts', () => {
  it('excludes a member who is a partner of a member practice, matched by email whatever its case, and no one else', () => {
    const people = [
      { email: 'ann.ali@example.org', roles: ['partner'], practiceName: 'Jubilee Street' },
      { email: 'pm@example.org', roles: ['practice-manager'], practiceName: 'Jubilee Street' },
    ];
    const conflicts = panelConflicts(
      [
        { id: 'a', email: 'Ann.Ali@Example.org' },
        { id: 'b', email: 'pm@example.org' },
        { id: 'c', email: 'external@panel.org' },
      ],
      people,
    );
    expect([...conflicts.keys()]).toEqual(['a']);
    expect(conflicts.get('a')).toBe('a partner of Jubilee Street, a member practice of the network, may not score it');
  });
});
