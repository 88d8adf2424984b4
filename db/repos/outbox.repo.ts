import { z } from 'zod';
import { rowOf } from './columns';
import { type Executor, insertRows, nowIso, readInChunks } from './executor';

export interface OutboxMessage {
  id: string;
  dedupeKey: string;
  to: string;
  subject: string;
  text: string;
  links: string[];
  networkId: string | null;
  createdAt: string;
  /** 'outbox' when only recorded (no SMTP configured), 'pending' awaiting SMTP, 'sent' or 'failed' */
  delivery: 'outbox' | 'pending' | 'sent' | 'failed';
  deliveredAt: string | null;
}

const linksSchema = z.array(z.string());

/** Every message the system sends, recorded before any delivery is attempted. */
export function createOutboxRepo() {
  return {
    async insertMany(db: Executor, messages: readonly Omit<OutboxMessage, 'createdAt' | 'deliveredAt'>[]): Promise<void> {
      const at = nowIso();
      await insertRows(
        db,
        'outbox',
        messages.map((m) => ({
          ...rowOf(m, ['id', 'dedupeKey', 'subject', 'text', 'networkId', 'delivery']),
          to_email: m.to,
          links: JSON.stringify(m.links),
          created_at: at,
        })),
      );
    },
    /** Which of these dedupe keys have a message already. */
    async usedDedupeKeys(db: Executor, keys: readonly string[]): Promise<Set<string>> {
      const rows = await readInChunks(keys, (chunk) => db('outbox').whereIn('dedupe_key', chunk).select('dedupe_key'));
      return new Set(rows.map((r) => String(r.dedupe_key)));
    },
    /** The messages of these dedupe keys that exist, in the order of the keys. */
    async byDedupeKeys(db: Executor, keys: readonly string[]): Promise<OutboxMessage[]> {
      const rows = await readInChunks(keys, (chunk) => db('outbox').whereIn('dedupe_key', chunk));
      const byKey = new Map(rows.map((r) => [String(r.dedupe_key), fromRow(r)]));
      return keys.flatMap((key) => byKey.get(key) ?? []);
    },
    async byDedupeKey(db: Executor, key: string): Promise<OutboxMessage | null> {
      const r = await db('outbox').where({ dedupe_key: key }).first();
      return r ? fromRow(r) : null;
    },
    async markDelivered(db: Executor, id: string): Promise<void> {
      await db('outbox').where({ id }).update({ delivery: 'sent', delivered_at: nowIso(), delivery_error: null });
    },
    async markFailed(db: Executor, id: string, error: string): Promise<void> {
      await db('outbox')
        .where({ id })
        .update({ delivery: 'failed', delivery_error: error.slice(0, 1000) });
    },
    /**
     * Messages newest first, to one address (`to`) or about one network (`networkId`) if asked. `within` keeps only messages about networks of these programmes or
     * these networks (messages about no network — invitations, sign-in links — are then left out).
     */
    async list(
      db: Executor,
      filter: { to?: string; networkId?: string; limit?: number; within?: { programmeIds: string[]; networkIds: string[] } } = {},
    ): Promise<OutboxMessage[]> {
      let q = db('outbox').orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ]);
      if (filter.to) q = q.where({ to_email: filter.to.toLowerCase() });
      if (filter.networkId) q = q.where({ network_id: filter.networkId });
      if (filter.within) {
        const { programmeIds, networkIds } = filter.within;
        q = q.where((w) => w.whereIn('network_id', db('networks').whereIn('programme_id', programmeIds).select('id')).orWhereIn('network_id', networkIds));
      }
      q = q.limit(filter.limit ?? 500);
      return (await q).map(fromRow);
    },
  };
}

function fromRow(r: Record<string, unknown>): OutboxMessage {
  return {
    id: String(r.id),
    dedupeKey: String(r.dedupe_key),
    to: String(r.to_email),
    subject: String(r.subject),
    text: String(r.text),
    links: linksSchema.parse(JSON.parse(String(r.links))),
    networkId: (r.network_id as string | null) ?? null,
    createdAt: String(r.created_at),
    delivery: r.delivery as OutboxMessage['delivery'],
    deliveredAt: (r.delivered_at as string | null) ?? null,
  };
}

export type OutboxRepo = ReturnType<typeof createOutboxRepo>;
