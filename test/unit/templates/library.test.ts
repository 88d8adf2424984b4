import { beforeAll, describe, expect, it } from 'vitest';
import { RenderedDocument, TemplateContextError } from '../../../documents';
import { DOCUMENT_TYPES, renderTemplate, STAGE_TEMPLATES, SUPPORTING_TEMPLATES, TEMPLATE_CATALOGUE } from '../../../templates';
import { ISSUE_META, makeNetwork, towerHamletsFacts } from '../../fixtures/network-facts';
import { docxParagraphs, docxPart, flat, pdfPageCount, pdfPages, pdfText } from '../documents/extract';
import { makeCertificateContext, stvElectionResult } from '../../support/document-contexts';

const facts = towerHamletsFacts('Highway Network');

function inOrder(text: string, parts: string[]): void {
  let at = -1;
  for (const part of parts) {
    const next = text.indexOf(part, at + 1);
    expect(next, `"${part}" after position ${at}`).toBeGreaterThan(at);
    at = next;
  }
}

const voteContext = {
  network: { name: 'Highway Network' },
  motion: {
    id: 'motion-7',
    title: 'Adopt the terms of reference',
    decisionType: 'constitutional',
    openedAt: '2009-04-01T09:00:00Z',
    closedAt: '2009-04-15T17:00:00Z',
  },
  rule: { version: 'tor-v1', description: 'Special resolution: at least 75% of votes cast, one practice one vote' },
  electorate: { practices: 4 },
  tallies: { for: 3, against: 1, abstain: 0 },
  quorum: { met: true, arithmetic: '4 of 4 member practices voted; the quorum is more than half (3), so the vote is quorate.' },
  threshold: { met: true, arithmetic: '3 of 4 votes cast (75%) were for; at least 75% were needed.' },
  result: 'carried',
  ballots: [
    { practice: 'Jubilee Street Group Practice', choice: 'for' },
    { practice: 'Highway Practice', choice: 'for' },
    { practice: 'Bow Road Practice', choice: 'for' },
    { practice: 'Whitechapel Practice', choice: 'against' },
  ],
};

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

