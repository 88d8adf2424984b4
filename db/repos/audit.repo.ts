import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { auditEventSchema, type AuditEvent } from '../../domain/audit-events';
import {
  type ChainProblem,
  type Checkpoint,
  compareCheckpoints,
  checkpointIsAuthentic,
  type EvidenceKey,
  GENESIS,
  legacyLinkHash,
  rowDigest,
  verifyLinks,
} from '../audit-chain';
import type { CheckpointStore } from '../audit-checkpoints';
import { type Executor, insertRows as insertInChunks, nowIso } from './executor';

export interface AuditRow {
  seq: number;
  id: string;
  at: string;
  type: string;
  actor: string;
  networkId: string | null;
  data: AuditEvent;
  prevHash: string;
  hash: string;
}

/** What GET /audit/verify answers: the chain, the head row and the checkpoints, with every problem found. */
export interface AuditVerifyReport {
  valid: boolean;
  checked: number;
  firstBrokenSeq?: number;
  /** the first problem, in words */
  reason?: string;
  problems: ChainProblem[];
  keyId: string;
  head: { seq: number; hash: string };
  checkpoint: { seq: number; hash: string; at: string } | null;
}

/** A stretch of the chain for an evidence pack: one network's rows in full, every other row as its digest. */
export interface AuditSegment {
  format: 'formwork-audit-segment/1';
  keyId: string;
  networkId: string;
  start: { seq: number; prevHash: string };
  rows: ({ seq: number; digest: string; prevHash: string; hash: string } | AuditRow)[];
  checkpoint: Checkpoint | null;
}

/** A process started with another evidence key than the one the chain is written with. */
export class EvidenceKeyMismatchError extends Error {
  constructor(expected: string, actual: string) {
    super(
      `The audit chain is written with evidence key ${expected}, but this process holds key ${actual}. Start it with the original EVIDENCE_KEY (every server and worker needs the same one).`,
    );
    this.name = 'EvidenceKeyMismatchError';
  }
}

/** One event to append: who did it, what happened, and the network it concerns. */
export interface AuditEntry {
  actor: string;
  event: AuditEvent;
  networkId?: string | null;
}

function isTransaction(x: Executor): x is Knex.Transaction {
  return (x as Knex.Transaction).isTransaction === true;
}

/** Runs `fn` once the outermost transaction has committed; never after a rollback. */
function afterCommit(trx: Knex.Transaction, fn: () => void) {
  let top = trx;
  while (top.parentTransaction) top = top.parentTransaction;
  top.executionPromise.then(fn, () => undefined);
}

/**
 * The append-only audit log, chained with HMACs under the evidence key and anchored outside the
 * database by checkpoints. Appends must run inside the caller's transaction so an event is written
 * together with the change it records; the head row serialises appenders. The head is
 * checkpointed only after that transaction commits, so a rolled-back append never leaves a
 * checkpoint behind: every checkpoint names a row that was committed.
 */
