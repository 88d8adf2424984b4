/**
 * The kinds of action link Formwork emails to people. A link is a bearer secret for one person and
 * one subject (a sign-off round, a motion, an election, a sealed copy, a dispute case, a panel presentation
 * to score, a panel's outcome letter); each route that accepts a link names the kinds it accepts, and
 * nothing else may use it.
 */
export const ACTION_KINDS = ['sign', 'vote', 'ballot', 'sealed-copy', 'dispute-case', 'dispute-external', 'score', 'panel-letter'] as const;

/**
 * `dispute-case`: a person of the network concerned by a case (a party's people, the chair, board
 * members hearing it) reads the case and records what their standing allows. `dispute-external`: the
 * LMC officer, mediator or arbitrator of a step records their view or determination.
 */
export type ActionKind = (typeof ACTION_KINDS)[number];

export function isActionKind(value: string): value is ActionKind {
  return (ACTION_KINDS as readonly string[]).includes(value);
}
