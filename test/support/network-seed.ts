import type { Knex } from 'knex';
import type { Repos } from '../../db/repos';
import type { NewNetwork, Programme, Wave } from '../../db/repos/records.repo';

export interface NetworkSeed {
  /** Default: programme `prog`, footprint 1 to 100,000 patients (so any list size is inside it). */
  programme?: Partial<Pick<Programme, 'id' | 'name' | 'sponsor' | 'footprint'>>;
  /** The programme's waves; the network is on the first. Default: wave 1 (`wave`), its panel on 15 January 2027. */
  waves?: Omit<Wave, 'programmeId' | 'createdAt'>[];
  network: Omit<NewNetwork, 'programmeId' | 'waveId'>;
}

/**
 * A programme, its waves and one network on the first wave, written straight through the
 * repositories: for tests below the API (migrations, repositories, time-skipping workflows).
 */
export async function seedNetwork(db: Knex, repos: Repos, seed: NetworkSeed): Promise<{ programmeId: string; networkId: string }> {
  const programme = { id: 'prog', name: 'Programme', sponsor: 'PCT', footprint: { minListSize: 1, maxListSize: 100000 }, ...seed.programme };
  const waves = seed.waves ?? [{ id: 'wave', number: 1, panelDate: '2027-01-15' }];
  await repos.records.insertProgramme(db, programme);
  for (const wave of waves) await repos.records.insertWave(db, { ...wave, programmeId: programme.id });
  await repos.records.insertNetwork(db, { ...seed.network, programmeId: programme.id, waveId: waves[0].id });
  return { programmeId: programme.id, networkId: seed.network.id };
}
