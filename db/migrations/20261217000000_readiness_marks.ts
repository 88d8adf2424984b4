import type { Knex } from 'knex';

/**
 * Every network carries `readiness_rev`, a number the database raises whenever anything the
 * commissioners' readiness row of that network is built from changes: its practices, stages, rounds
 * and their signatures, sealed copies, panel presentations and conditions, readiness decisions and
 * dispute cases. A server keeps each network's row with the number it was built at and rebuilds only
 * the networks whose number moved, so a dashboard of 1,250 networks reads the few that changed
 * rather than all of them.
 *
 * Triggers raise it, so no writer (a workflow's activity, a service, a script) can forget to. A
 * migration that rebuilds one of these tables on SQLite (knex copies the table to drop a column or
 * a foreign key) drops its triggers: create them again (`createReadinessTriggers`) in the same
 * migration. A test checks every watched table has them after all migrations.
 */

/** The tables a readiness row is built from, and how a row of each names its network. */
export const READINESS_SOURCES: readonly { table: string; network: 'network_id' | 'signoff_id' }[] = [
  { table: 'practices', network: 'network_id' },
  { table: 'stages', network: 'network_id' },
  { table: 'signoffs', network: 'network_id' },
  { table: 'signatures', network: 'signoff_id' },
  { table: 'sealed_documents', network: 'signoff_id' },
  { table: 'panel_presentations', network: 'network_id' },
  { table: 'panel_conditions', network: 'network_id' },
  { table: 'readiness_decisions', network: 'network_id' },
  { table: 'disputes', network: 'network_id' },
];

const EVENTS = ['insert', 'update', 'delete'] as const;

export const triggerName = (table: string, event: (typeof EVENTS)[number]) => `${table}_readiness_${event}`;

/** The network a row (NEW or OLD) belongs to, as an SQL expression. */
function networkOf(row: 'NEW' | 'OLD', via: 'network_id' | 'signoff_id'): string {
  return via === 'network_id' ? `${row}.network_id` : `(SELECT network_id FROM signoffs WHERE id = ${row}.signoff_id)`;
}

/** The triggers that raise a network's number on every insert, update and delete of `source.table`. */
export async function createReadinessTriggers(db: Knex, source: (typeof READINESS_SOURCES)[number]): Promise<void> {
  const { table } = source;
  const bump = (where: string) => `UPDATE networks SET readiness_rev = readiness_rev + 1 WHERE id ${where}`;
  const newNetwork = networkOf('NEW', source.network);
  const oldNetwork = networkOf('OLD', source.network);
  if (db.client.config.client === 'pg') {
    // one function per way of naming the network; a row moved to another network raises both
    const fn = `readiness_touch_by_${source.network}`;
    for (const event of EVENTS)
      await db.raw(`CREATE TRIGGER ${triggerName(table, event)} AFTER ${event.toUpperCase()} ON ${table} FOR EACH ROW EXECUTE FUNCTION ${fn}()`);
    return;
  }
  await db.raw(`CREATE TRIGGER ${triggerName(table, 'insert')} AFTER INSERT ON ${table} BEGIN ${bump(`= ${newNetwork}`)}; END`);
  await db.raw(`CREATE TRIGGER ${triggerName(table, 'update')} AFTER UPDATE ON ${table} BEGIN ${bump(`IN (${oldNetwork}, ${newNetwork})`)}; END`);
  await db.raw(`CREATE TRIGGER ${triggerName(table, 'delete')} AFTER DELETE ON ${table} BEGIN ${bump(`= ${oldNetwork}`)}; END`);
}

async function createPgFunctions(db: Knex): Promise<void> {
  for (const via of ['network_id', 'signoff_id'] as const) {
    await db.raw(`
      CREATE OR REPLACE FUNCTION readiness_touch_by_${via}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP <> 'INSERT' THEN
          UPDATE networks SET readiness_rev = readiness_rev + 1 WHERE id = ${networkOf('OLD', via)};
        END IF;
        IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.${via} IS DISTINCT FROM OLD.${via}) THEN
          UPDATE networks SET readiness_rev = readiness_rev + 1 WHERE id = ${networkOf('NEW', via)};
        END IF;
        RETURN NULL;
      END $$`);
  }
}

export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('networks', (t) => {
    t.integer('readiness_rev').notNullable().defaultTo(0);
  });
  if (db.client.config.client === 'pg') await createPgFunctions(db);
  for (const source of READINESS_SOURCES) await createReadinessTriggers(db, source);
}

export async function down(db: Knex): Promise<void> {
  const pg = db.client.config.client === 'pg';
  for (const { table } of READINESS_SOURCES)
    for (const event of EVENTS) await db.raw(`DROP TRIGGER IF EXISTS ${triggerName(table, event)}${pg ? ` ON ${table}` : ''}`);
  if (pg) for (const via of ['network_id', 'signoff_id']) await db.raw(`DROP FUNCTION IF EXISTS readiness_touch_by_${via}()`);
  // both databases drop a column in place (knex would rebuild the SQLite table others refer to)
  await db.raw('ALTER TABLE networks DROP COLUMN readiness_rev');
}
