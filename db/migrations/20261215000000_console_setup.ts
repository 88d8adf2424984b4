import type { Knex } from 'knex';

/**
 * What the staff console's set-up pages need:
 * - `staged_uploads`: a CSV of networks or a template version parsed and checked but not yet
 *   confirmed, kept server-side under a random id for the person who uploaded it (nothing of the
 *   programme is written until they confirm; a staged upload lasts 30 minutes and is used once);
 * - `template_overrides.builtin`: a row that puts a programme back on the built-in template, kept
 *   in the version history rather than deleting the versions documents name;
 * - `people.removed_at`: a person taken off a practice keeps their row, because signatures,
 *   ballots and links of earlier rounds name it.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('staged_uploads', (t) => {
    t.string('id', 64).primary();
    t.string('kind', 30).notNullable();
    t.string('programme_id', 64).notNullable().references('programmes.id');
    t.string('person_id', 64).notNullable().references('persons.id');
    t.text('payload').notNullable();
    t.string('created_at', 40).notNullable();
    t.string('expires_at', 40).notNullable();
    t.index(['expires_at']);
  });
  await db.schema.alterTable('template_overrides', (t) => {
    t.boolean('builtin').notNullable().defaultTo(false);
  });
  await db.schema.alterTable('people', (t) => {
    t.string('removed_at', 40);
  });
}

export async function down(db: Knex): Promise<void> {
  // natively on SQLite too: rebuilding `people` would trip the foreign keys that point at it
  await db.raw('alter table people drop column removed_at');
  await db.raw('alter table template_overrides drop column builtin');
  await db.schema.dropTable('staged_uploads');
}
