import { rowOf, textOf } from './columns';
import { type Executor, IN_CHUNK, insertRows, nowIso, readInChunks } from './executor';

import type { Slot, SlotSignature } from '../../domain/signing';

export interface Signoff {
  id: string;
  workflowId: string;
  networkId: string;
  stageKey: string;
  documentId: string;
  documentVersion: number;
  /** open | expired | signed | declined | voided */
  status: string;
  rule: unknown;
  slots: Slot[];
  expiresAt: string | null;
  createdAt: string;
  completedAt: string | null;
}
export interface Signature {
  id: string;
  signoffId: string;
  documentId: string;
  documentVersion: number;
  documentSha256: string;
  personId: string;
  practiceId: string;
  typedName: string;
  capacity: string;
  slotIds: string[];
  consentVersion: string;
  method: string;
  ip: string | null;
  userAgent: string | null;
  signedAt: string;
}

/** Sign-off rounds, the requests sent in them, and the signatures and declines they collected. */
export function createSignoffsRepo() {
  return {
    async insert(db: Executor, s: Omit<Signoff, 'createdAt' | 'completedAt'>): Promise<Signoff> {
      const createdAt = nowIso();
      await db('signoffs').insert({
        ...rowOf(s, ['id', 'workflowId', 'networkId', 'stageKey', 'documentId', 'documentVersion', 'status', 'expiresAt']),
        rule: JSON.stringify(s.rule),
        slots: JSON.stringify(s.slots),
        created_at: createdAt,
      });
      return { ...s, createdAt, completedAt: null };
    },
    async setOpenState(db: Executor, id: string, patch: { status?: 'open' | 'expired'; expiresAt?: string; slots?: Slot[] }): Promise<void> {
      const update: Record<string, unknown> = {};
      if (patch.status) update.status = patch.status;
      if (patch.expiresAt) update.expires_at = patch.expiresAt;
      if (patch.slots) update.slots = JSON.stringify(patch.slots);
      await db('signoffs').where({ id }).whereNull('completed_at').update(update);
    },
    async latestForStage(db: Executor, networkId: string, stageKey: string): Promise<Signoff | null> {
      const r = await db('signoffs')
        .where({ network_id: networkId, stage_key: stageKey })
        .orderBy([
          { column: 'document_version', order: 'desc' },
          { column: 'created_at', order: 'desc' },
        ])
        .first();
      return r ? signoffFromRow(r) : null;
    },
    /** The latest round of each stage of the networks (a network's own view). */
    async latestForNetworks(db: Executor, networkIds: readonly string[]): Promise<Signoff[]> {
      const latest = new Map<string, Record<string, unknown>>();
      const rows: Record<string, unknown>[] = await readInChunks(networkIds, (chunk) =>
        db('signoffs')
          .whereIn('network_id', chunk)
          .orderBy([
            { column: 'document_version', order: 'asc' },
            { column: 'created_at', order: 'asc' },
          ]),
      );
      for (const r of rows) latest.set(`${String(r.network_id)}:${String(r.stage_key)}`, r);
      return [...latest.values()].map(signoffFromRow);
    },
    /**
     * The latest round of each network's current stage, in one query per 500 networks (dashboards):
     * earlier stages' rounds are not read, and only the latest of each is decoded.
     */
    async latestOfCurrentStages(db: Executor, networkIds: readonly string[]): Promise<Signoff[]> {
      const latest = new Map<string, Record<string, unknown>>();
      const rows: Record<string, unknown>[] = await readInChunks(networkIds, (chunk) =>
        db('signoffs as s')
          .join('networks as n', (on) => on.on('n.id', '=', 's.network_id').andOn('n.current_stage', '=', 's.stage_key'))
          .whereIn('s.network_id', chunk)
          .select('s.*')
          .orderBy([
            { column: 's.document_version', order: 'asc' },
            { column: 's.created_at', order: 'asc' },
          ]),
      );
      for (const r of rows) latest.set(String(r.network_id), r);
      return [...latest.values()].map(signoffFromRow);
    },
    async byWorkflowId(db: Executor, workflowId: string): Promise<Signoff | null> {
      const r = await db('signoffs').where({ workflow_id: workflowId }).first();
      return r ? signoffFromRow(r) : null;
    },
    /** A round's status alone: every action on a link checks its round was not voided, and a round's slots are long. */
    async statusOf(db: Executor, id: string): Promise<string | null> {
      const r = await db('signoffs').where({ id }).first('status');
      return r ? String(r.status) : null;
    },
    async get(db: Executor, id: string): Promise<Signoff | null> {
      const r = await db('signoffs').where({ id }).first();
      return r ? signoffFromRow(r) : null;
    },
    async complete(db: Executor, id: string, status: 'signed' | 'declined' | 'voided'): Promise<void> {
      await db('signoffs').where({ id }).whereNull('completed_at').update({ status, completed_at: nowIso() });
    },
    async insertRequests(db: Executor, requests: readonly { id: string; signoffId: string; personId: string; practiceId: string }[]): Promise<void> {
      const at = nowIso();
      await insertRows(
        db,
        'signature_requests',
        requests.map((r) => ({
          id: r.id,
          signoff_id: r.signoffId,
          person_id: r.personId,
          practice_id: r.practiceId,
          status: 'pending',
          created_at: at,
          updated_at: at,
        })),
      );
    },
    async setRequestStatus(db: Executor, signoffId: string, personId: string, status: string): Promise<void> {
      await db('signature_requests').where({ signoff_id: signoffId, person_id: personId }).update({ status, updated_at: nowIso() });
    },
    /** The requests of a round; `updatedAt` is when the request last changed status (signed, declined, handed over…). */
    async requests(db: Executor, signoffId: string): Promise<{ personId: string; practiceId: string; status: string; createdAt: string; updatedAt: string }[]> {
      const rows = await db('signature_requests').where({ signoff_id: signoffId });
      return rows.map((r) => ({
        personId: r.person_id,
        practiceId: r.practice_id,
        status: r.status,
        createdAt: String(r.created_at),
        updatedAt: String(r.updated_at),
      }));
    },
    /** Sets the status of several people's requests in one statement; `onlyPending` leaves answered ones alone. */
    async setRequestsStatus(
      db: Executor,
      signoffId: string,
      personIds: readonly string[],
      status: string,
      opts: { onlyPending?: boolean } = {},
    ): Promise<void> {
      for (let i = 0; i < personIds.length; i += IN_CHUNK) {
        let q = db('signature_requests')
          .where({ signoff_id: signoffId })
          .whereIn('person_id', personIds.slice(i, i + IN_CHUNK));
        if (opts.onlyPending) q = q.where({ status: 'pending' });
        await q.update({ status, updated_at: nowIso() });
      }
    },
    async insertSignature(db: Executor, s: Signature): Promise<void> {
      await db('signatures').insert(signatureRow(s));
    },
    async insertSignatures(db: Executor, list: readonly Signature[]): Promise<void> {
      await insertRows(db, 'signatures', list.map(signatureRow));
    },
    /** The signatures some people have given in a round, in one query per 500. */
    async signaturesByPeople(db: Executor, signoffId: string, personIds: readonly string[]): Promise<Signature[]> {
      return (await readInChunks(personIds, (chunk) => db('signatures').where({ signoff_id: signoffId }).whereIn('person_id', chunk))).map(signatureFromRow);
    },
    async signatureByPerson(db: Executor, signoffId: string, personId: string): Promise<Signature | null> {
      const r = await db('signatures').where({ signoff_id: signoffId, person_id: personId }).first();
      return r ? signatureFromRow(r) : null;
    },
    async signatureByPractice(db: Executor, signoffId: string, practiceId: string): Promise<Signature | null> {
      const r = await db('signatures').where({ signoff_id: signoffId, practice_id: practiceId }).first();
      return r ? signatureFromRow(r) : null;
    },
    async signatures(db: Executor, filter: { signoffId?: string; documentId?: string }): Promise<Signature[]> {
      let q = db('signatures').orderBy('signed_at');
      if (filter.signoffId) q = q.where({ signoff_id: filter.signoffId });
      if (filter.documentId) q = q.where({ document_id: filter.documentId });
      return (await q).map(signatureFromRow);
    },
    /**
     * Who has signed in many rounds, and which slots each signature filled: what a round's progress
     * is worked out from (dashboards and a network's formation), without the rest of each signature.
     */
    async progressOfSignoffs(db: Executor, signoffIds: readonly string[]): Promise<(SlotSignature & { signoffId: string })[]> {
      const rows = await readInChunks(signoffIds, (chunk) =>
        db('signatures').whereIn('signoff_id', chunk).orderBy('signed_at').select('signoff_id', 'person_id', 'slot_ids', 'signed_at'),
      );
      return rows.map((r) => ({
        signoffId: String(r.signoff_id),
        personId: String(r.person_id),
        slotIds: JSON.parse(String(r.slot_ids)) as string[],
        signedAt: String(r.signed_at),
      }));
    },
    async insertDecline(db: Executor, d: { id: string; signoffId: string; personId: string; reason: string }): Promise<void> {
      await db('declines').insert({ id: d.id, signoff_id: d.signoffId, person_id: d.personId, reason: d.reason, declined_at: nowIso() });
    },
    /** Every decline in the rounds of one stage of a network, oldest first, with the version declined. */
    async declinesForStage(
      db: Executor,
      networkId: string,
      stageKey: string,
    ): Promise<{ personId: string; reason: string; declinedAt: string; documentVersion: number }[]> {
      const rows = await db('declines as d')
        .join('signoffs as o', 'o.id', 'd.signoff_id')
        .where({ 'o.network_id': networkId, 'o.stage_key': stageKey })
        .orderBy('d.declined_at')
        .select('d.person_id', 'd.reason', 'd.declined_at', 'o.document_version');
      return rows.map((r) => ({
        personId: String(r.person_id),
        reason: String(r.reason),
        declinedAt: String(r.declined_at),
        documentVersion: Number(r.document_version),
      }));
    },
    async declineByPerson(db: Executor, signoffId: string, personId: string): Promise<{ id: string; reason: string; declinedAt: string } | null> {
      const r = await db('declines').where({ signoff_id: signoffId, person_id: personId }).first();
      return r ? { id: r.id, reason: r.reason, declinedAt: r.declined_at } : null;
    },
  };
}

