import { beforeAll, describe, expect, it } from 'vitest';
import { RenderedDocument } from '../../../documents';
import { DOCUMENT_TYPES, renderTemplate, STAGE_TEMPLATES, SUPPORTING_TEMPLATES, TEMPLATE_CATALOGUE } from '../../../templates';
import { ISSUE_META, makeNetwork, towerHamletsFacts } from '../../fixtures/network-facts';
import { docxParagraphs, docxPart, flat, inOrder, pdfPageCount, pdfPages, pdfText } from '../documents/extract';
import { makeCertificateContext, stvElectionResult, voteResultContext as voteContext } from '../../support/document-contexts';

const facts = towerHamletsFacts('Highway Network');

const certificateContext = makeCertificateContext({
  id: 'doc-0001',
  version: 1,
  title: 'Terms of Reference and Constitution of Highway Network',
  sha256Pdf: 'a'.repeat(64),
});

const settlementContext = {
  network: { name: 'Highway Network' },
  dispute: {
    reference: 'AB12CD34',
    title: 'Pharmacist hours',
    summary: 'The hours of the shared pharmacist were not shared as agreed.',
    openedOn: '2009-03-02',
    step: 'Network board',
  },
  parties: [
    { name: 'Jubilee Street Group Practice', odsCode: 'F84001' },
    { name: 'Highway Practice', odsCode: 'F84002' },
  ],
  terms: ['Jubilee Street gives Highway Practice two sessions a week from 1 April 2009.', 'The practices review the split in six months.'],
  agreedOn: '2009-03-16',
};

const letterContext = {
  programme: { name: 'Tower Hamlets GP Networks Programme', sponsor: 'Tower Hamlets PCT' },
  network: { name: 'Highway Network' },
  practices: [
    { name: 'Jubilee Street Group Practice', odsCode: 'F84001' },
    { name: 'Highway Practice', odsCode: 'F84002' },
  ],
  wave: { number: 1, panelDate: '2009-03-16' },
  panel: {
    members: [
      { name: 'Ms Jo Reed', organisation: 'Tower Hamlets PCT', external: false },
      { name: 'Prof Sam Okafor', organisation: 'Queen Mary University of London', external: true },
    ],
  },
  outcome: 'conditional',
  reason: 'A strong shared vision; the nominated payee is not yet agreed.',
  decidedOn: '2009-03-18',
  conditions: ['Name the nominated payee', 'Appoint the Clinical Director'],
  toWave: null,
  scores: {
    members: 2,
    criteria: [
      { title: 'Vision and aspirations', weight: 2, mean: 4.5 },
      { title: 'Leadership and payee', weight: 1, mean: null },
    ],
    weightedMean: 3.875,
    recommendations: { pass: 1, conditional: 1, defer: 0 },
  },
};

/** A one-seat STV count where two candidates are level at every stage, so a lot decides an exclusion. */
const electionCandidates = [
  { id: 'cand-a', name: 'Dr James Evans', practice: 'Jubilee Street Group Practice' },
  { id: 'cand-b', name: 'Dr Peter Ali', practice: 'Highway Practice' },
  { id: 'cand-c', name: 'Dr Kamal Ali', practice: 'Bow Road Practice' },
];
const { count: electionCount, context: electionContext } = stvElectionResult({
  networkName: 'Highway Network',
  election: {
    id: 'election-7',
    title: 'Shadow board 2009',
    method: 'stv',
    countedAt: '2009-05-01T16:00:00Z',
    termOfOffice: { startsOn: '2009-05-01', endsOn: '2011-05-01', months: 24 },
  },
  seats: 1,
  candidates: electionCandidates,
  ballots: [['cand-a'], ['cand-a'], ['cand-b', 'cand-a'], ['cand-c', 'cand-b']],
  turnout: { voted: 4, eligible: 4 },
});

/** One rendering per document type against the Tower Hamlets Highway Network. */
const rendered = new Map<string, RenderedDocument>();

