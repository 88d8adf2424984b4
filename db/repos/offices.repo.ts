import { z } from 'zod';
import type { Membership, Office } from '../../domain/access/policy';
import { type Executor, nowIso } from './executor';

/** An office as a network shows it: who holds it, since when, until when, and where it comes from. */
export interface NetworkOffice extends Office {
  /** the `people` row of the holder */
  memberId: string;
  personId: string | null;
  name: string;
  startsOn: string | null;
  endsOn: string | null;
  source: 'appointed' | 'elected' | 'practice-role';
  appointmentId: string | null;
}

/** "Board member" (as elections write it) and "board-member" are the same office. */
export function officeKey(office: string): string {
  return office
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-');
}

const rolesSchema = z.array(z.string());

function today(): string {
  return nowIso().slice(0, 10);
}

/**
 * Network offices, computed in one place from both sources: current appointments (made by a
 * facilitator or by an election) and the practice role `chair`, which the signing rules already
 * treat as the network's chair. Everything that asks who holds an office asks here.
 */
export function createOfficesRepo() {
  /** Offices held by appointment or election today. */
  async function appointedWhere(db: Executor, where: { networkId?: string; personId?: string }): Promise<NetworkOffice[]> {
    const on = today();
    let appointed = db('appointments')
      .join('people', 'people.id', 'appointments.person_id')
      .join('networks', 'networks.id', 'appointments.network_id')
      .where('appointments.starts_on', '<=', on)
      .where('appointments.ends_on', '>=', on)
      // someone taken off their practice holds no office of the network any more
      .whereNull('people.removed_at')
      .select('appointments.*', 'people.name as name', 'people.person_id as holder', 'networks.programme_id as programme_id');
    if (where.networkId) appointed = appointed.where('appointments.network_id', where.networkId);
    if (where.personId) appointed = appointed.where('people.person_id', where.personId);
    return (await appointed.orderBy(['appointments.starts_on', 'appointments.id'])).map((r) => ({
      networkId: String(r.network_id),
      programmeId: String(r.programme_id),
      office: officeKey(String(r.office)),
      memberId: String(r.person_id),
      personId: (r.holder as string | null) ?? null,
      name: String(r.name),
      startsOn: String(r.starts_on),
      endsOn: String(r.ends_on),
      source: r.method === 'elected' ? 'elected' : 'appointed',
      appointmentId: String(r.id),
    }));
  }

  /** The appointed offices of a network, then the chair its practices name. */
  async function officesOfNetwork(db: Executor, networkId: string): Promise<NetworkOffice[]> {
    const chairs = db('people')
      .join('practices', 'practices.id', 'people.practice_id')
      .join('networks', 'networks.id', 'practices.network_id')
      // roles are stored as a JSON array; the exact quoted value is matched, then parsed below
      .where('people.roles', 'like', '%"chair"%')
      .whereNull('people.removed_at')
      .select(
        'people.id as member_id',
        'people.name as name',
        'people.person_id as holder',
        'people.roles as roles',
        'networks.id as network_id',
        'networks.programme_id as programme_id',
      )
      .where('networks.id', networkId);
    const out = await appointedWhere(db, { networkId });
    for (const r of await chairs.orderBy('people.id')) {
      if (!rolesSchema.parse(JSON.parse(String(r.roles))).includes('chair')) continue;
      out.push({
        networkId: String(r.network_id),
        programmeId: String(r.programme_id),
        office: 'chair',
        memberId: String(r.member_id),
        personId: (r.holder as string | null) ?? null,
        name: String(r.name),
        startsOn: null,
        endsOn: null,
        source: 'practice-role',
        appointmentId: null,
      });
    }
    return out;
  }

  return {
    /**
     * The offices a person holds now, in any network: by appointment or election, and as chair
     * where a practice names them so (read from their places in practices, which the caller has).
     */
    async ofPerson(db: Executor, personId: string, memberships: readonly Membership[]): Promise<Office[]> {
      const held: Office[] = [
        ...(await appointedWhere(db, { personId })),
        ...memberships.filter((m) => m.roles.includes('chair')).map((m) => ({ networkId: m.networkId, programmeId: m.programmeId, office: 'chair' })),
      ];
      const seen = new Set<string>();
      const offices: Office[] = [];
      for (const o of held) {
        const key = `${o.networkId}:${o.office}`;
        if (seen.has(key)) continue;
        seen.add(key);
        offices.push({ networkId: o.networkId, programmeId: o.programmeId, office: o.office });
      }
      return offices;
    },

    /** Who holds which office in a network now. */
    ofNetwork(db: Executor, networkId: string): Promise<NetworkOffice[]> {
      return officesOfNetwork(db, networkId);
    },

    /** Ends a term on a day (a new holder of the office takes over). */
    async endAppointment(db: Executor, id: string, endsOn: string): Promise<void> {
      await db('appointments').where({ id }).update({ ends_on: endsOn });
    },

    async appoint(db: Executor, a: { id: string; networkId: string; memberId: string; office: string; startsOn: string; endsOn: string }): Promise<void> {
      await db('appointments').insert({
        id: a.id,
        network_id: a.networkId,
        person_id: a.memberId,
        office: officeKey(a.office),
        constituency: null,
        method: 'appointed',
        election_id: null,
        starts_on: a.startsOn,
        ends_on: a.endsOn,
      });
    },
  };
}

export type OfficesRepo = ReturnType<typeof createOfficesRepo>;
