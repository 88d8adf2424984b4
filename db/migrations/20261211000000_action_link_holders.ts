import type { Knex } from 'knex';

/**
 * An action link is held by a practice person or, for `score` links, by a panel member, who belongs
 * to no practice: the link's kind says which table `person_id` names, so the foreign key to people
 * goes. SQLite rebuilds the table to drop it, which cannot happen inside a transaction with foreign
 * keys on, hence this migration runs on its own, outside one. Another migration may already have
 * dropped the same key for links of its own: then there is nothing to do.
 */
export const config = { transaction: false };

async function hasPeopleForeignKey(db: Knex): Promise<boolean> {
  if (db.client.config.client === 'pg') {
    const found = await db('information_schema.table_constraints').where({ table_name: 'action_tokens', constraint_type: 'FOREIGN KEY', constraint_name: 'action_tokens_person_id_foreign' }).first();
    return Boolean(found);
  }
  const keys = (await db.raw("select * from pragma_foreign_key_list('action_tokens')")) as { from: string }[];
  return keys.some((k) => k.from === 'person_id');
}

export async function up(db: Knex): Promise<void> {
  if (!(await hasPeopleForeignKey(db))) return;
  await db.schema.alterTable('action_tokens', (t) => {
    t.dropForeign(['person_id']);
  });
}

export async function down(db: Knex): Promise<void> {
  // links held by panel members cannot keep a foreign key to people
  const held = db('action_tokens').select('id').where({ kind: 'score' });
  await db('signing_codes').whereIn('token_id', held).delete();
  await db('action_tokens').where({ kind: 'score' }).delete();
  const strangers = await db('action_tokens').whereNotIn('person_id', db('people').select('id')).first();
  // with links of other people outside the practices still in place, the key stays off
  if ((await hasPeopleForeignKey(db)) || strangers) return;
  await db.schema.alterTable('action_tokens', (t) => {
    t.foreign('person_id').references('people.id');
  });
}
