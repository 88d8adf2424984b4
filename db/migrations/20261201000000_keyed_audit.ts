import type { Knex } from 'knex';

/**
 * The audit chain becomes keyed (HMAC-SHA-256 under the evidence key, which never enters the
 * database). `key_id` records which key the chain is written with: null until the first process
 * holding a key re-keys the rows written before this migration (db/repos/audit.repo.ts,
 * `ensureKeyed`), which it does once and records with an `audit.rekeyed` event.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('audit_head', (t) => {
    t.string('key_id', 64).nullable();
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('audit_head', (t) => {
    t.dropColumn('key_id');
  });
}
