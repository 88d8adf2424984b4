import { z } from 'zod';
import { type Executor, nowIso, readInChunks } from './executor';

/** How a stage's last round or vote ended (written by the formation workflow's activities). */
export const stageOutcomeSchema = z.object({
  outcome: z.enum(['signed', 'declined', 'voided', 'carried', 'lost', 'inquorate']),
  reason: z.string().optional(),
  documentVersion: z.number(),
});
/** The stage's vote, when the programme decides it by vote. */
export const stageVoteSchema = z.object({
  motionId: z.string(),
  documentVersion: z.number(),
  result: z.enum(['carried', 'lost', 'inquorate']).nullable(),
  ruleVersion: z.string().nullable(),
  explanation: z.array(z.string()),
});
export type StageOutcome = z.infer<typeof stageOutcomeSchema>;
export type StageVote = z.infer<typeof stageVoteSchema>;

export interface StageRow {
  networkId: string;
  stageKey: string;
  position: number;
  status: string;
  data: unknown;
  dataRevision: number;
  lastOutcome: StageOutcome | null;
  vote: StageVote | null;
  updatedAt: string;
}

function stageFromRow(r: Record<string, unknown>): StageRow {
  return {
    networkId: String(r.network_id),
    stageKey: String(r.stage_key),
    position: Number(r.position),
    status: String(r.status),
    data: r.data ? JSON.parse(String(r.data)) : null,
    dataRevision: Number(r.data_revision),
    lastOutcome: r.last_outcome ? stageOutcomeSchema.parse(JSON.parse(String(r.last_outcome))) : null,
    vote: r.vote ? stageVoteSchema.parse(JSON.parse(String(r.vote))) : null,
    updatedAt: String(r.updated_at),
  };
}

/** The read model of each network's stages, written by formation activities. */
export function createStagesRepo() {
  return {
    async ensure(db: Executor, networkId: string, stages: { key: string; position: number }[]): Promise<void> {
      for (const s of stages) {
        const existing = await db('stages').where({ network_id: networkId, stage_key: s.key }).first();
        if (!existing)
          await db('stages').insert({
            network_id: networkId,
            stage_key: s.key,
            position: s.position,
            status: 'pending',
            data: null,
            data_revision: 0,
            updated_at: nowIso(),
          });
      }
    },
    /** The stage's status, and (when given) how its last round or vote ended and its vote. */
    async setStatus(
      db: Executor,
      networkId: string,
      stageKey: string,
      status: string,
      detail: { lastOutcome?: StageOutcome | null; vote?: StageVote | null } = {},
    ): Promise<void> {
      const update: Record<string, unknown> = { status, updated_at: nowIso() };
      if (detail.lastOutcome !== undefined) update.last_outcome = detail.lastOutcome ? JSON.stringify(detail.lastOutcome) : null;
      if (detail.vote !== undefined) update.vote = detail.vote ? JSON.stringify(detail.vote) : null;
      await db('stages').where({ network_id: networkId, stage_key: stageKey }).update(update);
    },
    /** Stores stage data at a revision; an older or repeated revision is ignored (activities retry). */
    async setData(db: Executor, networkId: string, stageKey: string, data: unknown, revision: number): Promise<boolean> {
      const n = await db('stages')
        .where({ network_id: networkId, stage_key: stageKey })
        .andWhere('data_revision', '<', revision)
        .update({ data: JSON.stringify(data), data_revision: revision, updated_at: nowIso() });
      return n > 0;
    },
    async list(db: Executor, networkId: string): Promise<StageRow[]> {
      const rows = await db('stages').where({ network_id: networkId }).orderBy('position');
      return rows.map(stageFromRow);
    },
    /** The stages of many networks in one query (dashboards). */
    async listForNetworks(db: Executor, networkIds: readonly string[]): Promise<StageRow[]> {
      if (networkIds.length === 0) return [];
      const rows = await readInChunks(networkIds, (chunk) => db('stages').whereIn('network_id', chunk).orderBy(['network_id', 'position']));
      return rows.map(stageFromRow);
    },
  };
}

export type StagesRepo = ReturnType<typeof createStagesRepo>;
