import type { Knex } from 'knex';
import type { Repos } from '../../db/repos';
import type { NewNetwork, Programme, Wave } from '../../db/repos/records.repo';
import type { MailWithLink } from '../../mail/outbox';

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

/** A network `n` of one practice `pr` whose people are all partners: the least a round or an action link needs. */
export function onePracticeNetwork(people: { id: string; name: string; email: string }[]): NetworkSeed['network'] {
  return {
    id: 'n',
    name: 'N',
    practices: [{ id: 'pr', name: 'Practice', odsCode: 'A1', listSize: 10, people: people.map((p) => ({ ...p, roles: ['partner'] })) }],
  };
}

/** An issued terms of reference whose PDF and DOCX are the stand-in bytes `file`, for a round to sign. */
export async function seedIssuedDocument(db: Knex, repos: Repos, doc: { id: string; networkId: string; file: Buffer }): Promise<void> {
  await repos.documents.insert(db, {
    id: doc.id,
    networkId: doc.networkId,
    stageKey: 'terms-of-reference',
    type: 'terms-of-reference',
    version: 1,
    title: 'Terms of reference',
    status: 'issued',
    templateVersion: 't',
    sha256Pdf: 'a'.repeat(64),
    sha256Docx: 'b'.repeat(64),
    pdf: doc.file,
    docx: doc.file,
    markdown: '# ToR',
    html: '<h1>ToR</h1>',
    idempotencyKey: doc.id,
  });
}

/** A sign link mailed to one person of round `signoff-1` (key `round-1:<person id>`), for tests of the outbox. */
export function signLinkMail(person: { id: string; name: string; email: string }, networkId: string): MailWithLink<'signature-delegated'> {
  return {
    key: `round-1:${person.id}`,
    to: person.email,
    networkId,
    template: 'signature-delegated',
    link: { kind: 'sign', personId: person.id, subjectId: 'signoff-1', workflowId: 'w', expiresAt: '2099-01-01T00:00:00.000Z' },
    data: (link: string) => ({
      name: person.name,
      practiceName: 'Practice',
      link,
      fromName: 'A colleague',
      documentTitle: 'Terms of reference',
      documentVersion: 1,
    }),
  };
}
