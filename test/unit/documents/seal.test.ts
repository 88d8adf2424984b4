import { describe, expect, it } from 'vitest';
import { PDFDocument } from 'pdf-lib';
import { renderDocument, sha256 } from '../../../documents';
import { certificateFromManifest, inspectSealedPdf, londonIso, readSeal, sealPdf, sealedSha256, SealError } from '../../../documents/seal';
import { STAGE_TEMPLATES, type CompletionCertificateContext } from '../../../templates';
import { ISSUE_META, towerHamletsFacts } from '../../fixtures/network-facts';
import { flat, pdfPageCount, pdfText } from './extract';

async function agreedDocument() {
  const template = STAGE_TEMPLATES['terms-of-reference'];
  return renderDocument(template.documentType, template.buildContext(towerHamletsFacts('Highway Network'), {}), ISSUE_META);
}

function makeCertificate(agreed: { sha256Pdf: string; sha256Docx: string; title: string }, overrides: Partial<CompletionCertificateContext> = {}): CompletionCertificateContext {
  return {
    network: { name: 'Highway Network' },
    document: { id: ISSUE_META.documentId, version: ISSUE_META.version, title: agreed.title, sha256Pdf: agreed.sha256Pdf, sha256Docx: agreed.sha256Docx },
    completedAt: '2009-06-15T13:05:09Z',
    signers: [
      { name: 'Dr James Evans', email: 'james.evans@example.org', practice: 'Jubilee Street Group Practice', capacity: 'Partner', consentVersion: 'esign-consent-1', signedAt: '2009-06-15T13:05:09Z', ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (X11; Linux x86_64)', method: 'Action link sent by email; typed name' },
      { name: 'Dr Peter Ali', email: 'peter.ali@example.org', practice: 'Highway Practice', capacity: 'Partner', consentVersion: 'esign-consent-1', signedAt: '2009-01-14T08:00:00Z', ip: '198.51.100.4', userAgent: 'Mozilla/5.0 (Windows NT 10.0)', method: 'Action link sent by email; typed name' },
    ],
    ...overrides,
  };
}

describe('sealPdf', () => {
  it('appends the certificate pages after the agreed pages', async () => {
    const agreed = await agreedDocument();
    const certificate = makeCertificate(agreed);
    const sealed = await sealPdf(agreed.pdf, certificate, { sealedAt: new Date('2009-06-15T13:06:00Z') });
    const agreedPages = await pdfPageCount(agreed.pdf);
    const certificateOnly = await renderDocument('completion-certificate', certificate, { ...ISSUE_META, issuedOn: '2009-06-15' });
    const certificatePages = await pdfPageCount(certificateOnly.pdf);
    expect(certificatePages).toBeGreaterThan(0);
    expect(await pdfPageCount(sealed)).toBe(agreedPages + certificatePages);

    const seal = await readSeal(sealed);
    expect(seal?.manifest.pages).toEqual({ agreed: agreedPages, certificate: certificatePages });

    // the agreed text comes first, then the certificate with every signer and the agreed hash
    const text = flat(pdfText(sealed));
    const agreedText = flat(pdfText(agreed.pdf));
    expect(text.startsWith(agreedText.slice(0, 200))).toBe(true);
    const at = text.indexOf('Certificate of Completion');
    expect(at).toBeGreaterThan(agreedText.length / 2);
    const tail = text.slice(at);
    expect(tail).toContain(agreed.sha256Pdf);
    for (const s of certificate.signers) {
      expect(tail).toContain(s.name);
      expect(tail).toContain(s.email);
      expect(tail).toContain(s.ip);
    }
    expect(tail).toContain('15 June 2009, 13:05:09 UTC');
    expect(tail).toContain('15 June 2009, 14:05:09 BST');
  });

  it('embeds a manifest that round-trips, and the agreed PDF byte for byte', async () => {
    const agreed = await agreedDocument();
    const certificate = makeCertificate(agreed);
    const sealedAt = new Date('2009-06-15T13:06:00Z');
    const sealed = await sealPdf(agreed.pdf, certificate, { sealedAt });
    const manifest = await inspectSealedPdf(sealed);
    expect(manifest).toEqual({
      format: 'formwork-seal/1',
      documentId: ISSUE_META.documentId,
      version: 1,
      title: agreed.title,
      networkName: 'Highway Network',
      agreedSha256: agreed.sha256Pdf,
      agreedSha256Docx: agreed.sha256Docx,
      completedAt: '2009-06-15T13:05:09Z',
      signers: [
        expect.objectContaining({ name: 'Dr James Evans', practice: 'Jubilee Street Group Practice', capacity: 'Partner', consentVersion: 'esign-consent-1', signedAtUtc: '2009-06-15T13:05:09.000Z', signedAtLondon: '2009-06-15T14:05:09+01:00', ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (X11; Linux x86_64)', method: 'Action link sent by email; typed name' }),
        // winter: London is on GMT, offset zero
        expect.objectContaining({ name: 'Dr Peter Ali', email: 'peter.ali@example.org', signedAtUtc: '2009-01-14T08:00:00.000Z', signedAtLondon: '2009-01-14T08:00:00+00:00' }),
      ],
      sealedAt: sealedAt.toISOString(),
      pages: expect.any(Object),
    });
    const seal = await readSeal(sealed);
    expect(seal?.agreedPdf?.equals(agreed.pdf)).toBe(true);
    expect(sha256(seal!.agreedPdf!)).toBe(manifest!.agreedSha256);
    // the certificate can be rebuilt from the manifest alone
    expect(certificateFromManifest(manifest!)).toEqual({ ...certificate, signers: certificate.signers.map((s) => ({ ...s, signedAt: new Date(s.signedAt).toISOString() })) });
  });

  it('keeps the agreed document metadata and names the seal in the keywords', async () => {
    const agreed = await agreedDocument();
    const sealed = await sealPdf(agreed.pdf, makeCertificate(agreed), { sealedAt: new Date('2009-06-15T13:06:00Z') });
    const doc = await PDFDocument.load(sealed, { updateMetadata: false });
    expect(doc.getTitle()).toBe(agreed.title);
    expect(doc.getProducer()).toBe('Formwork');
    expect(doc.getKeywords()).toContain(`agreed-sha256:${agreed.sha256Pdf}`);
    expect(sealedSha256(sealed)).toBe(sha256(sealed));
  });

  it('refuses to seal a PDF that is not the one the certificate names', async () => {
    const agreed = await agreedDocument();
    const other = makeCertificate(agreed, { document: { id: 'doc-0001', version: 1, title: agreed.title, sha256Pdf: 'b'.repeat(64) } });
    await expect(sealPdf(agreed.pdf, other)).rejects.toThrow(SealError);
    await expect(sealPdf(agreed.pdf, other)).rejects.toThrow(/certificate names b{64}/);
  });
});

describe('inspectSealedPdf', () => {
  it('finds nothing in an unsealed PDF or in bytes that are not a PDF', async () => {
    const agreed = await agreedDocument();
    expect(await inspectSealedPdf(agreed.pdf)).toBeNull();
    expect(await inspectSealedPdf(Buffer.from('hello, this is not a PDF'))).toBeNull();
    expect(await inspectSealedPdf(Buffer.from('%PDF-1.7\ngarbage without structure'))).toBeNull();
  });

  it('ignores an attachment of the right name whose JSON is not a manifest', async () => {
    const doc = await PDFDocument.create();
    doc.addPage();
    await doc.attach(Buffer.from('{"documentId": 42}'), 'formwork-seal.json', { mimeType: 'application/json' });
    expect(await inspectSealedPdf(Buffer.from(await doc.save()))).toBeNull();
  });
});

describe('londonIso', () => {
  it('gives the local time with the GMT or BST offset', () => {
    expect(londonIso('2026-03-29T00:59:59Z')).toBe('2026-03-29T00:59:59+00:00');
    expect(londonIso('2026-03-29T01:00:00Z')).toBe('2026-03-29T02:00:00+01:00');
    expect(londonIso('2026-10-25T00:30:00Z')).toBe('2026-10-25T01:30:00+01:00');
    expect(londonIso('2026-10-25T01:30:00Z')).toBe('2026-10-25T01:30:00+00:00');
  });
});
