import type { Knex } from 'knex';

/**
 * The outbox by network, newest first (`GET /outbox?networkId=`, the network's messages page): the
 * outbox had indexes by address and by time only, so Postgres read every message (a sequential
 * scan, or the time index backwards, skipping other networks' messages). A formation writes about
 * 130 messages a network, some 160,000 rows at national volume; one composite index in the order
 * of the query finds a network's newest directly.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('outbox', (t) => {
    t.index(['network_id', 'created_at', 'id']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('outbox', (t) => {
    t.dropIndex(['network_id', 'created_at', 'id']);
  });
}
