/**
 * The kinds of action link Formwork emails to people. A link is a bearer secret for one person and
 * one subject (a sign-off round, a motion, an election, a sealed copy, a panel presentation to score, a panel's outcome letter); each route that accepts a
 * link names the kinds it accepts, and nothing else may use it.
 */
export const ACTION_KINDS = ['sign', 'vote', 'ballot', 'sealed-copy', 'score', 'panel-letter'] as const;

export type ActionKind = (typeof ACTION_KINDS)[number];

export function isActionKind(value: string): value is ActionKind {
  return (ACTION_KINDS as readonly string[]).includes(value);
}
