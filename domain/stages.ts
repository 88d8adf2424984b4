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

export type StageStatus = 'pending' | 'drafting' | 'issuing' | 'awaiting-signatures' | 'completed';

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
