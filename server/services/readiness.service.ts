import { assessReadiness } from '../../domain/readiness';
import { roundProgress } from '../../domain/signing';
import type { StageKey } from '../../domain/stages';
import type { ServerDeps } from '../deps';
import { AppError } from '../errors';

export interface NetworkReadinessRow {
  networkId: string;
  name: string;
  formationStatus: string;
  currentStage: string | null;
  stageStatus: string | null;
  stagesCompleted: number;
  rag: 'red' | 'amber' | 'green';
  blockers: string[];
  listSize: number;
  footprint: { minListSize: number; maxListSize: number; status: 'below' | 'within' | 'above' };
  practices: number;
}

/**
 * Commissioners' view of a wave: each network's stage, RAG status, blockers and footprint. It reads
 * the read model only, in a handful of set queries whatever the number of networks; it never asks a
 * workflow.
 */
export function createReadinessService(deps: Pick<ServerDeps, 'db' | 'repos'>) {
  const { db, repos } = deps;
  return {
    async wave(waveId: string) {
      const wave = await repos.records.getWave(db, waveId);
      if (!wave) throw new AppError('NOT_FOUND', `No wave with id ${waveId}.`);
      const programme = await repos.records.getProgramme(db, wave.programmeId);
      if (!programme) throw new AppError('NOT_FOUND', 'The wave has no programme.');
      const today = new Date(new Date().toISOString().slice(0, 10)).getTime();
      const daysToPanel = Math.round((Date.parse(wave.panelDate) - today) / 86_400_000);
      const summaries = await repos.records.listNetworks(db, { waveId });
      const ids = summaries.map((n) => n.id);
      const [practices, stages, rounds] = await Promise.all([repos.records.practicesOfNetworks(db, ids), repos.stages.listForNetworks(db, ids), repos.signoffs.latestForNetworks(db, ids)]);
      const current = rounds.filter((r) => summaries.some((n) => n.id === r.networkId && n.currentStage === r.stageKey) && !['signed', 'declined', 'voided'].includes(r.status));
      const signatures = await repos.signoffs.signaturesForSignoffs(db, current.map((r) => r.id));

      const networks: NetworkReadinessRow[] = summaries.map((summary) => {
        const own = practices.filter((p) => p.networkId === summary.id);
        const listSize = own.reduce((sum, p) => sum + p.listSize, 0);
        const stage = summary.currentStage ? stages.find((s) => s.networkId === summary.id && s.stageKey === summary.currentStage) : undefined;
        const round = current.find((r) => r.networkId === summary.id);
        let owedBy: string[] = [];
        if (round) {
          const progress = roundProgress(round.slots, signatures.filter((x) => x.signoffId === round.id));
          owedBy = [
            ...own.flatMap((p) => {
              const party = progress.practices.get(p.id);
              return party && !party.signed ? [`${p.name}: ${party.owedInWords}`] : [];
            }),
            ...progress.officers.filter((o) => !o.signed).map((o) => `the network's ${o.capacity.replace(/-/g, ' ')}: ${o.owedInWords}`),
          ];
        }
        const assessed = assessReadiness({
          formationStatus: summary.formationStatus,
          currentStage: summary.currentStage as StageKey | null,
          listSize,
          footprint: programme.footprint,
          stageStatus: stage?.status ?? null,
          round: round ? { status: round.status, owedBy } : null,
          lastOutcome: stage?.lastOutcome ?? null,
          daysToPanel,
        });
        return {
          networkId: summary.id,
          name: summary.name,
          formationStatus: summary.formationStatus,
          currentStage: summary.currentStage,
          stageStatus: stage?.status ?? null,
          stagesCompleted: assessed.stagesCompleted,
          rag: assessed.rag,
          blockers: assessed.blockers,
          listSize,
          footprint: { ...programme.footprint, status: assessed.footprint },
          practices: own.length,
        };
      });
      const count = (rag: string) => networks.filter((n) => n.rag === rag).length;
      return { waveId: wave.id, number: wave.number, panelDate: wave.panelDate, daysToPanel, programme: { id: programme.id, name: programme.name }, summary: { red: count('red'), amber: count('amber'), green: count('green') }, networks };
    },
  };
}
