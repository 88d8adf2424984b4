import type { Knex } from 'knex';
import * as m20261122000000 from './20261122000000_foundation';
import * as m20261122020000 from './20261122020000_votes';
import * as m20261122030000 from './20261122030000_sealing';
import * as m20261202000000 from './20261202000000_stage_read_model';
import * as m20261201000000 from './20261201000000_keyed_audit';
import * as m20261204100000 from './20261204100000_disputes';
import * as m20261204100100 from './20261204100100_external_action_links';
import * as m20261206000000 from './20261206000000_signing_indexes';
import * as m20261210000000 from './20261210000000_people_and_access';
import * as m20261211010000 from './20261211010000_panel';
import * as m20261215000000 from './20261215000000_console_setup';
import * as m20261216000000 from './20261216000000_outbox_by_network';
import * as m20261217000000 from './20261217000000_readiness_marks';
import * as m20261218000000 from './20261218000000_panel_letter_failure';

/**
 * Migrations are listed here rather than discovered on disk, so they load the same way under
 * tsx, vitest and a compiled build. Append new ones; never edit one that has landed.
 */
const migrations: Record<string, { up(db: Knex): Promise<void>; down(db: Knex): Promise<void>; config?: { transaction?: boolean } }> = {
  '20261122000000_foundation': m20261122000000,
  '20261122020000_votes': m20261122020000,
  '20261122030000_sealing': m20261122030000,
  '20261202000000_stage_read_model': m20261202000000,
  '20261201000000_keyed_audit': m20261201000000,
  '20261204100000_disputes': m20261204100000,
  '20261204100100_external_action_links': m20261204100100,
  '20261206000000_signing_indexes': m20261206000000,
  '20261210000000_people_and_access': m20261210000000,
  '20261211010000_panel': m20261211010000,
  '20261215000000_console_setup': m20261215000000,
  '20261216000000_outbox_by_network': m20261216000000,
  '20261217000000_readiness_marks': m20261217000000,
  '20261218000000_panel_letter_failure': m20261218000000,
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations).sort(),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name],
};
