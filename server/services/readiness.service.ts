import { assessReadiness } from '../../domain/readiness';
import type { StageKey } from '../../domain/stages';
import type { ServerDeps } from '../deps';
import { AppError } from '../errors';
import type { FormationService } from './formation.service';

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

/** Commissioners' view of a wave: each network's stage, RAG status, blockers and footprint. */
export function createReadinessService(deps: ServerDeps, formation: FormationService) {
  const { db, repos } = deps;
  return {
    async wave(waveId: string) {
      const wave = await repos.records.getWave(db, waveId);
      if (!wave) throw new AppError('NOT_FOUND', `No wave with id ${waveId}.`);
      const programme = await repos.records.getProgramme(db, wave.programmeId);
      if (!programme) throw new AppError('NOT_FOUND', 'The wave has no programme.');
      const today = new Date(new Date().toISOString().slice(0, 10)).getTime();
      const daysToPanel = Math.round((Date.parse(wave.panelDate) - today) / 86_400_000);
      const networks: NetworkReadinessRow[] = [];
      for (const summary of await repos.records.listNetworks(db, { waveId })) {
        const network = await repos.records.getNetwork(db, summary.id);
        if (!network) continue;
        const status = await formation.status(network.id);
        const stage = status.stages.find((s) => s.key === status.currentStage) ?? null;
        const owedBy = stage?.signoff ? [...stage.signoff.practices.flatMap((p) => p.owed.map((name) => `${name} (${p.name})`)), ...stage.signoff.officers.flatMap((o) => o.owed)] : [];
        const assessed = assessReadiness({
          formationStatus: status.status,
          currentStage: status.currentStage as StageKey | null,
          listSize: network.listSize,
          footprint: programme.footprint,
          stageStatus: stage?.status ?? null,
          round: stage?.signoff && !['signed', 'declined', 'voided'].includes(stage.signoff.status) ? { status: stage.signoff.status, owedBy } : null,
          lastOutcome: stage?.lastOutcome ?? null,
          daysToPanel,
        });
        networks.push({
          networkId: network.id,
          name: network.name,
          formationStatus: status.status,
          currentStage: status.currentStage,
          stageStatus: stage?.status ?? null,
          stagesCompleted: assessed.stagesCompleted,
          rag: assessed.rag,
          blockers: assessed.blockers,
          listSize: network.listSize,
          footprint: { ...programme.footprint, status: assessed.footprint },
          practices: network.practices.length,
        });
      }
      const count = (rag: string) => networks.filter((n) => n.rag === rag).length;
      return { waveId: wave.id, number: wave.number, panelDate: wave.panelDate, daysToPanel, programme: { id: programme.id, name: programme.name }, summary: { red: count('red'), amber: count('amber'), green: count('green') }, networks };
    },
  };
}
