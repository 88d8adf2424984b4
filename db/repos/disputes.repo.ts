import type { CaseSnapshot as DomainSnapshot, CaseStatus } from '../../domain/disputes/case';
import type { LadderStep, LimitUnit } from '../../domain/disputes/ladder';
import { rowOf } from './columns';
import { type Executor, nowIso, readInChunks } from './executor';

/** A case as the registers and pages read it (the read model its workflow writes). */
export interface DisputeRow {
  id: string;
  workflowId: string;
  networkId: string;
  programmeId: string;
  title: string;
  summary: string;
  parties: string[];
  stageKey: string | null;
  ladder: LadderStep[];
  status: CaseStatus;
  stepNumber: number;
  stepStartedOn: string;
  stepDueOn: string | null;
  limitUnit: LimitUnit | null;
  clock: 'running' | 'paused' | 'none';
  pausedDaysLeft: number | null;
  settling: boolean;
  breaches: number;
  openedBy: string;
  openedAt: string;
  closedOn: string | null;
  fromIssueId: string | null;
  settlementDocumentId: string | null;
  lastSeq: number;
}

/** The changing part of a case, written with every event. */
export type CaseSnapshot = DomainSnapshot & { settlementDocumentId?: string | null };

export interface DisputeEvent {
  id: string;
  disputeId: string;
  seq: number;
  at: string;
  type: string;
  actor: string;
  text: string;
  stepNumber: number;
  data: Record<string, unknown>;
}

export interface DisputeExternal {
  id: string;
  disputeId: string;
  stepNumber: number;
  role: string;
  name: string;
  email: string;
  organisation: string;
  appointedBy: string;
  appointedAt: string;
}

const OPEN: CaseStatus[] = ['opening', 'open'];

function caseFromRow(r: Record<string, unknown>): DisputeRow {
  return {
    id: String(r.id),
    workflowId: String(r.workflow_id),
    networkId: String(r.network_id),
    programmeId: String(r.programme_id),
    title: String(r.title),
    summary: String(r.summary),
    parties: JSON.parse(String(r.parties)) as string[],
    stageKey: (r.stage_key as string | null) ?? null,
    ladder: JSON.parse(String(r.ladder)) as LadderStep[],
    status: String(r.status) as CaseStatus,
    stepNumber: Number(r.step_number),
    stepStartedOn: String(r.step_started_on),
    stepDueOn: (r.step_due_on as string | null) ?? null,
    limitUnit: (r.limit_unit as LimitUnit | null) ?? null,
    clock: String(r.clock) as DisputeRow['clock'],
    pausedDaysLeft: r.paused_days_left == null ? null : Number(r.paused_days_left),
    settling: Boolean(r.settling),
    breaches: Number(r.breaches),
    openedBy: String(r.opened_by),
    openedAt: String(r.opened_at),
    closedOn: (r.closed_on as string | null) ?? null,
    fromIssueId: (r.from_issue_id as string | null) ?? null,
    settlementDocumentId: (r.settlement_document_id as string | null) ?? null,
    lastSeq: Number(r.last_seq),
  };
}

/** The changing part of a case as columns (the settlement document only once one is named). */
function snapshotColumns(s: CaseSnapshot): Record<string, unknown> {
  return rowOf(s, [
    'status',
    'stepNumber',
    'stepStartedOn',
    'stepDueOn',
    'limitUnit',
    'clock',
    'pausedDaysLeft',
    'settling',
    'breaches',
    'closedOn',
    'settlementDocumentId',
  ]);
}

function eventFromRow(r: Record<string, unknown>): DisputeEvent {
  return {
    id: String(r.id),
    disputeId: String(r.dispute_id),
    seq: Number(r.seq),
    at: String(r.at),
    type: String(r.type),
    actor: String(r.actor),
    text: String(r.text),
    stepNumber: Number(r.step_number),
    data: JSON.parse(String(r.data)) as Record<string, unknown>,
  };
}

