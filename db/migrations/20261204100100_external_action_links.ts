import type { Knex } from 'knex';

/**
 * An action link may be for someone outside the network's practices: the LMC officer, mediator or
 * arbitrator of a dispute step (kind `dispute-external`, person id in `dispute_externals`). So
 * `action_tokens.person_id` no longer references `people`; the link resolver looks the person up by
 * the link's kind.
 *
 * On SQLite dropping a foreign key rebuilds the table, which needs foreign-key checks off, and those
 * cannot be switched off inside a transaction: this migration runs outside one (knex wraps the
 * rebuild in its own transaction).
 */
export const config = { transaction: false };

export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('action_tokens', (t) => {
    t.dropForeign(['person_id']);
  });
}

export async function down(db: Knex): Promise<void> {
  // links of people outside the practices cannot reference `people`; they go first
  await db('signing_codes')
    .whereIn('token_id', db('action_tokens').select('id').where({ kind: 'dispute-external' }))
    .del();
  await db('action_tokens').where({ kind: 'dispute-external' }).del();
  await db.schema.alterTable('action_tokens', (t) => {
    t.foreign('person_id').references('people.id');
  });
}
