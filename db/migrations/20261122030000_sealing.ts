import type { Knex } from 'knex';

/**
 * Sealed PDFs of completed sign-offs: the agreed document plus its certificate of completion, one per
 * round. The sealed SHA-256 is unique because POST /documents/verify finds a PDF by it.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('sealed_documents', (t) => {
    t.string('id', 64).primary();
    t.string('signoff_id', 64).notNullable().unique().references('signoffs.id');
    t.string('document_id', 64).notNullable().references('documents.id');
    t.integer('version').notNullable();
    t.string('agreed_sha256', 64).notNullable();
    t.string('sealed_sha256', 64).notNullable().unique();
    t.binary('pdf').notNullable();
    t.text('manifest').notNullable();
    t.string('created_at', 40).notNullable();
    t.index(['document_id', 'version']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTableIfExists('sealed_documents');
}
