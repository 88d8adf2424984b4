import fs from 'node:fs';
import path from 'node:path';

/** The illustrative Tower Hamlets programme (8 networks, 3 waves, 36 practices). */
export interface Scenario {
  programme: { name: string; sponsor: string; footprint: { minListSize: number; maxListSize: number } };
  waves: { number: number; panelDate: string }[];
  networks: { name: string; wave: number; practices: { name: string; odsCode: string; listSize: number; people: { name: string; email: string; roles: string[] }[] }[] }[];
}

export function towerHamlets(): Scenario {
  return JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'tower-hamlets.json'), 'utf8')) as Scenario;
}

/** A POST /networks body for the first `practiceCount` practices of a scenario network. */
export function makeNetworkBody(ids: { programmeId: string; waveId: string }, overrides: { networkIndex?: number; practiceCount?: number; name?: string } = {}) {
  const scenario = towerHamlets();
  const network = scenario.networks[overrides.networkIndex ?? 0];
  return {
    programmeId: ids.programmeId,
    waveId: ids.waveId,
    name: overrides.name ?? network.name,
    practices: network.practices.slice(0, overrides.practiceCount ?? network.practices.length),
  };
}
