import type { Knex } from 'knex';

/**
 * Dispute cases and the risk and issue log (DOMAIN.md §3.5, §6). `disputes` is the read model the
 * registers read (written by each case's workflow as it changes); `dispute_events` is a case's
 * history, one row per event, numbered by the workflow so a retried write is recorded once.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('dispute_procedures', (t) => {
    t.string('network_id', 64).primary().references('networks.id');
    // the dispute-resolution template's options: the ladder's limits and the LMC's name
    t.text('options').notNullable();
    t.string('adopted_on', 10).notNullable();
    t.string('recorded_by', 300).notNullable();
    t.string('updated_at', 40).notNullable();
  });
  await db.schema.createTable('disputes', (t) => {
    t.string('id', 64).primary();
    t.string('workflow_id', 300).notNullable().unique();
    t.string('network_id', 64).notNullable().references('networks.id');
    t.string('programme_id', 64).notNullable().references('programmes.id');
    t.string('title', 300).notNullable();
    t.text('summary').notNullable();
    t.text('parties').notNullable();
    t.string('stage_key', 60);
    t.text('ladder').notNullable();
    t.string('status', 20).notNullable();
    t.integer('step_number').notNullable();
    t.string('step_started_on', 10).notNullable();
    t.string('step_due_on', 10);
    t.string('limit_unit', 20);
    t.string('clock', 10).notNullable();
    t.integer('paused_days_left');
    t.boolean('settling').notNullable().defaultTo(false);
    t.integer('breaches').notNullable().defaultTo(0);
    t.string('opened_by', 300).notNullable();
    t.string('opened_at', 40).notNullable();
    t.string('closed_on', 10);
    t.string('from_issue_id', 64);
    t.string('settlement_document_id', 64);
    // the number of the last event whose state is written here: a late write of an older one is ignored
    t.integer('last_seq').notNullable().defaultTo(0);
    t.index(['network_id']);
    t.index(['programme_id']);
  });
  await db.schema.createTable('dispute_events', (t) => {
    t.string('id', 64).primary();
    t.string('dispute_id', 64).notNullable().references('disputes.id');
    t.integer('seq').notNullable();
    t.string('at', 40).notNullable();
    t.string('type', 40).notNullable();
    t.string('actor', 300).notNullable();
    t.text('text').notNullable();
    t.integer('step_number').notNullable();
    t.text('data').notNullable();
    t.unique(['dispute_id', 'seq']);
  });
  await db.schema.createTable('dispute_externals', (t) => {
    t.string('id', 64).primary();
    t.string('dispute_id', 64).notNullable().references('disputes.id');
    t.integer('step_number').notNullable();
    t.string('role', 30).notNullable();
    t.string('name', 300).notNullable();
    t.string('email', 320).notNullable();
    t.string('organisation', 300).notNullable();
    t.string('appointed_by', 300).notNullable();
    t.string('appointed_at', 40).notNullable();
    t.index(['dispute_id']);
  });
  await db.schema.createTable('risks', (t) => {
    t.string('id', 64).primary();
    t.string('network_id', 64).notNullable().references('networks.id');
    t.string('title', 300).notNullable();
    t.text('cause').notNullable();
    t.text('impact').notNullable();
    t.integer('likelihood').notNullable();
    t.integer('impact_score').notNullable();
    t.integer('score').notNullable();
    t.string('owner_person_id', 64).notNullable().references('people.id');
    t.text('mitigation').notNullable();
    t.string('status', 20).notNullable();
    t.string('review_on', 10).notNullable();
    t.string('created_by', 300).notNullable();
    t.string('created_at', 40).notNullable();
    t.string('updated_at', 40).notNullable();
    t.index(['network_id']);
  });
  await db.schema.createTable('issues', (t) => {
    t.string('id', 64).primary();
    t.string('network_id', 64).notNullable().references('networks.id');
    t.string('title', 300).notNullable();
    t.text('description').notNullable();
    t.string('raised_on', 10).notNullable();
    t.string('owner_person_id', 64).notNullable().references('people.id');
    t.text('action').notNullable();
    t.string('due_on', 10).notNullable();
    t.string('risk_id', 64).references('risks.id');
    t.string('status', 20).notNullable();
    t.string('dispute_id', 64);
    t.string('created_by', 300).notNullable();
    t.string('created_at', 40).notNullable();
    t.string('updated_at', 40).notNullable();
    t.index(['network_id']);
  });
  // what happened to a risk or an issue, in order: an issue escalated into a case takes this with it
  await db.schema.createTable('risk_log_events', (t) => {
    t.string('id', 64).primary();
    t.string('network_id', 64).notNullable().references('networks.id');
    t.string('subject_kind', 10).notNullable();
    t.string('subject_id', 64).notNullable();
    t.string('at', 40).notNullable();
    t.string('actor', 300).notNullable();
    t.string('type', 40).notNullable();
    t.text('text').notNullable();
    t.index(['subject_id']);
  });
}

export async function down(db: Knex): Promise<void> {
  for (const table of ['risk_log_events', 'issues', 'risks', 'dispute_externals', 'dispute_events', 'disputes', 'dispute_procedures']) {
    await db.schema.dropTableIfExists(table);
  }
}
