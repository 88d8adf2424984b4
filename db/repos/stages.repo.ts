import { type Executor, nowIso } from './executor';

export interface StageRow { networkId: string; stageKey: string; position: number; status: string; data: unknown; dataRevision: number; updatedAt: string }

/** The read model of each network's stages, written by formation activities. */
export function createStagesRepo() {
  return {
    async ensure(db: Executor, networkId: string, stages: { key: string; position: number }[]): Promise<void> {
      for (const s of stages) {
        const existing = await db('stages').where({ network_id: networkId, stage_key: s.key }).first();
        if (!existing) await db('stages').insert({ network_id: networkId, stage_key: s.key, position: s.position, status: 'pending', data: null, data_revision: 0, updated_at: nowIso() });
      }
    },
    async setStatus(db: Executor, networkId: string, stageKey: string, status: string): Promise<void> {
      await db('stages').where({ network_id: networkId, stage_key: stageKey }).update({ status, updated_at: nowIso() });
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
      return rows.map((r) => ({
        networkId: r.network_id,
        stageKey: r.stage_key,
        position: Number(r.position),
        status: r.status,
        data: r.data ? JSON.parse(r.data) : null,
        dataRevision: Number(r.data_revision),
        updatedAt: r.updated_at,
      }));
    },
  };
}

export type StagesRepo = ReturnType<typeof createStagesRepo>;