beforeAll(async () => {
  for (const t of Object.values(STAGE_TEMPLATES)) rendered.set(t.documentType, await renderTemplate(t.documentType, t.buildContext(facts, {}), ISSUE_META));
  for (const t of Object.values(SUPPORTING_TEMPLATES))
    rendered.set(t.documentType, await renderTemplate(t.documentType, t.buildContext(facts, {}), ISSUE_META));
  rendered.set('vote-result', await renderTemplate('vote-result', voteContext, ISSUE_META));
  rendered.set('completion-certificate', await renderTemplate('completion-certificate', certificateContext, ISSUE_META));
  rendered.set('settlement-record', await renderTemplate('settlement-record', settlementContext, ISSUE_META));
  rendered.set('panel-outcome-letter', await renderTemplate('panel-outcome-letter', letterContext, ISSUE_META));
  rendered.set('election-result', await renderTemplate('election-result', electionContext, ISSUE_META));
});

describe('every template renders the Tower Hamlets scenario', () => {
  it('covers every document type', () => {
    expect([...rendered.keys()].sort()).toEqual([...DOCUMENT_TYPES].sort());
  });

  it.each(DOCUMENT_TYPES.map((t) => [t]))('%s: PDF, DOCX and HTML carry the same content, with running header and footer', async (type) => {
    const doc = rendered.get(type)!;
    const pages = pdfPages(doc.pdf);
    const count = await pdfPageCount(doc.pdf);
    expect(pages.length).toBe(count);
    pages.forEach((page, i) => {
      expect(page).toContain(`Page ${i + 1} of ${count}`);
      expect(page).toContain('Document doc-0001');
      expect(page).toContain('Version 1');
      expect(page).toContain('Highway Network');
    });
    expect(doc.templateVersion).toBe(`builtin:${type}@${TEMPLATE_CATALOGUE[type].version}`);
    expect(doc.sha256Pdf).toMatch(/^[0-9a-f]{64}$/);
    expect(doc.sha256Docx).toMatch(/^[0-9a-f]{64}$/);
    const paragraphs = await docxParagraphs(doc.docx);
    expect(paragraphs[0]).toMatchObject({ style: 'Title', text: doc.title });
    const footer = await docxPart(doc.docx, 'word/footer1.xml');
    expect(footer).toMatch(/PAGE/);
    expect(footer).toMatch(/NUMPAGES/);
    expect(doc.html).toContain('<article class="fw-document">');
    expect(flat(pdfText(doc.pdf))).toContain(flat(doc.title));
  });
});

