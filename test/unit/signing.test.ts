import { describe, expect, it } from 'vitest';
import {
  activeGroup,
  buildSlots,
  checkSignAttempt,
  defaultSigningRule,
  delegateSlots,
  delegationTargets,
  describeSigningRule,
  normaliseName,
  roundComplete,
  roundProgress,
  slotsFor,
  typedNameMatches,
  unfillableSlots,
  type RoundState,
  type SigningRule,
} from '../../domain/signing';
import { signingRuleSchema } from '../../domain/signing.schema';
import { STAGE_KEYS, STAGES, isStageKey, nextStage, stageDefinition } from '../../domain/stages';

const practices = [
  {
    practiceId: 'p1',
    practiceName: 'Jubilee Street',
    people: [
      { personId: 'a', name: 'Dr Ann Ali', email: 'a@x', roles: ['partner', 'chair'] },
      { personId: 'm', name: 'Mo Manager', email: 'm@x', roles: ['practice-manager'] },
      { personId: 'g', name: 'Dr Gia Guard', email: 'g@x', roles: ['caldicott-guardian'] },
    ],
  },
  {
    practiceId: 'p2',
    practiceName: 'Bow Road',
    people: [
      { personId: 'b', name: 'Dr Björn Ålund', email: 'b@x', roles: ['partner', 'caldicott-guardian'] },
      { personId: 'c', name: 'Dr Cy Chen', email: 'c@x', roles: ['partner'] },
    ],
  },
];

const rule = (r: Partial<SigningRule> = {}): SigningRule => signingRuleSchema.parse(r);

function round(r: Partial<SigningRule> = {}, overrides: Partial<RoundState> = {}): RoundState {
  return { open: true, documentVersion: 2, slots: buildSlots(practices, rule(r)), filled: {}, ...overrides };
}

describe('buildSlots', () => {
  it('asks one partner per practice by default', () => {
    const slots = buildSlots(practices, rule());
    expect(slots.map((s) => [s.id, s.eligible.map((e) => e.personId)])).toEqual([
      ['p1:partner', ['a']],
      ['p2:partner', ['b', 'c']],
    ]);
  });
  it('asks every partner when the rule says so', () => {
    expect(buildSlots(practices, rule({ partners: 'all-partners' })).map((s) => s.id)).toEqual(['p1:partner:a', 'p2:partner:b', 'p2:partner:c']);
  });
  it('adds the Caldicott guardian for a data-sharing agreement', () => {
    const dsa = defaultSigningRule('data-sharing-agreement');
    expect(dsa.practiceRoles).toEqual(['caldicott-guardian']);
    const slots = buildSlots(practices, dsa);
    expect(slots.find((s) => s.id === 'p1:caldicott-guardian')?.eligible.map((e) => e.personId)).toEqual(['g']);
    expect(defaultSigningRule('terms-of-reference').practiceRoles).toEqual([]);
  });
  it('puts officers in a second group when they sign after the practices', () => {
    const slots = buildSlots(practices, rule({ officers: ['chair'], order: 'practices-then-officers' }));
    expect(slots.at(-1)).toMatchObject({ id: 'network:chair', practiceId: null, group: 2 });
    expect(buildSlots(practices, rule({ officers: ['chair'] })).at(-1)?.group).toBe(1);
  });
  it('names slots nobody may fill', () => {
    const slots = buildSlots(practices, rule({ officers: ['clinical-director'] }));
    expect(unfillableSlots(slots).map((s) => s.id)).toEqual(['network:clinical-director']);
  });
  it('describes rules in words', () => {
    expect(describeSigningRule(rule())).toBe('one partner of each practice sign');
    expect(describeSigningRule(rule({ practiceRoles: ['caldicott-guardian'], officers: ['chair'], order: 'practices-then-officers' }))).toBe(
      "one partner of each practice and each practice's caldicott guardian sign; then the network's chair",
    );
  });
});

