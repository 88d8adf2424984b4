import { roundProgress, whoSigns, type PartyProgress, type SigningRule } from '../../domain/signing';
import { isStageKey, STAGES, type StageKey } from '../../domain/stages';
import type { ServerDeps } from '../deps';
import { AppError } from '../errors';

/**
 * What a facilitator's stage page reads, from the read model in a handful of queries: the stage's
 * status and saved data, every version of its document, the current signing round practice by
 * practice (who signed, who is still owed, in words), every decline with its reason, and the
 * sealed copies. Never a workflow query.
 */
export function createStageConsoleService(deps: ServerDeps) {
  const { db, repos } = deps;

  async function requireNetwork(id: string) {
    const network = await repos.records.getNetwork(db, id);
    if (!network) throw new AppError('NOT_FOUND', 'No such network.');
    return network;
  }

  function requireStage(stage: string): StageKey {
    if (!isStageKey(stage)) throw new AppError('UNKNOWN_STAGE', 'No such stage.');
    return stage;
  }

  return {
    /** The data saved for a stage so far, and its revision (0 before anything is saved). */
    async stageData(networkId: string, stageParam: string) {
      await requireNetwork(networkId);
      const stage = requireStage(stageParam);
      const row = (await repos.stages.list(db, networkId)).find((s) => s.stageKey === stage);
      return { data: (row?.data ?? null) as Record<string, unknown> | null, revision: row?.dataRevision ?? 0 };
    },

    async stage(networkId: string, stageParam: string) {
      const network = await requireNetwork(networkId);
      const stage = requireStage(stageParam);
      const def = STAGES.find((s) => s.key === stage)!;
      const [rows, documents, latest, declines, sealed] = await Promise.all([
        repos.stages.list(db, network.id),
        repos.documents.listForNetwork(db, network.id),
        repos.signoffs.latestForStage(db, network.id, stage),
        repos.signoffs.declinesForStage(db, network.id, stage),
        repos.sealed.listForStage(db, network.id, stage),
      ]);
      const row = rows.find((s) => s.stageKey === stage);
      const people = new Map(network.practices.flatMap((p) => p.people.map((x) => [x.id, { name: x.name, practiceName: p.name }] as const)));
      const nameOf = (personId: string) => people.get(personId)?.name ?? 'someone no longer in the network';

      let round = null;
      if (latest) {
        const signatures = await repos.signoffs.signatures(db, { signoffId: latest.id });
        const progress = roundProgress(latest.slots, signatures);
        const words = (party: PartyProgress) => ({
          signed: party.signed,
          signers: party.signers.map((x) => ({ name: nameOf(x.personId), signedAt: x.signedAt })),
          owed: party.owed,
          owedInWords: party.owedInWords,
        });
        const none: PartyProgress = { signed: false, signers: [], owed: [], owedInWords: '' };
        round = {
          id: latest.id,
          status: latest.status,
          open: !latest.completedAt && (latest.status === 'open' || latest.status === 'expired'),
          documentVersion: latest.documentVersion,
          rule: whoSigns(latest.rule as SigningRule),
          expiresAt: latest.expiresAt,
          practices: network.practices
            .filter((p) => progress.practices.has(p.id) || latest.slots.length === 0)
            .map((p) => ({ practiceId: p.id, name: p.name, ...words(progress.practices.get(p.id) ?? none) })),
          officers: progress.officers.map((o) => ({ capacity: o.capacity.replace(/-/g, ' '), ...words(o) })),
        };
      }

      const versions = documents
        .filter((d) => d.stageKey === stage)
        .sort((a, b) => b.version - a.version)
        .map((d, i, all) => ({
          id: d.id,
          title: d.title,
          version: d.version,
          status: d.status,
          sha256: d.sha256Pdf,
          createdAt: d.createdAt,
          previousId: all[i + 1]?.id ?? null,
        }));

      return {
        network: { id: network.id, name: network.name, formationStatus: network.formationStatus, currentStage: network.currentStage },
        stage: {
          key: stage,
          title: def.title,
          position: def.position,
          decidedBy: def.decidedBy,
          status: row?.status ?? 'pending',
          dataRevision: row?.dataRevision ?? 0,
          vote: row?.vote ?? null,
          lastOutcome: row?.lastOutcome ?? null,
        },
        versions,
        round,
        declines: declines.map((d) => ({
          name: nameOf(d.personId),
          practiceName: people.get(d.personId)?.practiceName ?? '',
          version: d.documentVersion,
          reason: d.reason,
          declinedAt: d.declinedAt,
        })),
        sealed: sealed.map((x) => ({ id: x.id, version: x.version, sealedAt: x.createdAt, sha256: x.sealedSha256 })),
      };
    },
  };
}

export type StageConsoleService = ReturnType<typeof createStageConsoleService>;
