import { z } from 'zod';
import { textOf } from './columns';
import { type Executor, IN_CHUNK, nowIso, readInChunks } from './executor';
import { createPersonsRepo } from './persons.repo';

export interface ProgrammeSettings {
  /** signers must also enter a one-time code sent to their email */
  signingCodeByEmail: boolean;
  /** the ToR, legal form, financial framework and strategic plan are decided by vote */
  decideStagesByVote: boolean;
  /** how long a stage's vote stays open (it closes early when everyone has voted) */
  voteWindowDays: number;
}

export const DEFAULT_PROGRAMME_SETTINGS: ProgrammeSettings = { signingCodeByEmail: false, decideStagesByVote: false, voteWindowDays: 14 };
export interface Programme {
  id: string;
  name: string;
  sponsor: string;
  footprint: { minListSize: number; maxListSize: number };
  settings: ProgrammeSettings;
  createdAt: string;
}

function programmeFromRow(r: Record<string, unknown>): Programme {
  return {
    id: String(r.id),
    name: String(r.name),
    sponsor: String(r.sponsor),
    footprint: { minListSize: Number(r.min_list_size), maxListSize: Number(r.max_list_size) },
    settings: {
      signingCodeByEmail: Boolean(r.signing_code_by_email),
      decideStagesByVote: Boolean(r.decide_stages_by_vote),
      voteWindowDays: Number(r.vote_window_days),
    },
    createdAt: String(r.created_at),
  };
}
export interface Wave {
  id: string;
  programmeId: string;
  number: number;
  panelDate: string;
  createdAt: string;
}
export interface Person {
  id: string;
  practiceId: string;
  name: string;
  email: string;
  roles: string[];
}
export interface Practice {
  id: string;
  networkId: string;
  name: string;
  odsCode: string;
  listSize: number;
  people: Person[];
}
export interface Network {
  id: string;
  programmeId: string;
  waveId: string;
  name: string;
  formationStatus: string;
  currentStage: string | null;
  listSize: number;
  practices: Practice[];
  createdAt: string;
}

const rolesSchema = z.array(z.string());

export interface NewNetwork {
  id: string;
  programmeId: string;
  waveId: string;
  name: string;
  practices: { id: string; name: string; odsCode: string; listSize: number; people: { id: string; name: string; email: string; roles: string[] }[] }[];
}

