import { type Executor, nowIso, readInChunks } from './executor';

export interface ReadinessDecision {
  id: string;
  networkId: string;
  decision: 'ready' | 'not-ready';
  note: string;
  decidedBy: string;
  decidedAt: string;
}

export interface ReadinessSnapshot {
  networkId: string;
  day: string;
  programmeId: string;
  waveId: string;
  rag: 'red' | 'amber' | 'green';
  stagesCompleted: number;
}

function decisionFromRow(r: Record<string, unknown>): ReadinessDecision {
  return {
    id: String(r.id),
    networkId: String(r.network_id),
    decision: String(r.decision) as ReadinessDecision['decision'],
    note: String(r.note),
    decidedBy: String(r.decided_by),
    decidedAt: String(r.decided_at),
  };
}

/** Commissioners' readiness decisions (append-only) and the daily readiness snapshots behind the RAG-over-time chart. */
export function createReadinessRepo() {
  return {
    async insertDecision(db: Executor, d: Omit<ReadinessDecision, 'decidedAt'>): Promise<ReadinessDecision> {
      const decidedAt = nowIso();
      await db('readiness_decisions').insert({
        id: d.id,
        network_id: d.networkId,
        decision: d.decision,
        note: d.note,
        decided_by: d.decidedBy,
        decided_at: decidedAt,
      });
      return { ...d, decidedAt };
    },

    /** Every decision on the networks, oldest first: the last one per network is the one in force. */
    async decisionsForNetworks(db: Executor, networkIds: readonly string[]): Promise<ReadinessDecision[]> {
      const rows = await readInChunks(networkIds, (chunk) => db('readiness_decisions').whereIn('network_id', chunk).orderBy(['network_id', 'decided_at']));
      return rows.map(decisionFromRow);
    },

    /** The sealed PDFs of the networks' signed rounds of the given stages, oldest first (the registration checklist's evidence). */
    async sealedForNetworks(
      db: Executor,
      networkIds: readonly string[],
      stageKeys: readonly string[],
    ): Promise<{ id: string; networkId: string; stageKey: string; version: number }[]> {
      const rows: Record<string, unknown>[] = await readInChunks(networkIds, (chunk) =>
        db('sealed_documents as s')
          .join('signoffs as o', 'o.id', 's.signoff_id')
          .whereIn('o.network_id', chunk)
          .whereIn('o.stage_key', stageKeys)
          .orderBy([{ column: 's.version' }, { column: 's.created_at' }])
          .select('s.id as id', 'o.network_id as network_id', 'o.stage_key as stage_key', 's.version as version'),
      );
      return rows.map((r) => ({ id: String(r.id), networkId: String(r.network_id), stageKey: String(r.stage_key), version: Number(r.version) }));
    },

    /** The snapshots of one day (today's, to see which networks changed since). */
    async snapshotsOfDay(db: Executor, programmeId: string, day: string): Promise<ReadinessSnapshot[]> {
      const rows = await db('readiness_snapshots').where({ programme_id: programmeId, day });
      return rows.map((r) => ({
        networkId: r.network_id,
        day: r.day,
        programmeId: r.programme_id,
        waveId: r.wave_id,
        rag: r.rag,
        stagesCompleted: Number(r.stages_completed),
      }));
    },

    /**
     * How many networks were red, amber and green on each day from `fromDay` up to (not including)
     * `beforeDay`: counted by the database, so a programme of a thousand networks and months of
     * history reads one row per day and colour.
     */
    async ragCountsByDay(
      db: Executor,
      programmeId: string,
      fromDay: string,
      beforeDay: string,
    ): Promise<{ day: string; red: number; amber: number; green: number }[]> {
      const rows = await db('readiness_snapshots')
        .where({ programme_id: programmeId })
        .andWhere('day', '>=', fromDay)
        .andWhere('day', '<', beforeDay)
        .groupBy('day', 'rag')
        .select('day', 'rag')
        .count({ n: '*' })
        .orderBy('day');
      const byDay = new Map<string, { day: string; red: number; amber: number; green: number }>();
      for (const r of rows as { day: string; rag: string; n: number | string }[]) {
        const counts = byDay.get(r.day) ?? { day: r.day, red: 0, amber: 0, green: 0 };
        if (r.rag === 'red' || r.rag === 'amber' || r.rag === 'green') counts[r.rag] += Number(r.n);
        byDay.set(r.day, counts);
      }
      return [...byDay.values()];
    },

    /** Writes today's snapshot of each network given, replacing an earlier one of the same day. */
    async upsertSnapshots(db: Executor, rows: readonly ReadinessSnapshot[]): Promise<void> {
      const recordedAt = nowIso();
      for (let i = 0; i < rows.length; i += 200) {
        const chunk = rows.slice(i, i + 200).map((r) => ({
          network_id: r.networkId,
          day: r.day,
          programme_id: r.programmeId,
          wave_id: r.waveId,
          rag: r.rag,
          stages_completed: r.stagesCompleted,
          recorded_at: recordedAt,
        }));
        await db('readiness_snapshots').insert(chunk).onConflict(['network_id', 'day']).merge(['wave_id', 'rag', 'stages_completed', 'recorded_at']);
      }
    },
  };
}

export type ReadinessRepo = ReturnType<typeof createReadinessRepo>;