describe('checkSignAttempt', () => {
  it('accepts a partner signing the current version with their own name', () => {
    expect(checkSignAttempt(round(), { personId: 'a', documentVersion: 2, typedName: 'ann ali' })).toBeNull();
  });
  it('rejects when the round is closed', () => {
    expect(checkSignAttempt(round({}, { open: false }), { personId: 'a', documentVersion: 2, typedName: 'Ann Ali' })?.code).toBe('ROUND_CLOSED');
  });
  it('rejects someone who may not sign', () => {
    expect(checkSignAttempt(round(), { personId: 'm', documentVersion: 2, typedName: 'Mo Manager' })?.code).toBe('NOT_A_SIGNER');
  });
  it('rejects a link for another version', () => {
    const r = checkSignAttempt(round(), { personId: 'a', documentVersion: 1, typedName: 'Ann Ali' });
    expect(r?.code).toBe('WRONG_VERSION');
    expect(r?.message).toContain('current version is 2');
  });
  it('rejects a second signature, saying who signed', () => {
    expect(checkSignAttempt(round({}, { filled: { 'p2:partner': 'b' } }), { personId: 'b', documentVersion: 2, typedName: 'Björn Ålund' })?.message).toBe(
      'You have already signed this document.',
    );
    expect(checkSignAttempt(round({}, { filled: { 'p2:partner': 'b' } }), { personId: 'c', documentVersion: 2, typedName: 'Cy Chen' })?.message).toContain(
      'Bow Road has already signed',
    );
  });
  it('lets a colleague sign when only the partner slot is filled but the guardian slot is open', () => {
    const r = round({ practiceRoles: ['caldicott-guardian'] }, { filled: { 'p2:partner': 'c' } });
    expect(checkSignAttempt(r, { personId: 'b', documentVersion: 2, typedName: 'Bjorn Alund' })).toBeNull();
    expect(slotsFor(r, 'b').map((s) => s.id)).toEqual(['p2:caldicott-guardian']);
  });
  it('fills every slot a sole signer holds with one signature', () => {
    const r = round({ practiceRoles: ['caldicott-guardian'] });
    expect(slotsFor(r, 'b').map((s) => s.id)).toEqual(['p2:partner', 'p2:caldicott-guardian']);
  });
  it('holds officers back until every practice has signed', () => {
    const r = round({ officers: ['chair'], order: 'practices-then-officers' }, { filled: { 'p1:partner': 'a' } });
    expect(activeGroup(r)).toBe(1);
    expect(checkSignAttempt(r, { personId: 'a', documentVersion: 2, typedName: 'Ann Ali' })?.code).toBe('ALREADY_SIGNED');
    const later = round({ officers: ['chair'], order: 'practices-then-officers' }, { filled: { 'p2:partner': 'c' } });
    expect(slotsFor(later, 'a').map((s) => s.id)).toEqual(['p1:partner']);
    const chairOnly = { ...later, filled: { 'p2:partner': 'c', 'p1:partner': 'a' } };
    expect(activeGroup(chairOnly)).toBe(2);
  });
  it('tells an officer to wait for the practices', () => {
    const slots = buildSlots(
      [...practices, { practiceId: 'p3', practiceName: 'Chairs', people: [{ personId: 'z', name: 'Zed Chair', email: 'z@x', roles: ['chair'] }] }],
      rule({ officers: ['chair'], order: 'practices-then-officers' }),
    );
    const r: RoundState = { open: true, documentVersion: 1, slots: slots.filter((s) => s.practiceId !== 'p3'), filled: {} };
    expect(checkSignAttempt(r, { personId: 'z', documentVersion: 1, typedName: 'Zed Chair' })?.code).toBe('NOT_YET');
  });
  it('rejects a typed name that is not the signer’s', () => {
    expect(checkSignAttempt(round(), { personId: 'a', documentVersion: 2, typedName: 'Cy Chen' })?.code).toBe('NAME_MISMATCH');
  });
});

