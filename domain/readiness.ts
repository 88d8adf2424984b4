/**
 * A wave's readiness, network by network: where each stands, a red/amber/green status and the
 * blockers behind it, as a commissioner reads it before the panel date.
 */
import { STAGES, type StageKey } from './stages';

export type Rag = 'red' | 'amber' | 'green';

export interface NetworkReadinessInput {
  formationStatus: 'not-started' | 'running' | 'completed' | string;
  currentStage: StageKey | null;
  listSize: number;
  footprint: { minListSize: number; maxListSize: number };
  /** the current stage's state */
  stageStatus: string | null;
  /** the latest round of the current stage, if any */
  round: { status: string; owedBy: string[] } | null;
  lastOutcome: { outcome: string; reason?: string } | null;
  /** days from today to the wave's panel date (negative once it has passed) */
  daysToPanel: number;
  /** the network's panel: its outcome, its open conditions (in words), a signed pack waiting for an outcome, and the wave it was deferred from */
  panel?: { outcome: 'pass' | 'conditional' | 'defer' | null; openConditions: string[]; awaitingOutcome: boolean; deferredFromWave: number | null };
  /** open dispute cases concerning the network, in words, and whether each has missed a due date */
  openDisputes?: { text: string; breached: boolean }[];
}

export interface NetworkReadiness {
  rag: Rag;
  stagesCompleted: number;
  blockers: string[];
  footprint: 'below' | 'within' | 'above';
}

const number = (n: number) => n.toLocaleString('en-GB');

export function assessReadiness(input: NetworkReadinessInput): NetworkReadiness {
  const blockers: string[] = [];
  let rag: Rag = 'green';
  const worsen = (to: Rag) => {
    if (to === 'red' || (to === 'amber' && rag === 'green')) rag = to;
  };
  const footprint = input.listSize < input.footprint.minListSize ? 'below' : input.listSize > input.footprint.maxListSize ? 'above' : 'within';
  if (footprint === 'below') {
    blockers.push(`List size ${number(input.listSize)} is below the footprint minimum of ${number(input.footprint.minListSize)}; an exception must be agreed.`);
    worsen('red');
  } else if (footprint === 'above') {
    blockers.push(`List size ${number(input.listSize)} is above the footprint maximum of ${number(input.footprint.maxListSize)}; an exception must be agreed.`);
    worsen('amber');
  }
  const currentIndex = input.currentStage ? STAGES.findIndex((s) => s.key === input.currentStage) : -1;
  const stagesCompleted = input.formationStatus === 'completed' ? STAGES.length : Math.max(0, currentIndex);
  if (input.formationStatus === 'not-started') {
    blockers.push('Formation has not started.');
    worsen(input.daysToPanel <= 30 ? 'red' : 'amber');
  }
  if (input.round?.status === 'expired') {
    blockers.push(`The signing round expired; still owed by ${input.round.owedBy.join('; ') || 'nobody'}.`);
    worsen('red');
  } else if (input.round?.status === 'open' && input.round.owedBy.length > 0 && input.daysToPanel <= 14) {
    blockers.push(
      `Signatures still owed by ${input.round.owedBy.join('; ')} with the panel ${input.daysToPanel < 0 ? 'already past' : `in ${input.daysToPanel} days`}.`,
    );
    worsen('amber');
  }
  if (input.stageStatus === 'drafting' && input.lastOutcome && ['declined', 'lost', 'inquorate'].includes(input.lastOutcome.outcome)) {
    blockers.push(`The stage went back to drafting (${input.lastOutcome.outcome}${input.lastOutcome.reason ? `: ${input.lastOutcome.reason}` : ''}).`);
    worsen('amber');
  }
  if (input.panel?.deferredFromWave != null && stagesCompleted < 1) {
    blockers.push(`Deferred by the wave ${input.panel.deferredFromWave} panel: presents again to this wave's panel.`);
    worsen('amber');
  }
  if (input.panel?.awaitingOutcome) {
    blockers.push("The panel pack is signed; the panel's outcome is still to be recorded.");
    worsen('amber');
  }
  for (const condition of input.panel?.openConditions ?? []) {
    blockers.push(`Panel condition open: ${condition}`);
    worsen('amber');
  }
  for (const dispute of input.openDisputes ?? []) {
    blockers.push(`Open dispute: ${dispute.text}`);
    // a case that has run past a due date is escalating by itself: red, not amber
    worsen(dispute.breached ? 'red' : 'amber');
  }
  // the panel presentation must be done by the panel date
  if (input.daysToPanel < 0 && stagesCompleted < 1) {
    blockers.push('The panel date has passed without a completed panel presentation.');
    worsen('red');
  }
  return { rag, stagesCompleted, blockers, footprint };
}