describe('terms of reference', () => {
  it('has all twelve numbered sections in order, a contents page and a signature block per practice', async () => {
    const doc = rendered.get('terms-of-reference')!;
    const text = flat(pdfText(doc.pdf));
    const sections = [
      'Name, purpose and legal status',
      'Membership',
      'The Network Board',
      'Officers',
      'Meetings',
      'Quorum',
      'Decision-making',
      'Conflicts of interest',
      'Roles, responsibilities and delegation',
      'Finance, information and risk',
      'Patients, public and communications',
      'Review, amendment and signature',
    ];
    const [contentsPage, ...body] = pdfPages(doc.pdf);
    expect(contentsPage).toContain('Contents');
    sections.forEach((s, i) => expect(flat(contentsPage)).toContain(`${i + 1} ${s}`));
    inOrder(
      flat(body.join(' ')),
      sections.map((s, i) => `${i + 1} ${s}`),
    );
    expect(text).toContain(
      '6.1 A meeting of the Board is quorate when more than half of member practices including the Chair or the Clinical Director are present. With four member practices, that means at least three practices.',
    );
    expect(text).toContain('At least 75% of the votes cast (special resolution)');
    const cells = (await docxParagraphs(doc.docx)).map((p) => p.text);
    const expulsion = cells.indexOf('Expelling a member practice');
    expect(cells.slice(expulsion, expulsion + 3)).toEqual([
      'Expelling a member practice',
      'One practice, one vote',
      'Every member practice in favour, except the practice concerned, which does not vote',
    ]);
    for (const p of facts.practices) expect(text).toContain(`ODS code ${p.odsCode}`);
    expect(text.match(/Signed for and on behalf of/g)?.length).toBe(facts.practices.length);
    expect(text).toContain('32,971');
    expect(text).toContain('within the programme’s footprint of 24,000–40,000 patients');
    expect(await pdfPageCount(doc.pdf)).toBeGreaterThanOrEqual(5);
  });

  it('reads as written: who may join, the combined list stated once, the network named once under the title', async () => {
    const doc = rendered.get('terms-of-reference')!;
    const text = flat(pdfText(doc.pdf));
    expect(text).toContain(
      '2.2 A general practice holding a GMS, PMS or APMS contract whose registered population lies within the network area agreed with Tower Hamlets PCT may apply to join.',
    );
    expect(text).not.toMatch(/\bAny an? /);
    const membership = text.slice(text.indexOf('2.1 The member practices'), text.indexOf('2.2 '));
    expect(membership.match(/32,971/g)).toHaveLength(1);
    expect(membership.match(/combined registered list/g)).toHaveLength(1);
    // the title already names the network; the line under it is the version alone
    const firstPage = flat(pdfPages(doc.pdf)[0]);
    expect(firstPage).toContain('Terms of Reference and Constitution of Highway Network Version 1 · Issued 16 March 2009');
    const titleBlock = (await docxParagraphs(doc.docx))[1].text;
    expect(titleBlock).not.toContain('Highway Network');
    expect(titleBlock).toContain('Version 1');
    // a title that does not name the network is still followed by it
    const vote = flat(pdfPages(rendered.get('vote-result')!.pdf)[0]);
    expect(vote).toContain('Adopt the terms of reference Highway Network Version 1');
  });

  it('numbers headings and clauses with Word numbering in the DOCX, and has a contents field', async () => {
    const doc = rendered.get('terms-of-reference')!;
    const paragraphs = await docxParagraphs(doc.docx);
    const headings = paragraphs.filter((p) => p.style === 'Heading1');
    expect(headings.slice(0, 12).every((h) => h.numbered?.level === 0)).toBe(true);
    expect(headings.map((h) => h.text)).toContain('Schedule 1: Member practices');
    expect(headings.find((h) => h.text.startsWith('Schedule'))?.numbered).toBeNull();
    const quorumClause = paragraphs.find((p) => p.text.startsWith('A meeting of the Board is quorate'));
    expect(quorumClause?.numbered?.level).toBe(1);
    const xml = await docxPart(doc.docx, 'word/document.xml');
    expect(xml).toContain('TOC \\h \\o &quot;1-2&quot;');
    expect(xml).toContain('w:tblHeader');
    const numbering = await docxPart(doc.docx, 'word/numbering.xml');
    expect(numbering).toContain('w:val="%1.%2"');
    const styles = await docxPart(doc.docx, 'word/styles.xml');
    expect(styles).toContain('w:styleId="FormworkTable"');
    expect(styles).toContain('w:styleId="Heading1"');
  });

  it('shows or drops the sections that depend on choices', async () => {
    const ctx = STAGE_TEMPLATES['terms-of-reference'].buildContext(facts, {
      weightedVoting: true,
      legalForm: 'llp',
      entityName: 'Highway Health LLP',
      patientRepresentative: { included: false },
      censusDate: '2009-01-01',
    });
    const text = flat(pdfText((await renderTemplate('terms-of-reference', ctx, ISSUE_META)).pdf));
    expect(text).toContain('each practice’s weight is its registered list on 1 January 2009');
    expect(text).toContain('Highway Health LLP');
    expect(text).toContain('limited liability partnership (LLP)');
    expect(text).not.toContain('patient representative');
    expect(text).toContain('Votes weighted by registered list size');
    const plain = flat(pdfText(rendered.get('terms-of-reference')!.pdf));
    expect(plain).not.toContain('each practice’s weight is');
    expect(plain).toContain('a patient representative');
    expect(plain).toContain('It is not a legal entity');
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

describe('edge cases', () => {
  it('renders a one-practice network', async () => {
    const one = makeNetwork({ practiceCount: 1 });
    const doc = await renderTemplate('terms-of-reference', STAGE_TEMPLATES['terms-of-reference'].buildContext(one, {}), ISSUE_META);
    const text = flat(pdfText(doc.pdf));
    expect(text).toContain('a network of one general practice');
    expect(text).toContain('With one member practice, that means at least one practice.');
    expect(text.match(/Signed for and on behalf of/g)?.length).toBe(1);
  });

  it('renders a twelve-practice network, repeating the table header on each page', async () => {
    const twelve = makeNetwork({ practiceCount: 12 });
    const doc = await renderTemplate('financial-framework', STAGE_TEMPLATES['financial-framework'].buildContext(twelve, {}), ISSUE_META);
    const text = flat(pdfText(doc.pdf));
    expect(text.match(/Signed for and on behalf of/g)?.length).toBe(12);
    for (const p of twelve.practices) expect(text).toContain(p.odsCode);
    const tor = await renderTemplate('terms-of-reference', STAGE_TEMPLATES['terms-of-reference'].buildContext(twelve, {}), ISSUE_META);
    expect(flat(pdfText(tor.pdf))).toContain('With twelve member practices, that means at least seven practices.');
  });

  it('repeats a table’s header row when the table crosses a page', async () => {
    const many = makeNetwork({ practiceCount: 60 });
    const doc = await renderTemplate('terms-of-reference', STAGE_TEMPLATES['terms-of-reference'].buildContext(many, {}), ISSUE_META);
    const pagesWithSchedule = pdfText(doc.pdf, true)
      .split('\f')
      .filter((p) => /Y10\d{3}\s+[\d,]+\s+\d+\s*$/m.test(p));
    expect(pagesWithSchedule.length).toBeGreaterThan(1);
    for (const page of pagesWithSchedule) expect(page).toMatch(/Practice\s+ODS code\s+Registered\s+patients/);
  });

  it('wraps very long names instead of running off the page', async () => {
    const longName =
      'The Very Long Named Group Practice of St Katharine’s, Wapping, Shadwell, Limehouse and the Isle of Dogs Partnership (Ó Súilleabháin & Żółkiewski)';
    const base = makeNetwork({ practiceCount: 2 });
    const network = {
      ...base,
      network: { ...base.network, name: 'Supercalifragilisticexpialidociouslylongnetworknamewithoutanyspacesatall Network' },
      practices: base.practices.map((p, i) => (i === 0 ? { ...p, name: longName } : p)),
    };
    const doc = await renderTemplate('terms-of-reference', STAGE_TEMPLATES['terms-of-reference'].buildContext(network, {}), {
      ...ISSUE_META,
      networkName: network.network.name,
    });
    const text = flat(pdfText(doc.pdf));
    expect(text).toContain('Ó Súilleabháin & Żółkiewski');
    expect(text).toContain('St Katharine’s');
    const layoutText = pdfText(doc.pdf, true);
    // no line of the laid-out text is wider than the page allows
    expect(Math.max(...layoutText.split('\n').map((l) => l.length))).toBeLessThan(160);
  });

  it('renders a £0 envelope as an all-zero allocation table', async () => {
    const doc = await renderTemplate('financial-framework', STAGE_TEMPLATES['financial-framework'].buildContext(facts, { envelopePounds: 0 }), ISSUE_META);
    const text = flat(pdfText(doc.pdf));
    expect(text).toContain('The envelope allocated by this framework is £0.00');
    const cells = (await docxParagraphs(doc.docx)).map((p) => p.text);
    const totalRow = cells.lastIndexOf('Total');
    expect(cells.slice(totalRow, totalRow + 7)).toEqual(['Total', '', '32,971', '100%', '£0.00', '£0.00', '£0.00']);
  });

  it('allocates by custom shares that must still sum exactly', async () => {
    const ids = facts.practices.map((p) => p.id);
    const ctx = STAGE_TEMPLATES['financial-framework'].buildContext(facts, {
      envelopePounds: 100_000.01,
      distributionMethod: 'custom',
      customShares: { [ids[0]]: 33.33, [ids[1]]: 33.33, [ids[2]]: 33.34, [ids[3]]: 0 },
    });
    const text = flat(pdfText((await renderTemplate('financial-framework', ctx, ISSUE_META)).pdf));
    expect(text).toContain('£100,000.01');
    expect(text).toContain('in the custom shares agreed by the Board');
  });

  it('lays out a word of 150,000 characters, in a paragraph and in a table cell, breaking it across lines', async () => {
    // past the stage-data limits (which refuse it at the edge), straight into the context: the
    // renderer must lay out whatever it is given
    const word = 'Z'.repeat(150_000);
    const ctx = STAGE_TEMPLATES['strategic-plan'].buildContext(facts, {}) as Record<string, unknown>;
    const doc = await renderTemplate('strategic-plan', { ...ctx, vision: word, risks: [{ risk: word, mitigation: 'Keep the register' }] }, ISSUE_META);
    const text = pdfText(doc.pdf);
    // every character is on some page, in lines that fit it
    expect(text.match(/Z/g)).toHaveLength(2 * 150_000);
    const longest = Math.max(...text.split('\n').map((l) => l.match(/Z+/)?.[0].length ?? 0));
    expect(longest).toBeGreaterThan(20);
    expect(longest).toBeLessThan(200);
    expect((await docxParagraphs(doc.docx)).some((p) => p.text.includes(word))).toBe(true);
  });
});

describe('bad context', () => {
  it('throws TemplateContextError naming each invalid or missing field', async () => {
    const good = STAGE_TEMPLATES['terms-of-reference'].buildContext(facts, {}) as Record<string, unknown>;
    const bad = { ...good, quorum: { description: '' }, practices: [{ ...(good.practices as object[])[0], odsCode: 42 }], network: undefined };
    const error = await renderTemplate('terms-of-reference', bad, ISSUE_META).catch((e) => e);
    expect(error).toBeInstanceOf(TemplateContextError);
    const paths = (error as TemplateContextError).issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining(['network', 'practices.0.odsCode', 'quorum.description', 'quorum.minimumPractices', 'quorum.requiredOffices']),
    );
  });

  it('rejects a bad meta and a bad vote result together', async () => {
    const error = await renderTemplate(
      'vote-result',
      { ...voteContext, result: 'maybe', tallies: { for: -1, against: 0, abstain: 0 } },
      { ...ISSUE_META, issuedOn: '16/03/2009' },
    ).catch((e) => e);
    expect(error).toBeInstanceOf(TemplateContextError);
    expect((error as TemplateContextError).issues.map((i) => i.path).sort()).toEqual(['meta.issuedOn', 'result', 'tallies.for']);
  });

  it('validates stage data strictly but accepts none at all', () => {
    for (const t of Object.values(STAGE_TEMPLATES)) expect(() => t.stageDataSchema.parse({})).not.toThrow();
    expect(() => STAGE_TEMPLATES['terms-of-reference'].stageDataSchema.parse({ noticeDays: 0 })).toThrow();
    expect(() => STAGE_TEMPLATES['financial-framework'].stageDataSchema.parse({ distributionMethod: 'lottery' })).toThrow();
  });

  it('caps the length of every text field and list of stage data, and refuses characters no document can hold', () => {
    const strategic = STAGE_TEMPLATES['strategic-plan'].stageDataSchema;
    const tooLong = strategic.safeParse({
      vision: 'Z'.repeat(150_000),
      kpis: Array.from({ length: 51 }, (_, i) => `KPI ${i}`),
      risks: [{ risk: 'r'.repeat(1001), mitigation: 'm' }],
    });
    expect(tooLong.success).toBe(false);
    expect(tooLong.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['kpis', 'risks.0.risk', 'vision']);
    expect(strategic.safeParse({ vision: 'V'.repeat(5000), kpis: Array.from({ length: 50 }, (_, i) => `KPI ${i}`) }).success).toBe(true);
    const tor = STAGE_TEMPLATES['terms-of-reference'].stageDataSchema.safeParse({ chair: 'Dr Ann Lee\uD800', entityName: 'x'.repeat(201) });
    expect(tor.success).toBe(false);
    expect(tor.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual(
      expect.arrayContaining([
        ['chair', expect.stringContaining('lone surrogate')],
        ['entityName', expect.stringMatching(/200/)],
      ]),
    );
    for (const [stage, field] of [
      ['panel-presentation', 'vision'],
      ['legal-entity', 'purpose'],
      ['data-sharing-agreement', 'retention'],
      ['financial-framework', 'reporting'],
    ] as const) {
      expect(STAGE_TEMPLATES[stage].stageDataSchema.safeParse({ [field]: 'x'.repeat(150_000) }).success, `${stage}.${field}`).toBe(false);
    }
  });
});

describe('template overrides', () => {
  it('renders an override, records its version, and reports fields it needs that the context lacks', async () => {
    const ctx = STAGE_TEMPLATES['terms-of-reference'].buildContext(facts, {});
    const doc = await renderTemplate('terms-of-reference', ctx, ISSUE_META, {
      source: '# Local ToR for {{network.name}}\n\n## Quorum\n\n1. {{quorum.description}}.\n',
      version: 'override:highway@3',
    });
    expect(doc.templateVersion).toBe('override:highway@3');
    expect(doc.title).toBe('Local ToR for Highway Network');
    expect(flat(pdfText(doc.pdf))).toContain('1.1 more than half of member practices');
    const error = await renderTemplate('terms-of-reference', ctx, ISSUE_META, { source: '# X\n\n{{network.chair}} {{fundingPot}}', version: 'v' }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(TemplateContextError);
    expect((error as TemplateContextError).issues.map((i) => i.path)).toEqual(['network.chair', 'fundingPot']);
    const syntax = await renderTemplate('terms-of-reference', ctx, ISSUE_META, { source: '{{#if x}}', version: 'v' }).catch((e) => e);
    expect((syntax as TemplateContextError).issues[0].path).toBe('template');
  });

  it('renders the same markdown to the same content hash in every footer', async () => {
    const a = rendered.get('strategic-plan')!;
    const b = await renderTemplate('strategic-plan', STAGE_TEMPLATES['strategic-plan'].buildContext(facts, {}), ISSUE_META);
    expect(b.markdown).toBe(a.markdown);
    const hash = /content ([0-9a-f]{12})/.exec(pdfText(a.pdf))?.[1];
    expect(hash).toBeDefined();
    expect(pdfText(b.pdf)).toContain(`content ${hash}`);
  });
});
