/**
 * The risk register and issue log of a network (DOMAIN.md §3.5): a risk is scored likelihood × impact,
 * each from 1 to 5; the board reviews any risk scoring 15 or more at every meeting (the procedure's
 * wording). An issue is a risk that has happened, or any problem needing action.
 */
import { z } from 'zod';

export const scoreFactorSchema = z.number().int().min(1).max(5);

export const RISK_STATUSES = ['open', 'closed'] as const;
export const ISSUE_STATUSES = ['open', 'closed', 'escalated'] as const;
export type RiskStatus = (typeof RISK_STATUSES)[number];
export type IssueStatus = (typeof ISSUE_STATUSES)[number];

export type RiskRating = 'low' | 'medium' | 'high';

/** Likelihood × impact, each 1–5. */
export function riskScore(likelihood: number, impact: number): number {
  scoreFactorSchema.parse(likelihood);
  scoreFactorSchema.parse(impact);
  return likelihood * impact;
}

/** 15 or more is high (reviewed at every board meeting); 8–14 medium; below 8 low. */
export function riskRating(score: number): RiskRating {
  if (score >= 15) return 'high';
  if (score >= 8) return 'medium';
  return 'low';
}
