/**
 * The formation stage catalogue (DESIGN.md "Formation", DOMAIN.md §5). Order matters: the formation
 * workflow runs the stages in this order and each stage's exit is the next stage's entry.
 */
export const STAGE_KEYS = [
  'panel-presentation',
  'terms-of-reference',
  'legal-entity',
  'data-sharing-agreement',
  'financial-framework',
  'strategic-plan',
] as const;

export type StageKey = (typeof STAGE_KEYS)[number];

import type { DecisionType } from './voting/rule';

/** `awaiting-outcome`: the panel pack is signed and the panel's outcome is still to be recorded. */
export type StageStatus = 'pending' | 'drafting' | 'issuing' | 'voting' | 'awaiting-signatures' | 'awaiting-outcome' | 'completed';

/** How a stage's document is decided: a vote of the members or board (and which kind), signatures, or both. */
export interface StageDecision {
  vote: DecisionType | null;
  signatures: boolean;
}

/**
 * The decision route of each stage when a programme decides stages by vote (DESIGN.md "Formation"):
 * the ToR is adopted by a constitutional vote and then signed, the legal form is chosen by vote, the
 * financial framework is approved by vote and then signed, the strategic plan is approved by vote.
 */
export const STAGE_DECISIONS_BY_VOTE: Record<StageKey, StageDecision> = {
  'panel-presentation': { vote: null, signatures: true },
  'terms-of-reference': { vote: 'constitutional', signatures: true },
  'legal-entity': { vote: 'legal-form', signatures: false },
  'data-sharing-agreement': { vote: null, signatures: true },
  'financial-framework': { vote: 'allocation', signatures: true },
  'strategic-plan': { vote: 'ordinary', signatures: false },
};

/** Without votes every stage is decided by every practice signing. */
export const SIGNATURES_ONLY: StageDecision = { vote: null, signatures: true };

export function stageDecision(stage: StageKey, decideByVote: boolean): StageDecision {
  return decideByVote ? STAGE_DECISIONS_BY_VOTE[stage] : SIGNATURES_ONLY;
}

export interface StageDefinition {
  key: StageKey;
  position: number;
  title: string;
  /** who decides, in words, as shown to facilitators */
  decidedBy: string;
}

export const STAGES: readonly StageDefinition[] = [
  { key: 'panel-presentation', position: 1, title: 'Panel presentation', decidedBy: 'panel outcome, then sign-off by every practice' },
  { key: 'terms-of-reference', position: 2, title: 'Terms of reference', decidedBy: 'every practice signs' },
  { key: 'legal-entity', position: 3, title: 'Legal entity choice', decidedBy: 'every practice signs the options appraisal' },
  { key: 'data-sharing-agreement', position: 4, title: 'Data-sharing agreement', decidedBy: 'every practice signs' },
  { key: 'financial-framework', position: 5, title: 'Financial framework', decidedBy: 'every practice signs' },
  { key: 'strategic-plan', position: 6, title: 'Strategic plan', decidedBy: 'every practice signs' },
];

export function isStageKey(value: string): value is StageKey {
  return (STAGE_KEYS as readonly string[]).includes(value);
}

export function stageDefinition(key: StageKey): StageDefinition {
  const found = STAGES.find((s) => s.key === key);
  if (!found) throw new Error(`unknown stage ${key}`);
  return found;
}

/** The stage after `key`, or null when `key` is the last. */
export function nextStage(key: StageKey): StageKey | null {
  const i = STAGE_KEYS.indexOf(key);
  return i >= 0 && i < STAGE_KEYS.length - 1 ? STAGE_KEYS[i + 1] : null;
}
