import type { Knex } from 'knex';
import type { Repos } from '../../db/repos';
import { seedNetwork } from './network-seed';

/**
 * A small network for dispute tests: three practices, each with a partner on the board, a second
 * partner at the first, a practice manager, and the chair at the third (not a party by default).
 */
export async function seedDisputeNetwork(db: Knex, repos: Repos, ids = { programme: 'prog', wave: 'wave', network: 'net' }) {
  await seedNetwork(db, repos, {
    programme: { id: ids.programme },
    waves: [{ id: ids.wave, number: 1, panelDate: '2027-06-30' }],
    network: {
      id: ids.network,
      name: 'Case Network',
      practices: [
        {
          id: `${ids.network}-p1`,
          name: 'Jubilee Street',
          odsCode: 'D00001',
          listSize: 9000,
          people: [
            { id: `${ids.network}-a1`, name: 'Dr Ann Ali', email: `ann@${ids.network}.test`, roles: ['partner', 'board-member'] },
            { id: `${ids.network}-a2`, name: 'Dr Amir Khan', email: `amir@${ids.network}.test`, roles: ['partner'] },
            { id: `${ids.network}-a3`, name: 'Rahim Ali', email: `rahim@${ids.network}.test`, roles: ['practice-manager'] },
          ],
        },
        {
          id: `${ids.network}-p2`,
          name: 'Highway Practice',
          odsCode: 'D00002',
          listSize: 7000,
          people: [{ id: `${ids.network}-b1`, name: 'Dr Bo Bell', email: `bo@${ids.network}.test`, roles: ['partner', 'board-member'] }],
        },
        {
          id: `${ids.network}-p3`,
          name: 'Bow Road',
          odsCode: 'D00003',
          listSize: 8000,
          people: [{ id: `${ids.network}-c1`, name: 'Dr Cy Cole', email: `cy@${ids.network}.test`, roles: ['partner', 'board-member', 'chair'] }],
        },
      ],
    },
  });
  return { programmeId: ids.programme, networkId: ids.network, parties: [`${ids.network}-p1`, `${ids.network}-p2`], bystander: `${ids.network}-p3` };
}
