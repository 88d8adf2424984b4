import type { Knex } from 'knex';

/**
 * Why a panel's outcome letter could not be sent, and when: the letter is rendered and sent after
 * the facilitator is answered, so a letter that fails (a template that cannot take the outcome's
 * words, a render that keeps failing) must say so on the panel view, where it can be sent again.
 * Cleared when a new attempt starts; a sent letter has `letter_document_id` instead.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('panel_presentations', (t) => {
    t.text('letter_error');
    t.string('letter_failed_at', 32);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('panel_presentations', (t) => {
    t.dropColumn('letter_error');
    t.dropColumn('letter_failed_at');
  });
}
