import fs from 'node:fs';
import path from 'node:path';

/** The illustrative Tower Hamlets programme (8 networks, 3 waves, 36 practices). */
export interface Scenario {
  programme: { name: string; sponsor: string; footprint: { minListSize: number; maxListSize: number } };
  waves: { number: number; panelDate: string }[];
  networks: {
    name: string;
    wave: number;
    practices: { name: string; odsCode: string; listSize: number; people: { name: string; email: string; roles: string[] }[] }[];
  }[];
}

export function towerHamlets(): Scenario {
  return JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'tower-hamlets.json'), 'utf8')) as Scenario;
}

/** A POST /networks body for the first `practiceCount` practices of a scenario network. */
export function makeNetworkBody(
  ids: { programmeId: string; waveId: string },
  overrides: { networkIndex?: number; practiceCount?: number; name?: string } = {},
) {
  const scenario = towerHamlets();
  const network = scenario.networks[overrides.networkIndex ?? 0];
  return {
    programmeId: ids.programmeId,
    waveId: ids.waveId,
    name: overrides.name ?? network.name,
    practices: network.practices.slice(0, overrides.practiceCount ?? network.practices.length),
  };
}

/**
 * A programme's own panel-pack template with every section a panel pack must have and a signature
 * block per practice (templates/required-sections.ts), with `wording` as its own first paragraph.
 * `{ signatures: false }` leaves the signature blocks out, as a template that must be refused.
 */
export function panelPackTemplate(wording = 'Our own wording.', opts: { signatures?: boolean; vision?: boolean } = {}): string {
  return [
    '# Panel pack of {{network.name}}',
    '',
    wording,
    '',
    ...(opts.vision === false ? [] : ['## Vision', '', '{{vision}}', '']),
    '## Aspirations',
    '',
    '{{#each aspirations}}',
    '- {{this}}',
    '{{/each}}',
    '',
    '## Our new freedoms',
    '',
    '{{#each freedoms}}',
    '- {{this}}',
    '{{/each}}',
    '',
    '## Leadership',
    '',
    'Clinical Director: {{leadership.clinicalDirector}}. Payee: {{nominatedPayee.name}}.',
    '',
    '## Footprint',
    '',
    '{{footprint.statement}}',
    '',
    ...(opts.signatures === false
      ? []
      : [
          '## Endorsement {-}',
          '',
          '{{#each practices}}',
          '```signature',
          'party: {{name}}',
          'detail: ODS code {{odsCode}}',
          'capacity: Partner',
          '```',
          '',
          '{{/each}}',
        ]),
  ].join('\n');
}
