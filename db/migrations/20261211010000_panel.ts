import type { Knex } from 'knex';

/**
 * The wave panel (members, weighted criteria), each network's presentation to it (invitations and
 * exclusions, scores, outcome, conditions), the commissioner's readiness decisions, and a daily
 * snapshot of each network's readiness for the RAG-over-time chart.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('panels', (t) => {
    t.string('id', 64).primary();
    t.string('programme_id', 64).notNullable().references('programmes.id');
    t.string('wave_id', 64).notNullable().unique().references('waves.id');
    t.string('date', 10).notNullable();
    t.text('criteria').notNullable();
    t.string('created_at', 40).notNullable();
    t.string('updated_at', 40).notNullable();
  });
  await db.schema.createTable('panel_members', (t) => {
    t.string('id', 64).primary();
    t.string('panel_id', 64).notNullable().references('panels.id');
    t.string('name', 300).notNullable();
    t.string('email', 320).notNullable();
    t.string('organisation', 300).notNullable();
    t.boolean('external').notNullable();
    t.integer('position').notNullable();
    // a member taken off the panel keeps their row: their scores and links still name them
    t.string('removed_at', 40);
    t.unique(['panel_id', 'email']);
  });
  await db.schema.createTable('panel_presentations', (t) => {
    t.string('id', 64).primary();
    t.string('network_id', 64).notNullable().references('networks.id');
    t.string('wave_id', 64).notNullable().references('waves.id');
    t.string('panel_id', 64).references('panels.id');
    t.string('document_id', 64).references('documents.id');
    // the criteria as they stood when the pack went out: scores are judged against these
    t.text('criteria').notNullable();
    t.string('opened_at', 40).notNullable();
    t.string('outcome', 20);
    t.text('outcome_reason');
    t.string('outcome_by', 300);
    t.string('outcome_at', 40);
    t.string('to_wave_id', 64).references('waves.id');
    t.string('letter_document_id', 64).references('documents.id');
    t.unique(['network_id', 'wave_id']);
  });
  await db.schema.createTable('panel_invitations', (t) => {
    t.string('presentation_id', 64).notNullable().references('panel_presentations.id');
    t.string('member_id', 64).notNullable().references('panel_members.id');
    t.boolean('excluded').notNullable();
    t.text('reason');
    t.string('created_at', 40).notNullable();
    t.primary(['presentation_id', 'member_id']);
  });
  await db.schema.createTable('panel_scores', (t) => {
    t.string('id', 64).primary();
    t.string('presentation_id', 64).notNullable().references('panel_presentations.id');
    t.string('member_id', 64).notNullable().references('panel_members.id');
    t.string('network_id', 64).notNullable().references('networks.id');
    t.text('scores').notNullable();
    t.string('recommendation', 20).notNullable();
    t.text('conditions').notNullable();
    t.string('scored_at', 40).notNullable();
    // the workflow validator judges a repeat; this keeps a retried write from storing a second sheet
    t.unique(['presentation_id', 'member_id']);
    t.index(['network_id']);
  });
  await db.schema.createTable('panel_conditions', (t) => {
    t.string('presentation_id', 64).notNullable().references('panel_presentations.id');
    t.integer('n').notNullable();
    t.string('network_id', 64).notNullable().references('networks.id');
    t.text('text').notNullable();
    t.string('status', 20).notNullable();
    t.text('closed_note');
    t.string('evidence_document_id', 64).references('documents.id');
    t.string('closed_by', 300);
    t.string('closed_at', 40);
    t.primary(['presentation_id', 'n']);
    t.index(['network_id']);
  });
  await db.schema.createTable('readiness_decisions', (t) => {
    t.string('id', 64).primary();
    t.string('network_id', 64).notNullable().references('networks.id');
    t.string('decision', 20).notNullable();
    t.text('note').notNullable();
    t.string('decided_by', 300).notNullable();
    t.string('decided_at', 40).notNullable();
    t.index(['network_id', 'decided_at']);
  });
  await db.schema.createTable('readiness_snapshots', (t) => {
    t.string('network_id', 64).notNullable().references('networks.id');
    t.string('day', 10).notNullable();
    t.string('programme_id', 64).notNullable().references('programmes.id');
    t.string('wave_id', 64).notNullable().references('waves.id');
    t.string('rag', 10).notNullable();
    t.integer('stages_completed').notNullable();
    t.string('recorded_at', 40).notNullable();
    t.primary(['network_id', 'day']);
    t.index(['programme_id', 'day']);
  });
}

export async function down(db: Knex): Promise<void> {
  for (const table of [
    'readiness_snapshots',
    'readiness_decisions',
    'panel_conditions',
    'panel_scores',
    'panel_invitations',
    'panel_presentations',
    'panel_members',
    'panels',
  ]) {
    await db.schema.dropTableIfExists(table);
  }
}
