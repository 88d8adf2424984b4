import crypto from 'node:crypto';
import type { Knex } from 'knex';

/** Where the first facilitator was told of declines before persons existed (FORMWORK_ADMIN_EMAIL's default). */
const DEFAULT_ADMIN_EMAIL = 'facilitator@localhost';

/**
 * People and access. A person is known once, by email (`persons`); a `people` row is that person's
 * place in a practice. Staff roles are grants over programmes; sign-in is by emailed one-time link
 * into a session; API tokens belong to a person and carry that person's powers.
 *
 * Existing rows are carried over: people with the same email become one person, the oldest
 * facilitator token becomes the administrator's, and any other staff token keeps the role it had
 * over every programme that exists now, so nobody gains or loses access by upgrading.
 */
export async function up(db: Knex): Promise<void> {
  const now = new Date().toISOString();
  await db.schema.createTable('persons', (t) => {
    t.string('id', 64).primary();
    t.string('email', 320).notNullable().unique();
    t.string('name', 300).notNullable();
    t.boolean('is_admin').notNullable().defaultTo(false);
    t.string('created_at', 40).notNullable();
  });
  const pg = db.client.config.client === 'pg';
  // On SQLite the column carries no foreign key: SQLite can drop a column natively only when no key
  // uses it, and rebuilding `people` (referenced by every signature and link) is not possible inside
  // a migration's transaction. The records repository sets it in the transaction that adds the row.
  await db.schema.alterTable('people', (t) => {
    if (pg) t.string('person_id', 64).references('persons.id');
    else t.string('person_id', 64);
    t.index(['person_id']);
  });
  await db.schema.alterTable('api_tokens', (t) => {
    t.string('person_id', 64).references('persons.id');
    t.string('last_used_at', 40);
    t.index(['person_id']);
  });
  await db.schema.createTable('grants', (t) => {
    t.string('id', 64).primary();
    t.string('person_id', 64).notNullable().references('persons.id');
    t.string('role', 30).notNullable();
    // `<person>:<role>` while the grant is live, null once revoked: one live grant per person and role
    t.string('live_key', 120).unique();
    t.string('created_at', 40).notNullable();
    t.string('revoked_at', 40);
    t.index(['person_id']);
  });
  await db.schema.createTable('grant_programmes', (t) => {
    t.string('grant_id', 64).notNullable().references('grants.id');
    t.string('programme_id', 64).notNullable().references('programmes.id');
    t.string('added_at', 40).notNullable();
    t.primary(['grant_id', 'programme_id']);
    t.index(['programme_id']);
  });
  await db.schema.createTable('sessions', (t) => {
    t.string('id', 64).primary();
    t.string('token_hash', 64).notNullable().unique();
    t.string('person_id', 64).notNullable().references('persons.id');
    t.string('created_at', 40).notNullable();
    t.string('last_seen_at', 40).notNullable();
    t.string('expires_at', 40).notNullable();
    t.string('ended_at', 40);
    t.string('ip', 64);
    t.string('user_agent', 500);
    t.index(['person_id']);
  });
  await db.schema.createTable('signin_links', (t) => {
    t.string('id', 64).primary();
    t.string('token_hash', 64).notNullable().unique();
    t.string('person_id', 64).notNullable().references('persons.id');
    t.string('purpose', 20).notNullable();
    t.string('created_at', 40).notNullable();
    t.string('expires_at', 40).notNullable();
    t.string('used_at', 40);
    t.index(['person_id']);
  });
  // every request for a sign-in link, known address or not: the per-address and per-IP limits count these
  await db.schema.createTable('signin_requests', (t) => {
    t.string('id', 64).primary();
    t.string('email_hash', 64).notNullable();
    t.string('ip', 64).notNullable();
    t.string('at', 40).notNullable();
    t.index(['email_hash', 'at']);
    t.index(['ip', 'at']);
  });

  // one person per email among the people of every practice
  const byEmail = new Map<string, string>();
  const people = await db('people').select('id', 'name', 'email').orderBy('id');
  for (const row of people) {
    const email = String(row.email).toLowerCase();
    if (!byEmail.has(email)) {
      const id = crypto.randomUUID();
      await db('persons').insert({ id, email, name: row.name, is_admin: false, created_at: now });
      byEmail.set(email, id);
    }
    await db('people')
      .where({ id: row.id })
      .update({ person_id: byEmail.get(email) });
  }

  // tokens: the oldest facilitator token is the administrator's; others keep their role everywhere
  const programmeIds = (await db('programmes').select('id')).map((r) => String(r.id));
  const tokens = await db('api_tokens')
    .select('id', 'name', 'role', 'email', 'created_at')
    .orderBy([{ column: 'created_at' }, { column: 'id' }]);
  const adminToken = tokens.find((t) => t.role === 'facilitator');
  for (const token of tokens) {
    const isAdmin = token === adminToken;
    const email = String(token.email ?? (isAdmin ? DEFAULT_ADMIN_EMAIL : `token-${token.id}@legacy.invalid`)).toLowerCase();
    let personId = byEmail.get(email);
    if (!personId) {
      personId = crypto.randomUUID();
      await db('persons').insert({ id: personId, email, name: token.name, is_admin: false, created_at: now });
      byEmail.set(email, personId);
    }
    await db('api_tokens').where({ id: token.id }).update({ person_id: personId });
    if (isAdmin) {
      await db('persons').where({ id: personId }).update({ is_admin: true });
      continue;
    }
    const role = token.role === 'facilitator' ? 'facilitator' : 'commissioner';
    const liveKey = `${personId}:${role}`;
    let grant = await db('grants').where({ live_key: liveKey }).first();
    if (!grant) {
      grant = { id: crypto.randomUUID() };
      await db('grants').insert({ id: grant.id, person_id: personId, role, live_key: liveKey, created_at: now });
    }
    for (const programmeId of programmeIds) {
      const exists = await db('grant_programmes').where({ grant_id: grant.id, programme_id: programmeId }).first();
      if (!exists) await db('grant_programmes').insert({ grant_id: grant.id, programme_id: programmeId, added_at: now });
    }
  }
  // a token's powers are its owner's now; the role and email it carried are no longer read
  await db.schema.alterTable('api_tokens', (t) => {
    t.dropColumn('role');
    t.dropColumn('email');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('api_tokens', (t) => {
    t.string('role', 30).notNullable().defaultTo('facilitator');
    t.string('email', 320);
  });
  const owners = await db('api_tokens').join('persons', 'persons.id', 'api_tokens.person_id').select('api_tokens.id as id', 'persons.email as email');
  for (const o of owners) await db('api_tokens').where({ id: o.id }).update({ email: o.email });
  for (const table of ['signin_requests', 'signin_links', 'sessions', 'grant_programmes', 'grants']) await db.schema.dropTableIfExists(table);
  await db.schema.alterTable('api_tokens', (t) => {
    t.dropIndex(['person_id']);
    t.dropForeign(['person_id']);
    t.dropColumn('person_id');
    t.dropColumn('last_used_at');
  });
  if (db.client.config.client === 'pg') {
    await db.schema.alterTable('people', (t) => {
      t.dropForeign(['person_id']);
      t.dropIndex(['person_id']);
      t.dropColumn('person_id');
    });
  } else {
    // natively, without rebuilding the table (see up)
    await db.schema.alterTable('people', (t) => t.dropIndex(['person_id']));
    await db.raw('alter table people drop column person_id');
  }
  await db.schema.dropTableIfExists('persons');
}
