import type { Knex } from 'knex';

/**
 * The stage read model carries what dashboards used to ask each formation workflow for: how the
 * stage's last round or vote ended, and the vote in progress. Indexes serve programme-wide reads.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('stages', (t) => {
    t.text('last_outcome');
    t.text('vote');
  });
  await db.schema.alterTable('networks', (t) => {
    t.index(['wave_id']);
    t.index(['programme_id']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('networks', (t) => {
    t.dropIndex(['programme_id']);
    t.dropIndex(['wave_id']);
  });
  await db.schema.alterTable('stages', (t) => {
    t.dropColumn('vote');
    t.dropColumn('last_outcome');
  });
}