/** Programmes, waves, networks, practices and people. */
export function createRecordsRepo() {
  const persons = createPersonsRepo();
  /** The practices (with their people) of several networks: two queries per 500 networks. */
  async function practicesOfNetworks(db: Executor, networkIds: readonly string[]): Promise<Practice[]> {
    const out: Practice[] = [];
    for (let i = 0; i < networkIds.length; i += IN_CHUNK) {
      const practices = await db('practices')
        .whereIn('network_id', networkIds.slice(i, i + IN_CHUNK))
        .orderBy('ods_code');
      if (practices.length === 0) continue;
      // a person taken off a practice is no longer one of its people (their row stays for history)
      const people: Record<string, unknown>[] = await readInChunks(
        practices.map((p) => String(p.id)),
        (chunk) => db('people').whereIn('practice_id', chunk).whereNull('removed_at').orderBy('name'),
      );
      const byPractice = new Map<string, Person[]>();
      for (const row of people) byPractice.set(String(row.practice_id), [...(byPractice.get(String(row.practice_id)) ?? []), personFromRow(row)]);
      out.push(
        ...practices.map((p) => ({
          id: p.id,
          networkId: p.network_id,
          name: p.name,
          odsCode: p.ods_code,
          listSize: Number(p.list_size),
          people: byPractice.get(p.id) ?? [],
        })),
      );
    }
    return out;
  }

  function practicesOf(db: Executor, networkId: string): Promise<Practice[]> {
    return practicesOfNetworks(db, [networkId]);
  }

  return {
    async insertProgramme(db: Executor, p: Omit<Programme, 'createdAt' | 'settings'> & { settings?: ProgrammeSettings }): Promise<Programme> {
      const createdAt = nowIso();
      const settings = p.settings ?? DEFAULT_PROGRAMME_SETTINGS;
      await db('programmes').insert({
        id: p.id,
        name: p.name,
        sponsor: p.sponsor,
        min_list_size: p.footprint.minListSize,
        max_list_size: p.footprint.maxListSize,
        signing_code_by_email: settings.signingCodeByEmail,
        decide_stages_by_vote: settings.decideStagesByVote,
        vote_window_days: settings.voteWindowDays,
        created_at: createdAt,
      });
      return { ...p, settings, createdAt };
    },
    async getProgramme(db: Executor, id: string): Promise<Programme | null> {
      const r = await db('programmes').where({ id }).first();
      return r ? programmeFromRow(r) : null;
    },
    async setProgrammeSettings(db: Executor, id: string, settings: ProgrammeSettings): Promise<void> {
      await db('programmes').where({ id }).update({
        signing_code_by_email: settings.signingCodeByEmail,
        decide_stages_by_vote: settings.decideStagesByVote,
        vote_window_days: settings.voteWindowDays,
      });
    },
    async listProgrammes(db: Executor): Promise<Programme[]> {
      const rows = await db('programmes').orderBy('created_at');
      return rows.map(programmeFromRow);
    },
    async insertWave(db: Executor, w: Omit<Wave, 'createdAt'>): Promise<Wave> {
      const createdAt = nowIso();
      await db('waves').insert({ id: w.id, programme_id: w.programmeId, number: w.number, panel_date: w.panelDate, created_at: createdAt });
      return { ...w, createdAt };
    },
    async getWave(db: Executor, id: string): Promise<Wave | null> {
      const r = await db('waves').where({ id }).first();
      return r ? { id: r.id, programmeId: r.programme_id, number: Number(r.number), panelDate: r.panel_date, createdAt: r.created_at } : null;
    },
    async listWaves(db: Executor, programmeId: string): Promise<Wave[]> {
      const rows = await db('waves').where({ programme_id: programmeId }).orderBy('number');
      return rows.map((r) => ({ id: r.id, programmeId: r.programme_id, number: Number(r.number), panelDate: r.panel_date, createdAt: r.created_at }));
    },
    async insertNetwork(db: Executor, n: NewNetwork): Promise<void> {
      await db('networks').insert({
        id: n.id,
        programme_id: n.programmeId,
        wave_id: n.waveId,
        name: n.name,
        formation_status: 'not-started',
        created_at: nowIso(),
      });
      for (const p of n.practices) {
        await db('practices').insert({ id: p.id, network_id: n.id, name: p.name, ods_code: p.odsCode, list_size: p.listSize });
        for (const person of p.people) {
          // the same email in any practice is the same person
          const { id: personId } = await persons.ensure(db, { email: person.email, name: person.name });
          await db('people').insert({
            id: person.id,
            practice_id: p.id,
            name: person.name,
            email: person.email.toLowerCase(),
            roles: JSON.stringify(person.roles),
            person_id: personId,
          });
        }
      }
    },
    async getNetwork(db: Executor, id: string): Promise<Network | null> {
      const r = await db('networks').where({ id }).first();
      if (!r) return null;
      const practices = await practicesOf(db, id);
      return {
        id: r.id,
        programmeId: r.programme_id,
        waveId: r.wave_id,
        name: r.name,
        formationStatus: r.formation_status,
        currentStage: r.current_stage ?? null,
        listSize: practices.reduce((s, p) => s + p.listSize, 0),
        practices,
        createdAt: r.created_at,
      };
    },
    async listNetworks(
      db: Executor,
      filter: { waveId?: string; programmeId?: string } = {},
    ): Promise<
      { id: string; name: string; programmeId: string; waveId: string; formationStatus: string; currentStage: string | null; readinessRev: number }[]
    > {
      let q = db('networks').orderBy('name');
      if (filter.waveId) q = q.where({ wave_id: filter.waveId });
      if (filter.programmeId) q = q.where({ programme_id: filter.programmeId });
      const rows = await q;
      return rows.map((r) => ({
        id: r.id,
        name: r.name,
        programmeId: r.programme_id,
        waveId: r.wave_id,
        formationStatus: r.formation_status,
        currentStage: r.current_stage ?? null,
        // raised by the database whenever a record the network's readiness row is built from changes
        readinessRev: Number(r.readiness_rev),
      }));
    },
    /** Practices and people of many networks at once (dashboards). */
    practicesOfNetworks,
    async setFormation(db: Executor, networkId: string, patch: { formationStatus?: string; currentStage?: string | null }): Promise<void> {
      const update: Record<string, unknown> = {};
      if (patch.formationStatus !== undefined) update.formation_status = patch.formationStatus;
      if (patch.currentStage !== undefined) update.current_stage = patch.currentStage;
      await db('networks').where({ id: networkId }).update(update);
    },
    /** Moves a network to another wave of its programme (a panel deferral). */
    async setNetworkWave(db: Executor, networkId: string, waveId: string): Promise<void> {
      await db('networks').where({ id: networkId }).update({ wave_id: waveId });
    },
    /** The practices of many networks without their people: what dashboards need (names, ODS codes, list sizes). */
    async practiceRowsOfNetworks(db: Executor, networkIds: readonly string[]): Promise<Omit<Practice, 'people'>[]> {
      const rows = await readInChunks(networkIds, (chunk) =>
        db('practices').whereIn('network_id', chunk).orderBy('ods_code').select('id', 'network_id', 'name', 'ods_code', 'list_size'),
      );
      return rows.map((p) => ({ id: p.id, networkId: p.network_id, name: p.name, odsCode: p.ods_code, listSize: Number(p.list_size) }));
    },
    /** What templates are rendered from: the network with its programme, wave, practices and people. */
    async networkFacts(db: Executor, networkId: string) {
      const network = await this.getNetwork(db, networkId);
      if (!network) return null;
      const programme = await this.getProgramme(db, network.programmeId);
      const wave = await this.getWave(db, network.waveId);
      if (!programme || !wave) return null;
      return {
        programmeId: programme.id,
        facts: {
          programme: { name: programme.name, sponsor: programme.sponsor, footprint: programme.footprint },
          wave: { number: wave.number, panelDate: wave.panelDate },
          network: { id: network.id, name: network.name },
          practices: network.practices.map((p) => ({
            id: p.id,
            name: p.name,
            odsCode: p.odsCode,
            listSize: p.listSize,
            people: p.people.map((x) => ({ id: x.id, name: x.name, email: x.email, roles: x.roles })),
          })),
        },
      };
    },
    /** Several people with their practice and network, in one query per 500. */
    async getPeople(db: Executor, ids: readonly string[]): Promise<Map<string, Person & { practiceName: string; networkId: string; personId: string | null }>> {
      const found = new Map<string, Person & { practiceName: string; networkId: string; personId: string | null }>();
      const rows = await readInChunks(ids, (chunk) =>
        db('people')
          .join('practices', 'practices.id', 'people.practice_id')
          .whereIn('people.id', chunk)
          .select('people.*', 'practices.name as practice_name', 'practices.network_id as network_id'),
      );
      for (const r of rows)
        found.set(String(r.id), { ...personFromRow(r), practiceName: r.practice_name, networkId: r.network_id, personId: r.person_id ?? null });
      return found;
    },
    /** A person's place in a practice (a `people` row), with the person (`persons.id`) it belongs to; `removedAt` once taken off. */
    async getPerson(
      db: Executor,
      id: string,
    ): Promise<(Person & { practiceName: string; networkId: string; personId: string | null; removedAt: string | null }) | null> {
      const r = await db('people')
        .join('practices', 'practices.id', 'people.practice_id')
        .where('people.id', id)
        .select('people.*', 'practices.name as practice_name', 'practices.network_id as network_id')
        .first();
      return r ? memberFromRow(r) : null;
    },
    /** One practice of a network, with its people. */
    async getPractice(db: Executor, networkId: string, practiceId: string): Promise<Practice | null> {
      return (await practicesOf(db, networkId)).find((p) => p.id === practiceId) ?? null;
    },
    async updatePractice(db: Executor, practiceId: string, patch: { name?: string; listSize?: number }): Promise<void> {
      const update: Record<string, unknown> = {};
      if (patch.name !== undefined) update.name = patch.name;
      if (patch.listSize !== undefined) update.list_size = patch.listSize;
      if (Object.keys(update).length) await db('practices').where({ id: practiceId }).update(update);
    },
    /**
     * Adds a person to a practice. Someone taken off it earlier comes back on their old row (the
     * practice knows an email once), with the name and roles given now.
     */
    async addPerson(
      db: Executor,
      practiceId: string,
      person: { id: string; name: string; email: string; roles: string[] },
    ): Promise<{ id: string; restored: boolean }> {
      const email = person.email.toLowerCase();
      const earlier = await db('people').where({ practice_id: practiceId, email }).first();
      const { id: personId } = await persons.ensure(db, { email, name: person.name });
      if (earlier) {
        await db('people')
          .where({ id: earlier.id })
          .update({ name: person.name, roles: JSON.stringify(person.roles), removed_at: null, person_id: personId });
        return { id: String(earlier.id), restored: true };
      }
      await db('people').insert({ id: person.id, practice_id: practiceId, name: person.name, email, roles: JSON.stringify(person.roles), person_id: personId });
      return { id: person.id, restored: false };
    },
    async updatePerson(db: Executor, id: string, patch: { name?: string; roles?: string[] }): Promise<void> {
      const update: Record<string, unknown> = {};
      if (patch.name !== undefined) update.name = patch.name;
      if (patch.roles !== undefined) update.roles = JSON.stringify(patch.roles);
      if (Object.keys(update).length) await db('people').where({ id }).update(update);
    },
    /** Takes a person off their practice; their row stays, because earlier signatures, ballots and links name it. */
    async removePerson(db: Executor, id: string): Promise<boolean> {
      return (await db('people').where({ id }).whereNull('removed_at').update({ removed_at: nowIso() })) === 1;
    },
  };
}

/** A membership with its practice's name and network: a `people` row joined to `practices` (as `practice_name`, `network_id`). */
export function memberFromRow(
  r: Record<string, unknown>,
): Person & { practiceName: string; networkId: string; personId: string | null; removedAt: string | null } {
  return {
    ...personFromRow(r),
    practiceName: String(r.practice_name),
    networkId: String(r.network_id),
    personId: (r.person_id as string | null) ?? null,
    removedAt: (r.removed_at as string | null) ?? null,
  };
}

function personFromRow(r: Record<string, unknown>): Person {
  return {
    ...textOf(r, ['id', 'practiceId', 'name', 'email']),
    roles: rolesSchema.parse(JSON.parse(String(r.roles))),
  };
}

export type RecordsRepo = ReturnType<typeof createRecordsRepo>;
