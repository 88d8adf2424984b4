/**
 * The ladder a dispute case climbs (DOMAIN.md §3.5): informal discussion between the practice leads,
 * the network board, the Local Medical Committee, independent mediation, then arbitration. Each step
 * but the last has a time limit, in working days or in calendar days; a step not resolved in time
 * escalates to the next by itself.
 *
 * The limits are those of the network's adopted dispute-resolution procedure (the options of the
 * `dispute-resolution` template: its schema is the source of the shape below), else the programme
 * default. A case snapshots its ladder when it opens, so a later change of procedure never moves the
 * goalposts of a case under way.
 */

export const STEP_KINDS = ['informal', 'board', 'lmc', 'mediation', 'arbitration'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

/** Who from outside the network acts at a step, and is sent a link to record their view or determination. */
export const EXTERNAL_ROLES = ['lmc-officer', 'mediator', 'arbitrator'] as const;
export type ExternalRole = (typeof EXTERNAL_ROLES)[number];

export type LimitUnit = 'working-days' | 'days';

export interface StepLimit {
  amount: number;
  unit: LimitUnit;
}

export interface LadderStep {
  /** 1 = informal discussion … 5 = arbitration */
  number: number;
  kind: StepKind;
  /** as people read it: "Network board", "Tower Hamlets LMC" */
  name: string;
  /** null for the last step, which runs as the chosen forum's rules allow */
  limit: StepLimit | null;
  /** the outside person who acts at this step, if any */
  external: ExternalRole | null;
  /** whether the case may end here by a binding determination (LMC arbitration, an arbitrator) */
  mayDetermine: boolean;
  /** what happens at this step, in a sentence */
  description: string;
}

/**
 * The limits a procedure sets. The field names are those of the `dispute-resolution` template's
 * options (templates/dispute-resolution/schema.ts), which a network's adopted procedure is parsed with.
 */
export interface DisputeProcedure {
  lmcName: string;
  timescales: {
    informalWorkingDays: number;
    boardWorkingDays: number;
    lmcViewDays: number;
    mediationDays: number;
  };
}

/** The programme default: DOMAIN.md §3.5 (a design option, so a network's procedure may set its own). */
export const DEFAULT_PROCEDURE: DisputeProcedure = {
  lmcName: 'the Local Medical Committee',
  timescales: { informalWorkingDays: 10, boardWorkingDays: 20, lmcViewDays: 28, mediationDays: 30 },
};

/** "the Local Medical Committee" → "Local Medical Committee"; "Tower Hamlets LMC" stays as it is. */
function asTitle(name: string): string {
  const bare = name.trim().replace(/^the\s+/i, '');
  return bare ? bare[0].toUpperCase() + bare.slice(1) : 'Local Medical Committee';
}

function positive(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${what} must be a whole number of at least 1 (got ${n}).`);
  return n;
}

/** The five steps of a procedure, in order. */
export function buildLadder(procedure: DisputeProcedure = DEFAULT_PROCEDURE): LadderStep[] {
  const t = procedure.timescales;
  return [
    {
      number: 1,
      kind: 'informal',
      name: 'Informal discussion',
      limit: { amount: positive(t.informalWorkingDays, 'informalWorkingDays'), unit: 'working-days' },
      external: null,
      mayDetermine: false,
      description: 'The practice leads of the parties meet to resolve the dispute.',
    },
    {
      number: 2,
      kind: 'board',
      name: 'Network board',
      limit: { amount: positive(t.boardWorkingDays, 'boardWorkingDays'), unit: 'working-days' },
      external: null,
      mayDetermine: false,
      description: 'The board hears the dispute; board members from the parties’ practices stand aside.',
    },
    {
      number: 3,
      kind: 'lmc',
      name: asTitle(procedure.lmcName),
      limit: { amount: positive(t.lmcViewDays, 'lmcViewDays'), unit: 'days' },
      external: 'lmc-officer',
      mayDetermine: true,
      description: `${asTitle(procedure.lmcName)} facilitates, gives its view or, where the parties agree, arbitrates.`,
    },
    {
      number: 4,
      kind: 'mediation',
      name: 'Mediation',
      limit: { amount: positive(t.mediationDays, 'mediationDays'), unit: 'days' },
      external: 'mediator',
      mayDetermine: false,
      description: 'An independent mediator helps the parties reach terms.',
    },
    {
      number: 5,
      kind: 'arbitration',
      name: 'Arbitration',
      limit: null,
      external: 'arbitrator',
      mayDetermine: true,
      description: 'Binding arbitration or expert determination, as the rules of the chosen forum allow.',
    },
  ];
}

export function ladderStep(ladder: readonly LadderStep[], number: number): LadderStep {
  const step = ladder.find((s) => s.number === number);
  if (!step) throw new RangeError(`The ladder has no step ${number}.`);
  return step;
}

/** The step after `number`, or null at the top of the ladder. */
export function stepAfter(ladder: readonly LadderStep[], number: number): LadderStep | null {
  return ladder.find((s) => s.number === number + 1) ?? null;
}

/** "10 working days", "28 days", "1 working day". */
export function describeLimit(limit: StepLimit | null): string {
  if (!limit) return 'no time limit';
  const unit = limit.unit === 'working-days' ? 'working day' : 'day';
  return `${limit.amount} ${unit}${limit.amount === 1 ? '' : 's'}`;
}

export const EXTERNAL_ROLE_WORDS: Record<ExternalRole, string> = {
  'lmc-officer': 'LMC officer',
  mediator: 'mediator',
  arbitrator: 'arbitrator',
};