function externalFromRow(r: Record<string, unknown>): DisputeExternal {
  return {
    id: String(r.id),
    disputeId: String(r.dispute_id),
    stepNumber: Number(r.step_number),
    role: String(r.role),
    name: String(r.name),
    email: String(r.email),
    organisation: String(r.organisation),
    appointedBy: String(r.appointed_by),
    appointedAt: String(r.appointed_at),
  };
}

/** Dispute cases, their history, the outside people of their steps, and networks' adopted procedures. */
export function createDisputesRepo() {
  return {
    async getProcedure(db: Executor, networkId: string): Promise<{ options: unknown; adoptedOn: string; recordedBy: string } | null> {
      const r = await db('dispute_procedures').where({ network_id: networkId }).first();
      return r ? { options: JSON.parse(r.options), adoptedOn: r.adopted_on, recordedBy: r.recorded_by } : null;
    },
    async setProcedure(db: Executor, p: { networkId: string; options: unknown; adoptedOn: string; recordedBy: string }): Promise<void> {
      const row = { options: JSON.stringify(p.options), adopted_on: p.adoptedOn, recorded_by: p.recordedBy, updated_at: nowIso() };
      const updated = await db('dispute_procedures').where({ network_id: p.networkId }).update(row);
      if (!updated) await db('dispute_procedures').insert({ network_id: p.networkId, ...row });
    },

    async insertCase(db: Executor, c: Omit<DisputeRow, 'lastSeq' | 'settlementDocumentId'>): Promise<void> {
      await db('disputes').insert({
        ...rowOf(c, ['id', 'workflowId', 'networkId', 'programmeId', 'title', 'summary', 'stageKey', 'openedBy', 'openedAt', 'fromIssueId']),
        parties: JSON.stringify(c.parties),
        ladder: JSON.stringify(c.ladder),
        last_seq: 0,
        ...snapshotColumns(c),
      });
    },
    async get(db: Executor, id: string): Promise<DisputeRow | null> {
      const r = await db('disputes').where({ id }).first();
      return r ? caseFromRow(r) : null;
    },
    /** Writes a case's state as of event `seq`; a late write of an earlier event changes nothing. */
    async writeSnapshot(db: Executor, id: string, seq: number, snapshot: CaseSnapshot): Promise<void> {
      await db('disputes')
        .where({ id })
        .where('last_seq', '<', seq)
        .update({ ...snapshotColumns(snapshot), last_seq: seq });
    },
    async setSettlementDocument(db: Executor, id: string, documentId: string): Promise<void> {
      await db('disputes').where({ id }).update({ settlement_document_id: documentId });
    },
    async listForNetwork(db: Executor, networkId: string): Promise<DisputeRow[]> {
      return (await db('disputes').where({ network_id: networkId }).orderBy('opened_at', 'desc')).map(caseFromRow);
    },
    async listForProgramme(db: Executor, programmeId: string): Promise<DisputeRow[]> {
      return (await db('disputes').where({ programme_id: programmeId }).orderBy('opened_at', 'desc')).map(caseFromRow);
    },
    /**
     * Open cases and their breaches for many networks at once (readiness): per network, the number
     * of open cases, how many of them breached a step's due date, and the breaches in all. Networks
     * without an open case are absent.
     */
    async openCasesAndBreaches(
      db: Executor,
      networkIds: readonly string[],
    ): Promise<Map<string, { openCases: number; breachedCases: number; breaches: number }>> {
      const out = new Map<string, { openCases: number; breachedCases: number; breaches: number }>();
      const rows = await readInChunks(networkIds, (chunk) =>
        db('disputes').whereIn('network_id', chunk).whereIn('status', OPEN).select('network_id', 'breaches'),
      );
      for (const r of rows) {
        const n = out.get(r.network_id) ?? { openCases: 0, breachedCases: 0, breaches: 0 };
        n.openCases += 1;
        n.breaches += Number(r.breaches);
        if (Number(r.breaches) > 0) n.breachedCases += 1;
        out.set(r.network_id, n);
      }
      return out;
    },
    /** The open cases of many networks, as readiness words them: title, step, due date, breaches. */
    async openCasesOf(
      db: Executor,
      networkIds: readonly string[],
    ): Promise<{ networkId: string; title: string; stepName: string; dueOn: string | null; clock: string; breaches: number }[]> {
      const rows = await readInChunks(networkIds, (chunk) =>
        db('disputes')
          .whereIn('network_id', chunk)
          .whereIn('status', OPEN)
          .orderBy('opened_at')
          .select('network_id', 'title', 'ladder', 'step_number', 'step_due_on', 'clock', 'breaches'),
      );
      return rows.map((r) => {
        const ladder = JSON.parse(String(r.ladder)) as { number: number; name: string }[];
        return {
          networkId: String(r.network_id),
          title: String(r.title),
          stepName: ladder.find((l) => l.number === Number(r.step_number))?.name ?? `step ${r.step_number}`,
          dueOn: (r.step_due_on as string | null) ?? null,
          clock: String(r.clock),
          breaches: Number(r.breaches),
        };
      });
    },
    /** Where a case belongs, for the access policy: its programme, network and the parties' practices. */
    async scopeOf(db: Executor, id: string): Promise<{ programmeId: string; networkId: string; practiceIds: string[] } | null> {
      const r = await db('disputes').where({ id }).first('programme_id', 'network_id', 'parties');
      return r ? { programmeId: r.programme_id, networkId: r.network_id, practiceIds: JSON.parse(r.parties) as string[] } : null;
    },
    /** The open cases of a network that hold a formation stage. */
    async openStageHolds(db: Executor, networkId: string): Promise<{ caseId: string; stage: string }[]> {
      const rows = await db('disputes').where({ network_id: networkId }).whereIn('status', OPEN).whereNotNull('stage_key').select('id', 'stage_key');
      return rows.map((r) => ({ caseId: String(r.id), stage: String(r.stage_key) }));
    },

    async insertEvent(db: Executor, e: DisputeEvent): Promise<void> {
      await db('dispute_events').insert({
        id: e.id,
        dispute_id: e.disputeId,
        seq: e.seq,
        at: e.at,
        type: e.type,
        actor: e.actor,
        text: e.text,
        step_number: e.stepNumber,
        data: JSON.stringify(e.data),
      });
    },
    async eventBySeq(db: Executor, disputeId: string, seq: number): Promise<DisputeEvent | null> {
      const r = await db('dispute_events').where({ dispute_id: disputeId, seq }).first();
      return r ? eventFromRow(r) : null;
    },
    async events(db: Executor, disputeId: string): Promise<DisputeEvent[]> {
      return (await db('dispute_events').where({ dispute_id: disputeId }).orderBy('seq')).map(eventFromRow);
    },

    async insertExternal(db: Executor, x: DisputeExternal): Promise<void> {
      await db('dispute_externals').insert({
        id: x.id,
        dispute_id: x.disputeId,
        step_number: x.stepNumber,
        role: x.role,
        name: x.name,
        email: x.email.toLowerCase(),
        organisation: x.organisation,
        appointed_by: x.appointedBy,
        appointed_at: x.appointedAt,
      });
    },
    async getExternal(db: Executor, id: string): Promise<DisputeExternal | null> {
      const r = await db('dispute_externals').where({ id }).first();
      return r ? externalFromRow(r) : null;
    },
    async externalsOf(db: Executor, disputeId: string): Promise<DisputeExternal[]> {
      return (await db('dispute_externals').where({ dispute_id: disputeId }).orderBy('appointed_at')).map(externalFromRow);
    },
  };
}

export type DisputesRepo = ReturnType<typeof createDisputesRepo>;