describe('the other stage documents', () => {
  it('panel pack states the list size against the footprint rule', () => {
    const text = flat(pdfText(rendered.get('panel-pack')!.pdf));
    inOrder(text, ['1 Vision', '2 Aspirations', '3 How the network will use its new freedoms', '4 Leadership', '5 Footprint and list size']);
    expect(text).toContain('is within the programme’s footprint');
    expect(text).toContain('16 March 2009');
    expect(text).toContain('Clinical Director');
    expect(text).toContain('Nominated payee');
  });

  it('panel pack says below or above the footprint when it is', async () => {
    const small = makeNetwork({ practiceCount: 1 });
    const text = flat(pdfText((await renderTemplate('panel-pack', STAGE_TEMPLATES['panel-presentation'].buildContext(small, {}), ISSUE_META)).pdf));
    expect(text).toMatch(/is below the programme’s footprint of 24,000–40,000 patients \([\d,]+ short of the minimum\)/);
    const big = makeNetwork({ practiceCount: 12 });
    const bigText = flat(pdfText((await renderTemplate('panel-pack', STAGE_TEMPLATES['panel-presentation'].buildContext(big, {}), ISSUE_META)).pdf));
    expect(bigText).toMatch(/is above the programme’s footprint/);
  });

  it('legal entity appraisal scores every option and recommends one with reasons', () => {
    const text = flat(pdfText(rendered.get('legal-entity-appraisal')!.pdf));
    for (const label of [
      'Contractual joint venture with a lead practice',
      'Limited liability partnership (LLP)',
      'Company limited by shares',
      'Company limited by guarantee',
      'Community interest company (CIC)',
      'Unincorporated association',
      'General partnership (super-partnership)',
    ])
      expect(text).toContain(label);
    expect(text).toContain('The recommended legal form is Contractual joint venture with a lead practice');
    expect(text).toMatch(/The reasons are:.*\(a\) NHS Pension access for staff: it scores 5 out of 5/);
  });

  it('legal entity appraisal follows the answers', async () => {
    const ctx = STAGE_TEMPLATES['legal-entity'].buildContext(facts, {
      holdsContract: 'network',
      employsStaff: 'network',
      limitedLiability: 'high',
      taxTransparency: true,
    });
    const text = flat(pdfText((await renderTemplate('legal-entity-appraisal', ctx, ISSUE_META)).pdf));
    expect(text).toContain('The recommended legal form is Limited liability partnership (LLP)');
    expect(text).toContain('The network itself');
  });

  it('data-sharing agreement names each Caldicott guardian and the lawful bases', () => {
    const text = flat(pdfText(rendered.get('data-sharing-agreement')!.pdf));
    for (const name of ['Dr Richard Islam', 'Dr Peter Ali', 'Dr Kamal Ali', 'Dr Shirin Jones']) expect(text).toContain(name);
    expect(text).toContain('joint controllers');
    expect(text).toContain('Article 6(1)(e)');
    expect(text).toContain('Article 9(2)(h)');
    expect(text).toContain('within 72 hours');
    inOrder(text, [
      '1 Parties and roles',
      '2 Purposes',
      '3 Lawful basis',
      '4 Data shared',
      '5 Roles and contacts',
      '6 Data protection impact assessment',
      '7 Transparency',
      '8 Security',
      '9 Retention and destruction',
      '10 Personal data breaches',
      '11 Review',
      '12 Exit',
    ]);
  });

  it.each([
    [
      'financial framework allocates the envelope to the penny with the 70/30 split',
      'financial-framework',
      [
        'The envelope allocated by this framework is £40,000.00',
        '70% of the envelope (£28,000.00)',
        '30% (£12,000.00)',
        'per registered patient',
        'To be agreed',
      ],
    ],
    [
      'dispute procedure has the working-day ladder',
      'dispute-resolution',
      ['Within 10 working days of the notice', 'within 20 working days', 'within 28 days', 'Within 30 days'],
    ],
    ['conflict of interest policy has the gift and hospitality limits', 'conflict-of-interest-policy', ['£6.00', '£50.00', '£25.00', '£75.00']],
    [
      'vote result states the arithmetic and the result',
      'vote-result',
      [
        'Quorum met. 4 of 4 member practices voted',
        'Threshold met. 3 of 4 votes cast (75%)',
        'The motion was carried.',
        'Constitutional change (special resolution)',
        '15 April 2009, 17:00:00 UTC (15 April 2009, 18:00:00 BST)',
      ],
    ],
  ])('%s', (_what, type, phrases) => {
    const text = flat(pdfText(rendered.get(type)!.pdf));
    for (const phrase of phrases) expect(text).toContain(phrase);
  });

  it('financial framework table rows sum to the totals row (read from the DOCX table)', async () => {
    const cells = (await docxParagraphs(rendered.get('financial-framework')!.docx)).map((p) => p.text);
    const totalRow = cells.lastIndexOf('Total');
    expect(cells.slice(totalRow, totalRow + 7)).toEqual(['Total', '', '32,971', '100%', '£28,000.00', '£12,000.00', '£40,000.00']);
    const jubilee = cells.indexOf('Jubilee Street Group Practice', cells.indexOf('Allocation table'));
    expect(cells.slice(jubilee, jubilee + 7)).toEqual(['Jubilee Street Group Practice', 'F84001', '23,627', '71.7%', '£20,064.78', '£8,599.19', '£28,663.97']);
  });

  it('strategic plan has actions for each horizon', () => {
    const text = flat(pdfText(rendered.get('strategic-plan')!.pdf));
    inOrder(text, ['Short term (up to 1 year)', 'Medium term (1 to 3 years)', 'Long term (5 years and more)']);
  });

  it('election result names who was elected, the count round by round, and the tie with how the lot broke it', () => {
    const text = flat(pdfText(rendered.get('election-result')!.pdf));
    // Peter Ali and Kamal Ali are level from the start (a lot), then Peter Ali and James Evans (the first stage decides)
    expect(electionCount.tieBreaks.map((t) => t.method)).toEqual(['lot', 'earlier-stage']);
    expect(text).toContain('Elected: Dr James Evans');
    inOrder(text, ['Round 1: Dr Kamal Ali excluded', 'Round 2: Dr Peter Ali excluded', 'Round 3: Dr James Evans elected']);
    inOrder(text, [
      'Dr Peter Ali and Dr Kamal Ali were level with the fewest votes',
      'with no earlier stage to tell them apart',
      'settled by lot',
      'Dr Kamal Ali was excluded',
    ]);
    expect(text).toContain(
      'Dr James Evans and Dr Peter Ali were level with the fewest votes, so one of them had to be excluded. It was settled by their votes at an earlier stage (stage 1), where Dr Peter Ali had fewer',
    );
    expect(text).toContain('Turnout 4 of 4 practices voted');
    expect(text).not.toMatch(/cand-[abc]/);
  });

  it('panel outcome letter states the outcome, numbers its conditions, and shows the weighted scores and who sat', () => {
    const text = flat(pdfText(rendered.get('panel-outcome-letter')!.pdf));
    expect(text).toContain('the network passed, with conditions.');
    inOrder(text, [
      'Name the nominated payee',
      'Appoint the Clinical Director',
      'scored by two members of the panel',
      'Vision and aspirations',
      '4.5',
      'Leadership and payee',
      'not scored',
      'Weighted mean: 3.88 out of 5',
    ]);
    expect(text).toContain('Prof Sam Okafor, Queen Mary University of London (external member)');
    expect(text).not.toContain('The next wave');
  });

  it('panel outcome letter of a deferral names the next wave, and a conditional letter must list its conditions', async () => {
    const deferred = await renderTemplate(
      'panel-outcome-letter',
      { ...letterContext, outcome: 'defer', conditions: [], toWave: { number: 2, panelDate: '2009-06-15' } },
      ISSUE_META,
    );
    const text = flat(pdfText(deferred.pdf));
    expect(text).toContain('the network was deferred to the next wave.');
    expect(text).toContain('The network moves to wave 2. It presents again to that wave’s panel on 15 June 2009');
    expect(text).not.toContain('Conditions');
    await expect(renderTemplate('panel-outcome-letter', { ...letterContext, conditions: [] }, ISSUE_META)).rejects.toThrow(
      /conditions: a conditional outcome lists its conditions/,
    );
  });

  it('completion certificate lists every signer with UTC and London times', () => {
    const text = flat(pdfText(rendered.get('completion-certificate')!.pdf));
    expect(text).toContain('a'.repeat(64));
    inOrder(text, ['Dr James Evans', 'james.evans@example.org', '15 June 2009, 13:05:09 UTC', '15 June 2009, 14:05:09 BST', '203.0.113.7', 'Dr Peter Ali']);
    expect(text).toContain('esign-consent-1');
  });
});

describe('settlement record', () => {
  it('names the parties and numbers the terms, in words a party signs', () => {
    const text = flat(pdfText(rendered.get('settlement-record')!.pdf));
    expect(text).toContain('the dispute between Jubilee Street Group Practice and Highway Practice, members of Highway Network');
    inOrder(text, ['Raised on', '2 March 2009', 'Settled at', 'Network board', 'Terms agreed on', '16 March 2009']);
    inOrder(text, ['3 Terms agreed', '3.1 Jubilee Street gives Highway Practice two sessions a week', '3.2 The practices review the split in six months.']);
  });

  it('refuses a settlement with one party or no terms', async () => {
    await expect(renderTemplate('settlement-record', { ...settlementContext, parties: settlementContext.parties.slice(0, 1) }, ISSUE_META)).rejects.toThrow(
      /at least two parties/,
    );
    await expect(renderTemplate('settlement-record', { ...settlementContext, terms: [] }, ISSUE_META)).rejects.toThrow(/at least one term/);
  });
});