function signoffFromRow(r: Record<string, unknown>): Signoff {
  return {
    id: String(r.id),
    workflowId: String(r.workflow_id),
    networkId: String(r.network_id),
    stageKey: String(r.stage_key),
    documentId: String(r.document_id),
    documentVersion: Number(r.document_version),
    status: String(r.status),
    rule: JSON.parse(String(r.rule)),
    slots: JSON.parse(String(r.slots)) as Slot[],
    expiresAt: (r.expires_at as string | null) ?? null,
    createdAt: String(r.created_at),
    completedAt: (r.completed_at as string | null) ?? null,
  };
}

/** A signature's text columns, kept and read as they are. */
const SIGNATURE_TEXT = [
  'id',
  'signoffId',
  'documentId',
  'documentSha256',
  'personId',
  'practiceId',
  'typedName',
  'capacity',
  'consentVersion',
  'method',
  'signedAt',
] as const;

function signatureRow(s: Signature): Record<string, unknown> {
  return {
    ...rowOf(s, [...SIGNATURE_TEXT, 'documentVersion', 'ip', 'userAgent']),
    slot_ids: JSON.stringify(s.slotIds),
  };
}

function signatureFromRow(r: Record<string, unknown>): Signature {
  return {
    ...textOf(r, SIGNATURE_TEXT),
    documentVersion: Number(r.document_version),
    slotIds: JSON.parse(String(r.slot_ids)) as string[],
    ip: (r.ip as string | null) ?? null,
    userAgent: (r.user_agent as string | null) ?? null,
  };
}

export type SignoffsRepo = ReturnType<typeof createSignoffsRepo>;