describe('delegation', () => {
  it('offers the other partners of the practice holding the same roles', () => {
    const slots = buildSlots(practices, rule({ partners: 'all-partners' }));
    expect(delegationTargets(slots, practices, 'c').map((p) => p.personId)).toEqual(['b']);
    expect(delegationTargets(slots, practices, 'a')).toEqual([]);
    const dsa = buildSlots(practices, rule({ practiceRoles: ['caldicott-guardian'] }));
    expect(delegationTargets(dsa, practices, 'b')).toEqual([]);
  });
  it('moves the open slots to the delegate', () => {
    const r = round({ partners: 'all-partners' });
    const moved = delegateSlots(r, 'c', { personId: 'b', name: 'Dr Björn Ålund', email: 'b@x' });
    expect(moved.find((s) => s.id === 'p2:partner:c')?.eligible.map((e) => e.personId)).toEqual(['b']);
    expect(slotsFor({ slots: moved, filled: {} }, 'b').map((s) => s.id)).toEqual(['p2:partner:b', 'p2:partner:c']);
  });
});

describe('names', () => {
  it('ignores titles, case, accents and spacing', () => {
    expect(normaliseName('  Dr   BJÖRN  ålund ')).toBe('bjorn alund');
    expect(typedNameMatches('Bjorn Alund', 'Dr Björn Ålund')).toBe(true);
    expect(typedNameMatches('Dr', 'Dr Björn Ålund')).toBe(false);
    expect(typedNameMatches("Siobhán O'Neill", "Dr Siobhan O'Neill")).toBe(true);
  });
});

describe('roundComplete', () => {
  it('needs every slot', () => {
    expect(roundComplete(round({}, { filled: { 'p1:partner': 'a' } }))).toBe(false);
    expect(roundComplete(round({}, { filled: { 'p1:partner': 'a', 'p2:partner': 'c' } }))).toBe(true);
  });
});

describe('stage catalogue', () => {
  it('runs the six stages of the design in order', () => {
    expect(STAGE_KEYS).toEqual(['panel-presentation', 'terms-of-reference', 'legal-entity', 'data-sharing-agreement', 'financial-framework', 'strategic-plan']);
    expect(STAGES.map((s) => s.position)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(nextStage('panel-presentation')).toBe('terms-of-reference');
    expect(nextStage('strategic-plan')).toBeNull();
    expect(isStageKey('legal-entity')).toBe(true);
    expect(isStageKey('constitution')).toBe(false);
    expect(stageDefinition('legal-entity').title).toBe('Legal entity choice');
    expect(() => stageDefinition('nope' as never)).toThrow();
  });
});

describe('roundProgress', () => {
  const slots = buildSlots(practices, rule({ practiceRoles: ['caldicott-guardian'], officers: ['chair'], order: 'practices-then-officers' }));

  it('says what each practice and office still owes, in words', () => {
    const progress = roundProgress(slots, []);
    expect(progress.practices.get('p1')).toMatchObject({ signed: false, signers: [], owedInWords: 'Dr Ann Ali (partner); Dr Gia Guard (caldicott guardian)' });
    expect(progress.practices.get('p2')?.owedInWords).toBe('any one of its 2 partners; Dr Björn Ålund (caldicott guardian)');
    expect(progress.practices.get('p2')?.owed.map((o) => o.personId)).toEqual(['b', 'c']);
    expect(progress.officers).toEqual([expect.objectContaining({ capacity: 'chair', signed: false, owedInWords: 'Dr Ann Ali (chair)' })]);
  });

  it('counts a practice signed only when every one of its slots is filled, one signature filling several', () => {
    const progress = roundProgress(slots, [
      { personId: 'b', slotIds: ['p2:partner', 'p2:caldicott-guardian'], signedAt: '2026-01-02T10:00:00Z' },
      { personId: 'a', slotIds: ['p1:partner'], signedAt: '2026-01-01T10:00:00Z' },
    ]);
    expect(progress.practices.get('p2')).toEqual({ signed: true, signers: [{ personId: 'b', signedAt: '2026-01-02T10:00:00Z' }], owed: [], owedInWords: '' });
    expect(progress.practices.get('p1')).toMatchObject({ signed: false, signers: [{ personId: 'a' }], owedInWords: 'Dr Gia Guard (caldicott guardian)' });
  });

  it('names a slot nobody can fill', () => {
    const empty = buildSlots([{ practiceId: 'p3', practiceName: 'Empty', people: [] }], rule());
    expect(roundProgress(empty, []).practices.get('p3')?.owedInWords).toBe('nobody can sign as partner');
  });
});
