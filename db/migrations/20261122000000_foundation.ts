import type { Knex } from 'knex';

/**
 * The foundation schema. Times are ISO-8601 UTC strings and JSON is stored as text so that the
 * same queries behave identically on SQLite and Postgres.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('programmes', (t) => {
    t.string('id', 64).primary();
    t.string('name', 300).notNullable();
    t.string('sponsor', 300).notNullable();
    t.integer('min_list_size').notNullable();
    t.integer('max_list_size').notNullable();
    // a one-time code by email as a second factor when signing
    t.boolean('signing_code_by_email').notNullable().defaultTo(false);
    // stages decided by vote (then signatures where the stage needs them), rather than signatures alone
    t.boolean('decide_stages_by_vote').notNullable().defaultTo(false);
    t.integer('vote_window_days').notNullable().defaultTo(14);
    t.string('created_at', 40).notNullable();
  });
  await db.schema.createTable('waves', (t) => {
    t.string('id', 64).primary();
    t.string('programme_id', 64).notNullable().references('programmes.id');
    t.integer('number').notNullable();
    t.string('panel_date', 10).notNullable();
    t.string('created_at', 40).notNullable();
    t.unique(['programme_id', 'number']);
  });
  await db.schema.createTable('networks', (t) => {
    t.string('id', 64).primary();
    t.string('programme_id', 64).notNullable().references('programmes.id');
    t.string('wave_id', 64).notNullable().references('waves.id');
    t.string('name', 300).notNullable();
    t.string('formation_status', 30).notNullable().defaultTo('not-started');
    t.string('current_stage', 60);
    t.string('created_at', 40).notNullable();
    t.unique(['programme_id', 'name']);
  });
  await db.schema.createTable('practices', (t) => {
    t.string('id', 64).primary();
    t.string('network_id', 64).notNullable().references('networks.id');
    t.string('name', 300).notNullable();
    t.string('ods_code', 10).notNullable();
    t.integer('list_size').notNullable();
    t.unique(['network_id', 'ods_code']);
  });
  await db.schema.createTable('people', (t) => {
    t.string('id', 64).primary();
    t.string('practice_id', 64).notNullable().references('practices.id');
    t.string('name', 300).notNullable();
    t.string('email', 320).notNullable();
    t.text('roles').notNullable();
    t.unique(['practice_id', 'email']);
    t.index(['email']);
  });
  await db.schema.createTable('stages', (t) => {
    t.string('network_id', 64).notNullable().references('networks.id');
    t.string('stage_key', 60).notNullable();
    t.integer('position').notNullable();
    t.string('status', 30).notNullable();
    t.text('data');
    t.integer('data_revision').notNullable().defaultTo(0);
    t.string('updated_at', 40).notNullable();
    t.primary(['network_id', 'stage_key']);
  });
  await db.schema.createTable('documents', (t) => {
    t.string('id', 64).primary();
    t.string('network_id', 64).notNullable().references('networks.id');
    t.string('stage_key', 60);
    t.string('type', 60).notNullable();
    t.integer('version').notNullable();
    t.string('title', 300).notNullable();
    t.string('status', 30).notNullable();
    t.string('template_version', 120).notNullable();
    t.string('sha256_pdf', 64).notNullable();
    t.string('sha256_docx', 64).notNullable();
    t.binary('pdf').notNullable();
    t.binary('docx').notNullable();
    t.text('markdown').notNullable();
    t.text('html').notNullable();
    t.string('idempotency_key', 300).notNullable().unique();
    t.string('created_at', 40).notNullable();
    t.unique(['network_id', 'type', 'version']);
  });
  await db.schema.createTable('signoffs', (t) => {
    t.string('id', 64).primary();
    t.string('workflow_id', 300).notNullable().unique();
    t.string('network_id', 64).notNullable().references('networks.id');
    t.string('stage_key', 60).notNullable();
    t.string('document_id', 64).notNullable().references('documents.id');
    t.integer('document_version').notNullable();
    t.string('status', 30).notNullable();
    t.text('rule').notNullable();
    t.text('slots').notNullable();
    t.string('expires_at', 40);
    t.string('created_at', 40).notNullable();
    t.string('completed_at', 40);
    t.index(['network_id', 'stage_key']);
  });
  await db.schema.createTable('signature_requests', (t) => {
    t.string('id', 64).primary();
    t.string('signoff_id', 64).notNullable().references('signoffs.id');
    t.string('person_id', 64).notNullable().references('people.id');
    t.string('practice_id', 64).notNullable().references('practices.id');
    t.string('status', 30).notNullable();
    t.string('created_at', 40).notNullable();
    t.string('updated_at', 40).notNullable();
    t.unique(['signoff_id', 'person_id']);
  });
  await db.schema.createTable('signatures', (t) => {
    t.string('id', 64).primary();
    t.string('signoff_id', 64).notNullable().references('signoffs.id');
    t.string('document_id', 64).notNullable().references('documents.id');
    t.integer('document_version').notNullable();
    t.string('document_sha256', 64).notNullable();
    t.string('person_id', 64).notNullable().references('people.id');
    t.string('practice_id', 64).notNullable().references('practices.id');
    t.string('typed_name', 300).notNullable();
    t.string('capacity', 200).notNullable();
    t.text('slot_ids').notNullable();
    t.string('consent_version', 30).notNullable();
    t.string('method', 60).notNullable();
    t.string('ip', 64);
    t.string('user_agent', 500);
    t.string('signed_at', 40).notNullable();
    // never two signatures from one person in a round; which slots a signature fills is decided by
    // the workflow, which serialises signatures of the same round
    t.unique(['signoff_id', 'person_id']);
  });
  await db.schema.createTable('declines', (t) => {
    t.string('id', 64).primary();
    t.string('signoff_id', 64).notNullable().references('signoffs.id');
    t.string('person_id', 64).notNullable().references('people.id');
    t.text('reason').notNullable();
    t.string('declined_at', 40).notNullable();
    t.unique(['signoff_id', 'person_id']);
  });
  await db.schema.createTable('outbox', (t) => {
    t.string('id', 64).primary();
    t.string('dedupe_key', 300).notNullable().unique();
    t.string('to_email', 320).notNullable();
    t.string('subject', 500).notNullable();
    t.text('text').notNullable();
    t.text('links').notNullable();
    t.string('network_id', 64);
    t.string('created_at', 40).notNullable();
    t.string('delivery', 20).notNullable();
    t.string('delivered_at', 40);
    t.text('delivery_error');
    t.index(['to_email']);
    t.index(['created_at']);
  });
  await db.schema.createTable('api_tokens', (t) => {
    t.string('id', 64).primary();
    t.string('token_hash', 64).notNullable().unique();
    t.string('name', 300).notNullable();
    t.string('role', 30).notNullable();
    t.string('email', 320);
    t.string('created_at', 40).notNullable();
    t.string('expires_at', 40);
    t.string('revoked_at', 40);
  });
  await db.schema.createTable('action_tokens', (t) => {
    t.string('id', 64).primary();
    t.string('token_hash', 64).notNullable().unique();
    t.string('kind', 30).notNullable();
    t.string('person_id', 64).notNullable().references('people.id');
    t.string('subject_id', 64).notNullable();
    t.string('document_id', 64);
    t.integer('document_version');
    t.string('workflow_id', 300).notNullable();
    t.string('created_at', 40).notNullable();
    t.string('expires_at', 40).notNullable();
    t.string('used_at', 40);
    t.string('viewed_at', 40);
    t.index(['person_id']);
    t.index(['subject_id']);
  });
  await db.schema.createTable('audit_events', (t) => {
    t.integer('seq').primary();
    t.string('id', 64).notNullable().unique();
    t.string('at', 40).notNullable();
    t.string('type', 80).notNullable();
    t.string('actor', 300).notNullable();
    t.string('network_id', 64);
    t.text('data').notNullable();
    t.string('prev_hash', 64).notNullable();
    t.string('hash', 64).notNullable();
    t.index(['network_id']);
  });
  await db.schema.createTable('template_overrides', (t) => {
    t.string('id', 64).primary();
    t.string('programme_id', 64).notNullable().references('programmes.id');
    t.string('document_type', 60).notNullable();
    t.integer('version').notNullable();
    t.text('source').notNullable();
    t.string('created_by', 300).notNullable();
    t.string('created_at', 40).notNullable();
    t.unique(['programme_id', 'document_type', 'version']);
  });
  await db.schema.createTable('signing_codes', (t) => {
    t.string('id', 64).primary();
    t.string('token_id', 64).notNullable().references('action_tokens.id');
    t.string('code_hash', 64).notNullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.string('created_at', 40).notNullable();
    t.string('expires_at', 40).notNullable();
    t.string('used_at', 40);
    t.index(['token_id']);
  });
  // a single row that serialises appends to the chain (locked FOR UPDATE on Postgres)
  await db.schema.createTable('audit_head', (t) => {
    t.integer('id').primary();
    t.integer('seq').notNullable();
    t.string('hash', 64).notNullable();
  });
  await db('audit_head').insert({ id: 1, seq: 0, hash: '0'.repeat(64) });
}

export async function down(db: Knex): Promise<void> {
  for (const table of [
    'audit_head',
    'audit_events',
    'signing_codes',
    'template_overrides',
    'action_tokens',
    'api_tokens',
    'outbox',
    'declines',
    'signatures',
    'signature_requests',
    'signoffs',
    'documents',
    'stages',
    'people',
    'practices',
    'networks',
    'waves',
    'programmes',
  ]) {
    await db.schema.dropTableIfExists(table);
  }
}
