import crypto from 'node:crypto';
import { auditEventSchema, type AuditEvent } from '../../domain/audit-events';
import { type Executor, nowIso } from './executor';

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

/** The hash of one link: the previous hash plus a canonical serialisation of the row. */
export function linkHash(prevHash: string, row: { seq: number; id: string; at: string; actor: string; networkId: string | null; data: AuditEvent }): string {
  const canonical = JSON.stringify([row.seq, row.id, row.at, row.actor, row.networkId, sortKeys(row.data)]);
  return crypto.createHash('sha256').update(prevHash).update('\n').update(canonical).digest('hex');
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value as object).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
  }
  return value;
}

/**
 * The append-only, hash-chained audit log. Appends must run inside the caller's transaction so an
 * event is written together with the change it records; the head row serialises appenders.
 */
export function createAuditRepo() {
  return {
    async append(trx: Executor, actor: string, event: AuditEvent, networkId: string | null = null): Promise<AuditRow> {
      const data = auditEventSchema.parse(event);
      const head = await trx('audit_head').where({ id: 1 }).forUpdate().first();
      const seq = Number(head.seq) + 1;
      const row = { seq, id: crypto.randomUUID(), at: nowIso(), actor, networkId, data };
      const hash = linkHash(head.hash, row);
      await trx('audit_events').insert({
        seq,
        id: row.id,
        at: row.at,
        type: data.type,
        actor,
        network_id: networkId,
        data: JSON.stringify(data),
        prev_hash: head.hash,
        hash,
      });
      await trx('audit_head').where({ id: 1 }).update({ seq, hash });
      return { ...row, type: data.type, prevHash: head.hash, hash };
    },

    async list(db: Executor, filter: { networkId?: string; limit?: number } = {}): Promise<AuditRow[]> {
      let q = db('audit_events').orderBy('seq', 'asc');
      if (filter.networkId) q = q.where({ network_id: filter.networkId });
      if (filter.limit) q = q.limit(filter.limit);
      const rows = await q;
      return rows.map(fromRow);
    },

    /** Re-computes the chain; returns the first broken link, if any. */
    async verify(db: Executor): Promise<{ valid: boolean; checked: number; firstBrokenSeq?: number }> {
      const rows = await db('audit_events').orderBy('seq', 'asc');
      let prev = '0'.repeat(64);
      let expectedSeq = 1;
      for (const raw of rows) {
        const row = fromRow(raw);
        if (row.seq !== expectedSeq || row.prevHash !== prev || linkHash(prev, row) !== row.hash) {
          return { valid: false, checked: expectedSeq - 1, firstBrokenSeq: row.seq };
        }
        prev = row.hash;
        expectedSeq += 1;
      }
      return { valid: true, checked: rows.length };
    },
  };
}

function fromRow(r: Record<string, unknown>): AuditRow {
  return {
    seq: Number(r.seq),
    id: String(r.id),
    at: String(r.at),
    type: String(r.type),
    actor: String(r.actor),
    networkId: (r.network_id as string | null) ?? null,
    data: JSON.parse(String(r.data)) as AuditEvent,
    prevHash: String(r.prev_hash),
    hash: String(r.hash),
  };
}

export type AuditRepo = ReturnType<typeof createAuditRepo>;
