/**
 * `npm run samples`: renders every template for the Tower Hamlets Highway Network into samples/
 * (DOCX, PDF and HTML), to look at and to open in Word or LibreOffice. samples/ is gitignored.
 */
import fs from 'node:fs';
import path from 'node:path';
import { renderTemplate, STAGE_TEMPLATES, SUPPORTING_TEMPLATES, type DocumentType } from '../templates';
import { towerHamletsFacts } from '../test/fixtures/network-facts';
import { stvElectionResult } from '../test/support/document-contexts';

const OUT = path.join(__dirname, '..', 'samples');

async function main(): Promise<void> {
  const facts = towerHamletsFacts('Highway Network');
  const meta = { documentId: 'sample', version: 1, networkName: facts.network.name, issuedOn: facts.wave.panelDate };
  const signedAt = `${facts.wave.panelDate}T14:30:00Z`;
  const contexts: [DocumentType, unknown][] = [
    ...Object.values(STAGE_TEMPLATES).map((t): [DocumentType, unknown] => [t.documentType, t.buildContext(facts, {})]),
    ...Object.values(SUPPORTING_TEMPLATES).map((t): [DocumentType, unknown] => [t.documentType, t.buildContext(facts, {})]),
    [
      'vote-result',
      {
        network: { name: facts.network.name },
        motion: {
          id: 'sample-motion',
          title: 'Adopt the terms of reference',
          decisionType: 'constitutional',
          openedAt: `${facts.wave.panelDate}T09:00:00Z`,
          closedAt: signedAt,
        },
        rule: { version: 'programme-default-1', description: 'Special resolution: at least 75% of votes cast, one practice one vote' },
        electorate: { practices: facts.practices.length },
        tallies: { for: facts.practices.length, against: 0, abstain: 0 },
        quorum: { met: true, arithmetic: `${facts.practices.length} of ${facts.practices.length} member practices voted; more than half were needed.` },
        threshold: { met: true, arithmetic: `${facts.practices.length} of ${facts.practices.length} votes cast (100%) were for; at least 75% were needed.` },
        result: 'carried',
        ballots: facts.practices.map((p) => ({ practice: p.name, choice: 'for' })),
      },
    ],
    [
      'completion-certificate',
      {
        network: { name: facts.network.name },
        document: { id: 'sample', version: 1, title: 'Terms of Reference and Constitution', sha256Pdf: '0'.repeat(64) },
        completedAt: signedAt,
        signers: facts.practices.flatMap((p) =>
          p.people
            .filter((person) => person.roles.includes('board-member'))
            .map((person) => ({
              name: person.name,
              email: person.email,
              practice: p.name,
              capacity: 'Partner',
              consentVersion: 'consent-1',
              signedAt,
              ip: '192.0.2.10',
              userAgent: 'Mozilla/5.0',
              method: 'Emailed action link; typed name',
            })),
        ),
      },
    ],
    [
      'panel-outcome-letter',
      {
        programme: { name: facts.programme.name, sponsor: facts.programme.sponsor },
        network: { name: facts.network.name },
        practices: facts.practices.map((p) => ({ name: p.name, odsCode: p.odsCode })),
        wave: facts.wave,
        panel: {
          members: [
            { name: 'Ms Jo Reed', organisation: facts.programme.sponsor, external: false },
            { name: 'Prof Sam Okafor', organisation: 'Queen Mary University of London', external: true },
          ],
        },
        outcome: 'conditional',
        reason: 'A shared vision every practice supports; the nominated payee is still to be agreed.',
        decidedOn: facts.wave.panelDate,
        conditions: ['Name the nominated payee in the financial framework', 'Appoint the Clinical Director'],
        toWave: null,
        scores: {
          members: 2,
          criteria: [
            { title: 'Vision and aspirations', weight: 2, mean: 4.5 },
            { title: 'Use of the new freedoms', weight: 1, mean: 3.5 },
            { title: 'Leadership and payee', weight: 1, mean: 2 },
          ],
          weightedMean: 3.625,
          recommendations: { pass: 1, conditional: 1, defer: 0 },
        },
      },
    ],
  ];
  const boardMembers = facts.practices.flatMap((p) =>
    p.people.filter((x) => x.roles.includes('board-member')).map((x) => ({ id: x.id, name: x.name, practice: p.name })),
  );
  const ballots = facts.practices.map((_, i) => [boardMembers[i % boardMembers.length].id, boardMembers[(i + 1) % boardMembers.length].id]);
  const { context: electionContext } = stvElectionResult({
    networkName: facts.network.name,
    election: {
      id: 'sample-election',
      title: 'Shadow board',
      method: 'stv',
      countedAt: signedAt,
      termOfOffice: { startsOn: facts.wave.panelDate, endsOn: facts.wave.panelDate, months: 24 },
    },
    seats: 2,
    candidates: boardMembers,
    ballots,
    turnout: { voted: facts.practices.length, eligible: facts.practices.length },
  });
  contexts.push(['election-result', electionContext]);
  fs.mkdirSync(OUT, { recursive: true });
  for (const [type, context] of contexts) {
    const doc = await renderTemplate(type, context, meta);
    fs.writeFileSync(path.join(OUT, `${type}.pdf`), doc.pdf);
    fs.writeFileSync(path.join(OUT, `${type}.docx`), doc.docx);
    fs.writeFileSync(path.join(OUT, `${type}.html`), `<!doctype html><meta charset="utf-8"><title>${doc.title.replace(/[<&]/g, '')}</title>\n${doc.html}\n`);
    console.log(`${type}: ${doc.title} (${doc.templateVersion})`);
  }
  console.log(`samples written to ${OUT}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
