import type { Knex } from 'knex';

/**
 * Motions, elections and the appointments elections produce.
 *
 * Secret ballots are kept apart from who voted: `motion_turnout` says which practice voted and
 * holds no choice; `motion_ballots` holds a choice and the hash of a receipt code and, for a secret
 * ballot, no voter. Neither table has a timestamp or an autoincrementing key, so rows cannot be
 * joined by time or order: keys are random, and on SQLite both tables are WITHOUT ROWID, so they are
 * stored in key order rather than insertion order. (Postgres heap order is reshuffled at close; see
 * votes.repo.ts.) The same holds for `election_turnout` and `election_ballots`.
 */
const SECRET_PAIRS: { table: string; sqlite: string; build: (t: Knex.CreateTableBuilder) => void }[] = [
  {
    table: 'motion_turnout',
    sqlite: `create table motion_turnout (
      motion_id varchar(64) not null references motions(id),
      voter_id varchar(64) not null,
      cast_by varchar(64) not null,
      by_proxy boolean not null,
      primary key (motion_id, voter_id)
    ) without rowid`,
    build: (t) => {
      t.string('motion_id', 64).notNullable().references('motions.id');
      t.string('voter_id', 64).notNullable();
      t.string('cast_by', 64).notNullable();
      t.boolean('by_proxy').notNullable();
      t.primary(['motion_id', 'voter_id']);
    },
  },
  {
    table: 'motion_ballots',
    sqlite: `create table motion_ballots (
      id varchar(64) not null primary key,
      motion_id varchar(64) not null references motions(id),
      choice varchar(10) not null,
      weight_partners integer not null,
      weight_list integer not null,
      receipt_hash varchar(64) not null unique,
      voter_id varchar(64)
    ) without rowid`,
    build: (t) => {
      t.string('id', 64).primary();
      t.string('motion_id', 64).notNullable().references('motions.id');
      t.string('choice', 10).notNullable();
      t.integer('weight_partners').notNullable();
      t.integer('weight_list').notNullable();
      t.string('receipt_hash', 64).notNullable().unique();
      t.string('voter_id', 64);
    },
  },
  {
    table: 'election_turnout',
    sqlite: `create table election_turnout (
      election_id varchar(64) not null references elections(id),
      voter_id varchar(64) not null,
      primary key (election_id, voter_id)
    ) without rowid`,
    build: (t) => {
      t.string('election_id', 64).notNullable().references('elections.id');
      t.string('voter_id', 64).notNullable();
      t.primary(['election_id', 'voter_id']);
    },
  },
  {
    table: 'election_ballots',
    sqlite: `create table election_ballots (
      id varchar(64) not null primary key,
      election_id varchar(64) not null references elections(id),
      constituency varchar(200) not null,
      preferences text not null,
      receipt_hash varchar(64) not null unique
    ) without rowid`,
    build: (t) => {
      t.string('id', 64).primary();
      t.string('election_id', 64).notNullable().references('elections.id');
      t.string('constituency', 200).notNullable();
      t.text('preferences').notNullable();
      t.string('receipt_hash', 64).notNullable().unique();
    },
  },
];

export async function up(db: Knex): Promise<void> {
  const sqlite = db.client.config.client !== 'pg';
  await db.schema.createTable('voting_rule_overrides', (t) => {
    t.string('network_id', 64).notNullable().references('networks.id');
    t.string('decision_type', 40).notNullable();
    t.text('rule').notNullable();
    t.string('version', 80).notNullable();
    t.string('set_by', 300).notNullable();
    t.string('updated_at', 40).notNullable();
    t.primary(['network_id', 'decision_type']);
  });
  await db.schema.createTable('motions', (t) => {
    t.string('id', 64).primary();
    t.string('workflow_id', 300).notNullable().unique();
    t.string('network_id', 64).notNullable().references('networks.id');
    t.string('title', 300).notNullable();
    t.text('text').notNullable();
    t.string('decision_type', 40).notNullable();
    t.string('document_id', 64);
    t.string('subject_practice_id', 64);
    t.text('rule').notNullable();
    t.string('rule_version', 80).notNullable();
    t.text('electorate').notNullable();
    t.string('status', 20).notNullable();
    t.string('opened_at', 40).notNullable();
    t.string('closes_at', 40).notNullable();
    t.string('closed_at', 40);
    t.text('result');
    t.string('result_document_id', 64);
    // per-motion key sealing secret choices in transit through workflow history; erased at close
    t.string('ballot_key', 100);
    t.string('created_by', 300).notNullable();
    t.index(['network_id']);
  });
  await db.schema.createTable('motion_proxies', (t) => {
    t.string('motion_id', 64).notNullable().references('motions.id');
    t.string('principal_id', 64).notNullable();
    t.string('proxy_id', 64).notNullable();
    t.string('appointed_by', 300).notNullable();
    t.string('appointed_at', 40).notNullable();
    t.primary(['motion_id', 'principal_id']);
  });
  await db.schema.createTable('elections', (t) => {
    t.string('id', 64).primary();
    t.string('workflow_id', 300).notNullable().unique();
    t.string('network_id', 64).notNullable().references('networks.id');
    t.string('title', 300).notNullable();
    t.string('method', 10).notNullable();
    t.text('constituencies').notNullable();
    t.integer('term_months').notNullable();
    t.string('phase', 20).notNullable();
    t.string('nominations_close_at', 40).notNullable();
    t.string('ballot_close_at', 40).notNullable();
    t.text('result');
    t.string('ballot_key', 100);
    t.string('created_by', 300).notNullable();
    t.string('created_at', 40).notNullable();
    t.string('counted_at', 40);
    t.index(['network_id']);
  });
  await db.schema.createTable('election_candidates', (t) => {
    t.string('id', 64).primary();
    t.string('election_id', 64).notNullable().references('elections.id');
    t.string('person_id', 64).notNullable().references('people.id');
    t.string('constituency', 200).notNullable();
    t.text('statement').notNullable();
    t.text('conflict_of_interest');
    t.string('nominated_at', 40).notNullable();
    t.unique(['election_id', 'person_id']);
  });
  await db.schema.createTable('appointments', (t) => {
    t.string('id', 64).primary();
    t.string('network_id', 64).notNullable().references('networks.id');
    t.string('person_id', 64).notNullable().references('people.id');
    t.string('office', 120).notNullable();
    t.string('constituency', 200);
    t.string('method', 20).notNullable();
    t.string('election_id', 64);
    t.string('starts_on', 10).notNullable();
    t.string('ends_on', 10).notNullable();
    t.unique(['election_id', 'person_id']);
    t.index(['network_id']);
  });
  for (const pair of SECRET_PAIRS) {
    if (sqlite) await db.raw(pair.sqlite);
    else await db.schema.createTable(pair.table, pair.build);
  }
}

export async function down(db: Knex): Promise<void> {
  for (const table of [
    'election_ballots',
    'election_turnout',
    'motion_ballots',
    'motion_turnout',
    'appointments',
    'election_candidates',
    'elections',
    'motion_proxies',
    'motions',
    'voting_rule_overrides',
  ]) {
    await db.schema.dropTableIfExists(table);
  }
}