export function createAuditRepo(evidence: { key: EvidenceKey; checkpoints: CheckpointStore }) {
  const { key, checkpoints } = evidence;

  /**
   * Links rows onto the head, writes them and moves the head once. The head is checkpointed once,
   * after the commit: a checkpoint of the last row anchors every row before it.
   */
  async function insertRows(trx: Knex.Transaction, head: { seq: number; hash: string }, entries: readonly AuditEntry[]): Promise<AuditRow[]> {
    const rows: AuditRow[] = [];
    let prev = head;
    for (const { actor, event: data, networkId = null } of entries) {
      const seq = prev.seq + 1;
      const row = { seq, id: crypto.randomUUID(), at: nowIso(), actor, networkId, data };
      const hash = key.link(prev.hash, rowDigest(row));
      rows.push({ ...row, type: data.type, prevHash: prev.hash, hash });
      prev = { seq, hash };
    }
    await insertInChunks(
      trx,
      'audit_events',
      rows.map((r) => ({
        seq: r.seq,
        id: r.id,
        at: r.at,
        type: r.type,
        actor: r.actor,
        network_id: r.networkId,
        data: JSON.stringify(r.data),
        prev_hash: r.prevHash,
        hash: r.hash,
      })),
    );
    await trx('audit_head').where({ id: 1 }).update(prev);
    const last = prev;
    afterCommit(trx, () => checkpoints.record(last.seq, last.hash));
    return rows;
  }

  async function insertRow(
    trx: Knex.Transaction,
    head: { seq: number; hash: string },
    actor: string,
    data: AuditEvent,
    networkId: string | null,
  ): Promise<AuditRow> {
    return (await insertRows(trx, head, [{ actor, event: data, networkId }]))[0];
  }

  /**
   * Brings a chain written before keying under the key, once: every row gets an HMAC link, and an
   * `audit.rekeyed` event records the old head and whether the old chain still held. Refused when
   * authentic checkpoints exist: then the chain was keyed already and someone cleared key_id to
   * launder rewritten rows through a re-key.
   */
  async function keyChain(trx: Knex.Transaction, head: { seq: number; hash: string; key_id: string | null }): Promise<{ seq: number; hash: string }> {
    if (head.key_id) throw new EvidenceKeyMismatchError(head.key_id, key.id);
    const rows = (await trx('audit_events').orderBy('seq', 'asc')).map(fromRow);
    if (rows.length === 0) {
      await trx('audit_head').where({ id: 1 }).update({ key_id: key.id });
      return { seq: Number(head.seq), hash: head.hash };
    }
    if (checkpoints.readAll().checkpoints.some((c) => checkpointIsAuthentic(key, c))) {
      throw new Error(
        'The audit head has lost its key id although checkpoints of a keyed chain exist: the database was altered. Refusing to re-key it; run GET /audit/verify.',
      );
    }
    let prev = GENESIS;
    let legacyFirstBrokenSeq: number | undefined;
    let newPrev = GENESIS;
    for (const [i, row] of rows.entries()) {
      if (legacyFirstBrokenSeq === undefined && (row.seq !== i + 1 || row.prevHash !== prev || legacyLinkHash(prev, row) !== row.hash))
        legacyFirstBrokenSeq = row.seq;
      prev = row.hash;
      const hash = key.link(newPrev, rowDigest(row));
      await trx('audit_events').where({ seq: row.seq }).update({ prev_hash: newPrev, hash });
      newPrev = hash;
    }
    const last = rows[rows.length - 1];
    if (legacyFirstBrokenSeq === undefined && (Number(head.seq) !== last.seq || head.hash !== last.hash)) legacyFirstBrokenSeq = last.seq;
    await trx('audit_head').where({ id: 1 }).update({ seq: last.seq, hash: newPrev, key_id: key.id });
    const event: AuditEvent = {
      type: 'audit.rekeyed',
      keyId: key.id,
      rows: rows.length,
      legacyHeadSeq: Number(head.seq),
      legacyHeadHash: head.hash,
      legacyChainValid: legacyFirstBrokenSeq === undefined,
      ...(legacyFirstBrokenSeq === undefined ? {} : { legacyFirstBrokenSeq }),
    };
    const rekeyed = await insertRow(trx, { seq: last.seq, hash: newPrev }, 'system', event, null);
    return { seq: rekeyed.seq, hash: rekeyed.hash };
  }

  /** Appends events in order, in the caller's transaction: one head read and one head write however many. */
  async function appendMany(executor: Executor, entries: readonly AuditEntry[]): Promise<AuditRow[]> {
    if (!isTransaction(executor)) return executor.transaction((trx) => appendMany(trx, entries));
    if (entries.length === 0) return [];
    const parsed = entries.map((e) => ({ actor: e.actor, event: auditEventSchema.parse(e.event), networkId: e.networkId ?? null }));
    const raw = await executor('audit_head').where({ id: 1 }).forUpdate().first();
    if (!raw)
      throw new Error('The audit_head row is missing: the audit log was altered. Nothing more is recorded until it is restored; run GET /audit/verify.');
    const head =
      raw.key_id === key.id
        ? { seq: Number(raw.seq), hash: String(raw.hash) }
        : await keyChain(executor, { seq: Number(raw.seq), hash: String(raw.hash), key_id: raw.key_id ?? null });
    return insertRows(executor, head, parsed);
  }

  async function append(executor: Executor, actor: string, event: AuditEvent, networkId: string | null = null): Promise<AuditRow> {
    return (await appendMany(executor, [{ actor, event, networkId }]))[0];
  }

  return {
    /** The evidence key (its derived MACs, never the secret), for sealing evidence packs. */
    key,

    append,

    appendMany,

    /**
     * Called by every process at start: keys a chain written before keying (once), and refuses to
     * run with another key than the chain's. The first statement writes, so concurrent starters
     * queue on the head row instead of racing.
     */
    async ensureKeyed(db: Knex): Promise<{ rekeyedRows: number }> {
      return db.transaction(async (trx) => {
        await trx('audit_head').where({ id: 1 }).update({ id: 1 });
        const raw = await trx('audit_head').where({ id: 1 }).forUpdate().first();
        if (raw.key_id === key.id) return { rekeyedRows: 0 };
        const before = Number(raw.seq);
        await keyChain(trx, { seq: before, hash: String(raw.hash), key_id: raw.key_id ?? null });
        return { rekeyedRows: before };
      });
    },

    async list(db: Executor, filter: { networkId?: string; limit?: number } = {}): Promise<AuditRow[]> {
      let q = db('audit_events').orderBy('seq', 'asc');
      if (filter.networkId) q = q.where({ network_id: filter.networkId });
      if (filter.limit) q = q.limit(filter.limit);
      const rows = await q;
      return rows.map(fromRow);
    },

    /**
     * The chain from a network's first event to the newest row, for its evidence pack. Checkpoints
     * are read before the rows (as in verify), so the rows always reach the checkpoint.
     */
    async segment(db: Knex, networkId: string): Promise<AuditSegment> {
      const authentic = checkpoints.readAll().checkpoints.filter((c) => checkpointIsAuthentic(key, c));
      const span = await db('audit_events').where({ network_id: networkId }).min({ first: 'seq' }).max({ last: 'seq' }).first();
      const fromSeq = span?.first == null ? Number((await db('audit_head').where({ id: 1 }).first())?.seq ?? 0) + 1 : Number(span.first);
      const lastOwn = span?.last == null ? fromSeq - 1 : Number(span.last);
      // the first checkpoint at or after the network's last event anchors all of its events, and
      // keeps the stretch (and the other networks' digests in it) no longer than needed
      let anchor: Checkpoint | null = null;
      for (const c of authentic) if (c.seq >= lastOwn && (!anchor || c.seq < anchor.seq)) anchor = c;
      anchor ??= latestAuthentic(authentic);
      let q = db('audit_events').where('seq', '>=', fromSeq).orderBy('seq', 'asc');
      if (anchor && anchor.seq >= lastOwn) q = q.where('seq', '<=', anchor.seq);
      const rows = (await q).map(fromRow);
      return {
        format: 'formwork-audit-segment/1',
        keyId: key.id,
        networkId,
        start: { seq: fromSeq, prevHash: rows[0]?.prevHash ?? GENESIS },
        rows: rows.map((r) => (r.networkId === networkId ? r : { seq: r.seq, digest: rowDigest(r), prevHash: r.prevHash, hash: r.hash })),
        checkpoint: anchor,
      };
    },

    /**
     * Re-computes the chain with the key and holds it against the head row and the checkpoints.
     * Checkpoints are read first and the rows after, in one snapshot: a checkpoint is written only
     * after its commit, so anything it names is visible to the later read, and an append racing
     * with this check cannot look like a deletion.
     */
    async verify(db: Knex): Promise<AuditVerifyReport> {
      const read = checkpoints.readAll();
      const snapshot = async (trx: Knex.Transaction) => ({
        head: await trx('audit_head').where({ id: 1 }).first(),
        rows: (await trx('audit_events').orderBy('seq', 'asc')).map(fromRow),
      });
      const { head, rows } =
        db.client.config.client === 'pg'
          ? await db.transaction(snapshot, { isolationLevel: 'repeatable read', readOnly: true })
          : await db.transaction(snapshot);
      const headRow = head ? { seq: Number(head.seq), hash: String(head.hash) } : { seq: -1, hash: '' };
      const problems: ChainProblem[] = [];
      if (!head) {
        problems.push({ code: 'head-mismatch', message: 'The audit_head row is missing: the head of the chain was deleted.' });
      } else if (head.key_id && head.key_id !== key.id) {
        problems.push({
          code: 'wrong-key',
          message: `The chain is written with evidence key ${head.key_id}; this server holds key ${key.id}, so it cannot check the links.`,
        });
      } else if (!head.key_id && rows.length > 0) {
        problems.push({ code: 'wrong-key', message: 'The chain has no key id: it was never keyed, or the key id was removed from the database.' });
      }
      const keyed = !head || head.key_id === key.id || (!head.key_id && rows.length === 0);
      const chain = keyed ? verifyLinks(key, rows, { prevHash: GENESIS, seq: 1 }) : { valid: false, checked: 0, problems: [] };
      problems.push(...chain.problems);
      const last = rows[rows.length - 1];
      if (head && ((last?.seq ?? 0) !== headRow.seq || (last?.hash ?? GENESIS) !== headRow.hash)) {
        problems.push({
          code: 'head-mismatch',
          seq: headRow.seq,
          message: `The head row says the chain ends at event ${headRow.seq} with another link than the table's last event (${last?.seq ?? 0}): the head or the newest events were altered.`,
        });
      }
      const bySeq = new Map(rows.map((r) => [r.seq, r.hash]));
      const anchored = compareCheckpoints(key, read, (seq) => bySeq.get(seq), last?.seq ?? 0);
      problems.push(...anchored.problems);
      if (!anchored.latest && rows.length > 0 && head?.key_id === key.id) {
        problems.push({
          code: 'no-checkpoint',
          message:
            'No checkpoint under this key was found in the checkpoint directory (EVIDENCE_CHECKPOINT_DIR), so deletion of the newest events cannot be ruled out.',
        });
      }
      return {
        valid: problems.length === 0,
        checked: chain.checked,
        ...(chain.firstBrokenSeq === undefined ? {} : { firstBrokenSeq: chain.firstBrokenSeq }),
        ...(problems.length ? { reason: problems[0].message } : {}),
        problems,
        keyId: key.id,
        head: headRow,
        checkpoint: anchored.latest ? { seq: anchored.latest.seq, hash: anchored.latest.hash, at: anchored.latest.at } : null,
      };
    },
  };

  function latestAuthentic(all: Checkpoint[]): Checkpoint | null {
    let latest: Checkpoint | null = null;
    for (const c of all) if (checkpointIsAuthentic(key, c) && (!latest || c.seq > latest.seq)) latest = c;
    return latest;
  }
}

/** Stored event data; text that is not JSON (a tampered row) is kept as it is, so its link fails instead of the read. */
function parseData(value: unknown): AuditEvent {
  try {
    return JSON.parse(String(value)) as AuditEvent;
  } catch {
    return String(value) as unknown as AuditEvent;
  }
}

function fromRow(r: Record<string, unknown>): AuditRow {
  return {
    seq: Number(r.seq),
    id: String(r.id),
    at: String(r.at),
    type: String(r.type),
    actor: String(r.actor),
    networkId: (r.network_id as string | null) ?? null,
    data: parseData(r.data),
    prevHash: String(r.prev_hash),
    hash: String(r.hash),
  };
}

export type AuditRepo = ReturnType<typeof createAuditRepo>;
