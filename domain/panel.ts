/**
 * The wave panel (DOMAIN.md §0 and §5 stage 4): members, some external, score each network's
 * presentation against weighted criteria and recommend pass, conditional or defer; the facilitator
 * records the outcome. These rules are shared by the formation workflow's validators (who may score
 * now, may an outcome be recorded, may the legal-entity stage be issued) and the read side.
 */
import type { PanelCriterion, ScoreSheet } from './panel.schema';

export const PANEL_OUTCOMES = ['pass', 'conditional', 'defer'] as const;
export type PanelOutcome = (typeof PANEL_OUTCOMES)[number];

/** What each outcome means, in words for pages, letters and blockers. */
export const OUTCOME_WORDS: Record<PanelOutcome, string> = {
  pass: 'passed',
  conditional: 'passed with conditions',
  defer: 'deferred to the next wave',
};

export type { PanelCriterion, ScoreSheet } from './panel.schema';

export interface Problem {
  path: string;
  message: string;
}

/** Whether a sheet scores every criterion of the presentation once, and proposes conditions only with "conditional". */
export function scoreSheetProblems(criteria: readonly string[], sheet: Pick<ScoreSheet, 'scores' | 'recommendation' | 'conditions'>): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  sheet.scores.forEach((s, i) => {
    if (!criteria.includes(s.criterion))
      problems.push({ path: `scores.${i}.criterion`, message: `${s.criterion} is not a criterion of this panel (${criteria.join(', ')})` });
    else if (seen.has(s.criterion)) problems.push({ path: `scores.${i}.criterion`, message: `${s.criterion} is scored twice` });
    seen.add(s.criterion);
  });
  for (const key of criteria) if (!seen.has(key)) problems.push({ path: 'scores', message: `${key} has no score` });
  const conditions = sheet.conditions ?? [];
  if (sheet.recommendation === 'conditional' && conditions.length === 0)
    problems.push({ path: 'conditions', message: 'a conditional recommendation proposes at least one condition' });
  if (sheet.recommendation !== 'conditional' && conditions.length > 0)
    problems.push({ path: 'conditions', message: 'conditions go with a conditional recommendation only' });
  return problems;
}

/** The facilitator's outcome must carry conditions exactly when it is conditional. */
export function outcomeProblems(input: { outcome: PanelOutcome; conditions?: readonly string[] }): Problem[] {
  const n = input.conditions?.length ?? 0;
  if (input.outcome === 'conditional' && n === 0) return [{ path: 'conditions', message: 'a conditional outcome needs at least one condition' }];
  if (input.outcome !== 'conditional' && n > 0) return [{ path: 'conditions', message: `a ${input.outcome} outcome has no conditions` }];
  return [];
}

export interface PanelScoreSummary {
  /** mean score per criterion over the members who scored, null when nobody has */
  criteria: { key: string; title: string; weight: number; mean: number | null }[];
  /** each member's own weighted score */
  members: { memberId: string; weighted: number }[];
  /** the mean of the members' weighted scores (1–5), null when nobody has scored */
  weightedMean: number | null;
  recommendations: Record<PanelOutcome, number>;
}

/**
 * Scores to a summary: each member's weighted score is Σ(weight × score) / Σ weight over the
 * criteria; the panel's weighted mean is the mean of those. (Every sheet scores every criterion, so
 * this equals the weighted mean of the per-criterion means.)
 */
export function summariseScores(
  criteria: readonly PanelCriterion[],
  sheets: readonly { memberId: string; scores: readonly { criterion: string; score: number }[]; recommendation: PanelOutcome }[],
): PanelScoreSummary {
  const members = sheets.map((sheet) => {
    let total = 0;
    let weights = 0;
    for (const c of criteria) {
      const s = sheet.scores.find((x) => x.criterion === c.key);
      if (!s) continue;
      total += c.weight * s.score;
      weights += c.weight;
    }
    return { memberId: sheet.memberId, weighted: weights > 0 ? total / weights : 0 };
  });
  const recommendations: Record<PanelOutcome, number> = { pass: 0, conditional: 0, defer: 0 };
  for (const sheet of sheets) recommendations[sheet.recommendation] += 1;
  return {
    criteria: criteria.map((c) => {
      const scores = sheets.flatMap((sheet) => sheet.scores.filter((x) => x.criterion === c.key).map((x) => x.score));
      return { key: c.key, title: c.title, weight: c.weight, mean: scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : null };
    }),
    members,
    weightedMean: members.length ? members.reduce((a, m) => a + m.weighted, 0) / members.length : null,
    recommendations,
  };
}

/**
 * Panel members who may not score a network: a member who is a partner of one of its practices
 * (matched by email). Returns member id → the reason, in words.
 */
export function panelConflicts(
  members: readonly { id: string; email: string }[],
  people: readonly { email: string; roles: readonly string[]; practiceName: string }[],
): Map<string, string> {
  const partners = new Map<string, string[]>();
  for (const p of people) {
    if (!p.roles.includes('partner')) continue;
    const email = p.email.trim().toLowerCase();
    partners.set(email, [...(partners.get(email) ?? []), p.practiceName]);
  }
  const out = new Map<string, string>();
  for (const m of members) {
    const practices = partners.get(m.email.trim().toLowerCase());
    if (practices) out.set(m.id, `a partner of ${practices.join(' and ')}, a member practice of the network, may not score it`);
  }
  return out;
}

