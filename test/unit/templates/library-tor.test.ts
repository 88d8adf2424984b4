import { beforeAll, describe, expect, it } from 'vitest';
import type { RenderedDocument } from '../../../documents';
import { renderTemplate, STAGE_TEMPLATES } from '../../../templates';
import { ISSUE_META, towerHamletsFacts } from '../../fixtures/network-facts';
import { docxParagraphs, docxPart, flat, inOrder, pdfPageCount, pdfPages, pdfText } from '../documents/extract';
import { voteResultContext } from '../../support/document-contexts';

/** The terms of reference of the Tower Hamlets scenario's Highway Network, and the vote result that adopts them. */
const facts = towerHamletsFacts('Highway Network');
let torDoc: RenderedDocument;
let voteDoc: RenderedDocument;

beforeAll(async () => {
  torDoc = await renderTemplate('terms-of-reference', STAGE_TEMPLATES['terms-of-reference'].buildContext(facts, {}), ISSUE_META);
  voteDoc = await renderTemplate('vote-result', voteResultContext, ISSUE_META);
});

describe('terms of reference', () => {
  it('has all twelve numbered sections in order, a contents page and a signature block per practice', async () => {
    const doc = torDoc;
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
    const doc = torDoc;
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
    const vote = flat(pdfPages(voteDoc.pdf)[0]);
    expect(vote).toContain('Adopt the terms of reference Highway Network Version 1');
  });

  it('numbers headings and clauses with Word numbering in the DOCX, and has a contents field', async () => {
    const doc = torDoc;
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
    const plain = flat(pdfText(torDoc.pdf));
    expect(plain).not.toContain('each practice’s weight is');
    expect(plain).toContain('a patient representative');
    expect(plain).toContain('It is not a legal entity');
  });
});
