import type { Knex } from 'knex';

/**
 * Indexes for the signing path, checked with EXPLAIN on Postgres at national volume (1,250
 * networks: 270,000 action links, 22,500 signatures):
 *
 * - `signatures.document_id`: a document's signatures (GET /documents/:id) were a sequential scan
 *   of every signature; Postgres does not index a foreign key by itself.
 * - `action_tokens (subject_id, person_id)`: marking a signer's links used matched two single-column
 *   indexes and intersected them; one composite index finds the rows directly, and serves the
 *   lookups by subject alone (extending a round), so it replaces the index on `subject_id`.
 *
 * Everything else on the path already uses an index: requests and signatures by (signoff, person),
 * links by token hash and by person, the outbox by dedupe key.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('signatures', (t) => {
    t.index(['document_id']);
  });
  await db.schema.alterTable('action_tokens', (t) => {
    t.index(['subject_id', 'person_id']);
    t.dropIndex(['subject_id']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('action_tokens', (t) => {
    t.index(['subject_id']);
    t.dropIndex(['subject_id', 'person_id']);
  });
  await db.schema.alterTable('signatures', (t) => {
    t.dropIndex(['document_id']);
  });
}