export interface PanelCondition {
  n: number;
  text: string;
  open: boolean;
}

/** What the formation workflow knows of the network's panel: enough for its validators to judge. */
export interface PanelState {
  /** the presentation open for scoring (one per network and wave), null before the pack is issued or after a deferral */
  presentationId: string | null;
  waveNumber: number | null;
  criteria: string[];
  invited: string[];
  excluded: { memberId: string; reason: string }[];
  scored: string[];
  outcome: PanelOutcome | null;
  conditions: PanelCondition[];
  /** an outcome being written: a second one waits for it */
  deciding: boolean;
  deferrals: number;
}

export function emptyPanelState(): PanelState {
  return {
    presentationId: null,
    waveNumber: null,
    criteria: [],
    invited: [],
    excluded: [],
    scored: [],
    outcome: null,
    conditions: [],
    deciding: false,
    deferrals: 0,
  };
}

export type PanelRefusalCode =
  | 'PANEL_CLOSED'
  | 'PANEL_NOT_OPEN'
  | 'NOT_A_PANEL_MEMBER'
  | 'MEMBER_CONFLICTED'
  | 'ALREADY_SCORED'
  | 'INVALID_SCORES'
  | 'OUTCOME_RECORDED'
  | 'UNKNOWN_CONDITION'
  | 'CONDITION_CLOSED'
  | 'VALIDATION_FAILED';

export interface PanelRefusal {
  code: PanelRefusalCode;
  message: string;
  details?: Problem[];
}

/** May this member score this presentation now, with this sheet? */
export function scoreRefusal(
  panel: PanelState,
  attempt: { memberId: string; presentationId: string; sheet: Pick<ScoreSheet, 'scores' | 'recommendation' | 'conditions'> },
): PanelRefusal | null {
  if (panel.presentationId !== attempt.presentationId)
    return { code: 'PANEL_CLOSED', message: 'This presentation is no longer open for scoring: the network has moved on to another wave.' };
  if (panel.outcome) return { code: 'PANEL_CLOSED', message: `The panel's outcome has been recorded (${OUTCOME_WORDS[panel.outcome]}); scoring has closed.` };
  const conflict = panel.excluded.find((e) => e.memberId === attempt.memberId);
  if (conflict) return { code: 'MEMBER_CONFLICTED', message: `You cannot score this network: ${conflict.reason}.` };
  if (!panel.invited.includes(attempt.memberId)) return { code: 'NOT_A_PANEL_MEMBER', message: 'You are not a member of the panel for this presentation.' };
  if (panel.scored.includes(attempt.memberId))
    return { code: 'ALREADY_SCORED', message: 'You have already scored this presentation; a panel member scores once.' };
  const problems = scoreSheetProblems(panel.criteria, attempt.sheet);
  if (problems.length) return { code: 'INVALID_SCORES', message: 'The scores are not complete.', details: problems };
  return null;
}

/** May the facilitator record this outcome now? */
export function outcomeRefusal(panel: PanelState, input: { outcome: PanelOutcome; conditions?: readonly string[] }): PanelRefusal | null {
  const problems = outcomeProblems(input);
  if (problems.length) return { code: 'VALIDATION_FAILED', message: problems[0].message, details: problems };
  if (!panel.presentationId) return { code: 'PANEL_NOT_OPEN', message: 'Issue the panel pack first: an outcome is recorded for a presentation to the panel.' };
  if (panel.deciding) return { code: 'OUTCOME_RECORDED', message: 'An outcome is being recorded for this presentation; look again in a moment.' };
  if (panel.outcome) return { code: 'OUTCOME_RECORDED', message: `The panel's outcome is already recorded: ${OUTCOME_WORDS[panel.outcome]}.` };
  return null;
}

/** May condition `n` be closed now? */
export function closeConditionRefusal(panel: PanelState, n: number): PanelRefusal | null {
  const condition = panel.conditions.find((c) => c.n === n);
  if (!condition)
    return {
      code: 'UNKNOWN_CONDITION',
      message: panel.conditions.length
        ? `There is no condition ${n}; the conditions are numbered 1 to ${panel.conditions.length}.`
        : 'The panel set no conditions for this network.',
    };
  if (!condition.open) return { code: 'CONDITION_CLOSED', message: `Condition ${n} is already closed.` };
  return null;
}

/** Open conditions, in words, or null when none stop the legal-entity stage. */
export function openConditionsBlock(conditions: readonly PanelCondition[]): string | null {
  const open = conditions.filter((c) => c.open);
  if (open.length === 0) return null;
  return `The panel's ${open.length === 1 ? 'condition' : 'conditions'} ${open.map((c) => `${c.n} ("${c.text}")`).join(', ')} must be closed, with evidence, before the legal-entity stage is issued.`;
}
