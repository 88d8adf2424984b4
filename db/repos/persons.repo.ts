import crypto from 'node:crypto';
import { z } from 'zod';
import type { Grant, Membership, StaffRole } from '../../domain/access/policy';
import { type Executor, isUniqueViolation, nowIso } from './executor';

/** Someone known to Formwork, once, by email. */
export interface PersonRecord {
  id: string;
  email: string;
  name: string;
  isAdmin: boolean;
  createdAt: string;
}

/** A staff grant as stored, with the person it is for. */
export interface GrantRecord extends Grant {
  personId: string;
  personName: string;
  personEmail: string;
  createdAt: string;
  revokedAt: string | null;
}

const rolesSchema = z.array(z.string());

function personFromRow(r: Record<string, unknown>): PersonRecord {
  return { id: String(r.id), email: String(r.email), name: String(r.name), isAdmin: Boolean(r.is_admin), createdAt: String(r.created_at) };
}

/**
 * Persons, their staff grants and their places in practices. Grants are one live row per person
 * and role (the `live_key` is unique while the grant lives), with the programmes it covers.
 */
export function createPersonsRepo() {
  /**
   * Grants read with the programmes each covers in one statement (a row per grant and programme),
   * back to one record per grant in the order the rows first name it.
   */
  function grantsFromRows(rows: Record<string, unknown>[]): GrantRecord[] {
    const grants = new Map<string, { row: Record<string, unknown>; programmeIds: string[] }>();
    for (const r of rows) {
      const id = String(r.id);
      const grant = grants.get(id) ?? { row: r, programmeIds: [] };
      grants.set(id, grant);
      if (r.covered_programme_id != null) grant.programmeIds.push(String(r.covered_programme_id));
    }
    return [...grants.values()].map(({ row: r, programmeIds }) => ({
      id: String(r.id),
      role: r.role as StaffRole,
      programmeIds: programmeIds.sort(),
      personId: String(r.person_id),
      personName: String(r.person_name),
      personEmail: String(r.person_email),
      createdAt: String(r.created_at),
      revokedAt: (r.revoked_at as string | null) ?? null,
    }));
  }

  const grantQuery = (db: Executor) =>
    db('grants')
      .join('persons', 'persons.id', 'grants.person_id')
      .leftJoin('grant_programmes', 'grant_programmes.grant_id', 'grants.id')
      .select('grants.*', 'persons.name as person_name', 'persons.email as person_email', 'grant_programmes.programme_id as covered_programme_id');

  return {
    async get(db: Executor, id: string): Promise<PersonRecord | null> {
      const r = await db('persons').where({ id }).first();
      return r ? personFromRow(r) : null;
    },

    async byEmail(db: Executor, email: string): Promise<PersonRecord | null> {
      const r = await db('persons').where({ email: email.toLowerCase() }).first();
      return r ? personFromRow(r) : null;
    },

    /** The person with this email, created (with this name) when there is none yet. */
    async ensure(db: Executor, input: { email: string; name: string }): Promise<PersonRecord> {
      const email = input.email.toLowerCase();
      const found = await this.byEmail(db, email);
      if (found) return found;
      const row = { id: crypto.randomUUID(), email, name: input.name, is_admin: false, created_at: nowIso() };
      try {
        await db('persons').insert(row);
      } catch (err) {
        // someone else added the same email a moment ago (outside a transaction, or on Postgres)
        const again = isUniqueViolation(err) ? await this.byEmail(db, email) : null;
        if (again) return again;
        throw err;
      }
      return personFromRow(row);
    },

    /** The administrator (the first facilitator), made from this email when there is none yet. */
    async ensureAdmin(db: Executor, input: { email: string; name: string }): Promise<PersonRecord> {
      const existing = await db('persons').where({ is_admin: true }).orderBy('created_at').first();
      if (existing) return personFromRow(existing);
      const person = await this.ensure(db, input);
      await db('persons').where({ id: person.id }).update({ is_admin: true });
      return { ...person, isAdmin: true };
    },

    /** The person's places in practices: which practice, network and programme, with which roles. */
    async memberships(db: Executor, personId: string): Promise<Membership[]> {
      const rows = await db('people')
        .join('practices', 'practices.id', 'people.practice_id')
        .join('networks', 'networks.id', 'practices.network_id')
        .where('people.person_id', personId)
        .whereNull('people.removed_at')
        .select(
          'people.id as member_id',
          'people.roles as roles',
          'practices.id as practice_id',
          'networks.id as network_id',
          'networks.programme_id as programme_id',
        )
        .orderBy('people.id');
      return rows.map((r) => ({
        memberId: String(r.member_id),
        practiceId: String(r.practice_id),
        networkId: String(r.network_id),
        programmeId: String(r.programme_id),
        roles: rolesSchema.parse(JSON.parse(String(r.roles))),
      }));
    },

    /** The person a `people` row belongs to. */
    async personOfMember(db: Executor, memberId: string): Promise<string | null> {
      const r = await db('people').where({ id: memberId }).first('person_id');
      return (r?.person_id as string | null) ?? null;
    },

    async liveGrants(db: Executor, personId: string): Promise<GrantRecord[]> {
      return grantsFromRows(await grantQuery(db).where('grants.person_id', personId).whereNull('grants.revoked_at').orderBy('grants.created_at'));
    },

    async getGrant(db: Executor, id: string): Promise<GrantRecord | null> {
      const [grant] = grantsFromRows(await grantQuery(db).where('grants.id', id));
      return grant ?? null;
    },

    /** Live grants, optionally only those covering one of these programmes. */
    async listGrants(db: Executor, filter: { programmeIds?: string[] } = {}): Promise<GrantRecord[]> {
      let q = grantQuery(db)
        .whereNull('grants.revoked_at')
        .orderBy([{ column: 'persons.name' }, { column: 'grants.role' }]);
      if (filter.programmeIds) q = q.whereIn('grants.id', db('grant_programmes').whereIn('programme_id', filter.programmeIds).select('grant_id'));
      return grantsFromRows(await q);
    },

    /**
     * Grants the role over these programmes: the person's live grant of that role gains them, or a
     * new grant is made. Returns the grant id and whether it was new.
     */
    async grant(db: Executor, input: { personId: string; role: StaffRole; programmeIds: readonly string[] }): Promise<{ grantId: string; created: boolean }> {
      const liveKey = `${input.personId}:${input.role}`;
      let grantId = (await db('grants').where({ live_key: liveKey }).first('id'))?.id as string | undefined;
      let created = false;
      if (!grantId) {
        grantId = crypto.randomUUID();
        await db('grants').insert({ id: grantId, person_id: input.personId, role: input.role, live_key: liveKey, created_at: nowIso() });
        created = true;
      }
      const have = new Set((await db('grant_programmes').where({ grant_id: grantId }).select('programme_id')).map((r) => String(r.programme_id)));
      for (const programmeId of new Set(input.programmeIds)) {
        if (!have.has(programmeId)) await db('grant_programmes').insert({ grant_id: grantId, programme_id: programmeId, added_at: nowIso() });
      }
      return { grantId, created };
    },

    /**
     * Takes one programme off a live grant; returns how many programmes the grant still covers
     * (null when the person holds no live grant of that role).
     */
    async withdrawProgramme(
      db: Executor,
      input: { personId: string; role: StaffRole; programmeId: string },
    ): Promise<{ grantId: string; remaining: number } | null> {
      const grant = await db('grants')
        .where({ live_key: `${input.personId}:${input.role}` })
        .first('id');
      if (!grant) return null;
      await db('grant_programmes').where({ grant_id: grant.id, programme_id: input.programmeId }).delete();
      const left = await db('grant_programmes').where({ grant_id: grant.id }).count({ n: '*' }).first();
      return { grantId: String(grant.id), remaining: Number(left?.n ?? 0) };
    },

    /** Revokes a live grant; false when it was not live. */
    async revokeGrant(db: Executor, id: string): Promise<boolean> {
      return (await db('grants').where({ id }).whereNull('revoked_at').update({ revoked_at: nowIso(), live_key: null })) > 0;
    },

    /**
     * Who is told of a network's declines and expiries: the facilitators granted on its programme,
     * and the administrator.
     */
    async facilitatorEmails(db: Executor, networkId: string): Promise<string[]> {
      const network = await db('networks').where({ id: networkId }).first('programme_id');
      const granted = network
        ? await db('grants')
            .join('grant_programmes', 'grant_programmes.grant_id', 'grants.id')
            .join('persons', 'persons.id', 'grants.person_id')
            .where({ 'grants.role': 'facilitator', 'grant_programmes.programme_id': network.programme_id })
            .whereNull('grants.revoked_at')
            .distinct('persons.email as email')
        : [];
      const admins = await db('persons').where({ is_admin: true }).select('email');
      return [...new Set([...granted, ...admins].map((r) => String(r.email)))].sort();
    },
  };
}

export type PersonsRepo = ReturnType<typeof createPersonsRepo>;
