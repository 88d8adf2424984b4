import type { Knex } from 'knex';

/**
 * An action link is held by a practice person or, for `score` links, by a panel member, who belongs
 * to no practice: the link's kind says which table `person_id` names, so the foreign key to people
 * goes. SQLite rebuilds the table to drop it, which cannot happen inside a transaction with foreign
 * keys on, hence this migration runs on its own, outside one.
 */
export const config = { transaction: false };

export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('action_tokens', (t) => {
    t.dropForeign(['person_id']);
  });
}

export async function down(db: Knex): Promise<void> {
  // links held by anyone but a practice person cannot keep a foreign key to people
  await db('action_tokens').whereNotIn('person_id', db('people').select('id')).delete();
  await db.schema.alterTable('action_tokens', (t) => {
    t.foreign('person_id').references('people.id');
  });
}
