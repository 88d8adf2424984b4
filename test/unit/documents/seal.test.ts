import { describe, expect, it } from 'vitest';
import { PDFDocument } from 'pdf-lib';
import { createTimestampTransport } from '../../../activities/timestamp-authority';
import { sha256 } from '../../../documents';
import { inspectSealedPdf, londonIso, readSeal, sealPdf, sealedSha256, SealError, type SealSigning } from '../../../documents/seal';
import { inspectPdf } from '../../../documents/verify';
import { certificateFromManifest, renderCertificate, renderTemplate, STAGE_TEMPLATES, type CompletionCertificateContext } from '../../../templates';
import { ISSUE_META, towerHamletsFacts } from '../../fixtures/network-facts';
import { testSealSigning } from '../../fixtures/seal-signing';
import { makeCertificateContext } from '../../support/document-contexts';
import { hasPdfsig, PDFSIG_MISSING, pdfsigReport } from '../../support/pdfsig';
import { startTestTsa } from '../../support/tsa';
import { flat, pdfPageCount, pdfText } from './extract';

async function agreedDocument() {
  const template = STAGE_TEMPLATES['terms-of-reference'];
  return renderTemplate(template.documentType, template.buildContext(towerHamletsFacts('Highway Network'), {}), ISSUE_META);
}

/** The signed round's certificate of `agreed`: one signer in summer (BST), one in winter (GMT). */
function makeCertificate(
  agreed: { sha256Pdf: string; sha256Docx: string; title: string },
  overrides: Partial<CompletionCertificateContext> = {},
): CompletionCertificateContext {
  const { documentId: id, version } = ISSUE_META;
  return makeCertificateContext({ id, version, title: agreed.title, sha256Pdf: agreed.sha256Pdf, sha256Docx: agreed.sha256Docx }, overrides);
}

const HEAD = { seq: 41, hash: 'c'.repeat(64) };

/** Seals `agreed` with the certificate rendered from `certificate`, as the sealing activity does. */
async function seal(
  agreed: { pdf: Buffer },
  certificate: CompletionCertificateContext,
  options: { sealedAt?: Date; signing?: SealSigning } = {},
): Promise<Buffer> {
  const sealedAt = options.sealedAt ?? new Date('2009-06-15T13:06:00Z');
  const certificatePdf = await renderCertificate(certificate, sealedAt);
  return sealPdf({
    agreedPdf: agreed.pdf,
    subject: certificate,
    certificatePdf,
    signing: options.signing ?? (await testSealSigning()),
    auditHead: HEAD,
    sealedAt,
  });
}

describe('sealPdf', () => {
  it('is given the same certificate PDF as a full render, without the DOCX nobody reads', async () => {
    const agreed = await agreedDocument();
    const certificate = makeCertificate(agreed);
    const sealedAt = new Date('2009-06-15T13:06:00Z');
    const full = await renderTemplate('completion-certificate', certificate, {
      documentId: certificate.document.id,
      version: certificate.document.version,
      networkName: certificate.network.name,
      issuedOn: '2009-06-15',
    });
    // byte for byte: a certificate rendered again for an evidence pack matches the one sealed
    expect((await renderCertificate(certificate, sealedAt)).equals(full.pdf)).toBe(true);
  });

  it('appends the certificate pages after the agreed pages', async () => {
    const agreed = await agreedDocument();
    const certificate = makeCertificate(agreed);
    const sealed = await seal(agreed, certificate);
    const agreedPages = await pdfPageCount(agreed.pdf);
    const certificatePages = await pdfPageCount(await renderCertificate(certificate, new Date('2009-06-15T13:06:00Z')));
    expect(certificatePages).toBeGreaterThan(0);
    expect(await pdfPageCount(sealed)).toBe(agreedPages + certificatePages);

    const contents = readSeal(sealed);
    expect(contents?.manifest.pages).toEqual({ agreed: agreedPages, certificate: certificatePages });
    expect(contents?.pageCount).toBe(agreedPages + certificatePages);

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
    const signing = await testSealSigning();
    const sealed = await seal(agreed, certificate, { sealedAt });
    const manifest = inspectSealedPdf(sealed);
    expect(manifest).toEqual({
      format: 'formwork-seal/2',
      documentId: ISSUE_META.documentId,
      version: 1,
      title: agreed.title,
      networkName: 'Highway Network',
      agreedSha256: agreed.sha256Pdf,
      agreedSha256Docx: agreed.sha256Docx,
      completedAt: '2009-06-15T13:05:09Z',
      signers: [
        expect.objectContaining({
          name: 'Dr James Evans',
          practice: 'Jubilee Street Group Practice',
          capacity: 'Partner',
          consentVersion: 'esign-consent-1',
          signedAtUtc: '2009-06-15T13:05:09.000Z',
          signedAtLondon: '2009-06-15T14:05:09+01:00',
          ip: '203.0.113.7',
          userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
          method: 'Action link sent by email; typed name',
        }),
        // winter: London is on GMT, offset zero
        expect.objectContaining({
          name: 'Dr Peter Ali',
          email: 'peter.ali@example.org',
          signedAtUtc: '2009-01-14T08:00:00.000Z',
          signedAtLondon: '2009-01-14T08:00:00+00:00',
        }),
      ],
      sealedAt: sealedAt.toISOString(),
      pages: expect.any(Object),
      auditHead: HEAD,
      signature: { certificateSha256: signing.identity.certificateSha256, signer: 'Formwork test sealing (self-signed)' },
    });
    const contents = readSeal(sealed, { withAgreedPdf: 10 * 1024 * 1024 });
    expect(contents?.agreedPdf?.equals(agreed.pdf)).toBe(true);
    expect(sha256(contents!.agreedPdf!)).toBe(manifest!.agreedSha256);
    // without asking, the agreed PDF is not decoded
    expect(readSeal(sealed)?.agreedPdf).toBeNull();
    // the certificate can be rebuilt from the manifest alone
    expect(certificateFromManifest(manifest!)).toEqual({
      ...certificate,
      signers: certificate.signers.map((s) => ({ ...s, signedAt: new Date(s.signedAt).toISOString() })),
    });
  });

  it('keeps the agreed document metadata and names the seal in the keywords', async () => {
    const agreed = await agreedDocument();
    const sealed = await seal(agreed, makeCertificate(agreed));
    const doc = await PDFDocument.load(sealed, { updateMetadata: false });
    expect(doc.getTitle()).toBe(agreed.title);
    expect(doc.getProducer()).toBe('Formwork');
    expect(doc.getKeywords()).toContain(`agreed-sha256:${agreed.sha256Pdf}`);
    expect(sealedSha256(sealed)).toBe(sha256(sealed));
  });

  it('refuses to seal a PDF that is not the one the certificate names', async () => {
    const agreed = await agreedDocument();
    const other = makeCertificate(agreed, { document: { id: 'doc-0001', version: 1, title: agreed.title, sha256Pdf: 'b'.repeat(64) } });
    await expect(seal(agreed, other)).rejects.toThrow(SealError);
    await expect(seal(agreed, other)).rejects.toThrow(/certificate names b{64}/);
  });
});

const pdfsigPresent = hasPdfsig();
if (!pdfsigPresent) console.warn(PDFSIG_MISSING);

describe('the PDF signature of a sealed PDF', () => {
  it.skipIf(!pdfsigPresent)('is PAdES, covers the whole document, and poppler’s pdfsig finds it valid (self-signed: issuer unknown)', async () => {
    const agreed = await agreedDocument();
    const sealed = await seal(agreed, makeCertificate(agreed));
    const report = pdfsigReport(sealed);
    expect(report.output).toContain('Signature Type: ETSI.CAdES.detached');
    expect(report.output).toContain('Total document signed');
    expect(report.output).toContain('Signature Validation: Signature is Valid.');
    expect(report.output).toContain('Signer Certificate Common Name: Formwork test sealing (self-signed)');
    expect(report.output).toContain('Signing Time: Jun 15 2009 13:06:00');
    // one changed byte inside the signed range, and pdfsig no longer accepts it
    const changed = Buffer.from(sealed);
    const at = changed.indexOf('/Producer');
    changed[at + 1] = 'p'.charCodeAt(0);
    expect(pdfsigReport(changed).output).not.toContain('Signature Validation: Signature is Valid.');
  });

  it('verifies with the certificate the manifest names, and fails after one changed byte', async () => {
    const agreed = await agreedDocument();
    const signing = await testSealSigning();
    const sealed = await seal(agreed, makeCertificate(agreed));
    const inspection = await inspectPdf(sealed);
    expect(inspection.sha256).toBe(sha256(sealed));
    expect(inspection.seal?.manifest.signature?.certificateSha256).toBe(signing.identity.certificateSha256);
    expect(inspection.signature).toEqual({
      present: true,
      valid: true,
      level: 'PAdES-B-B',
      signer: 'Formwork test sealing (self-signed)',
      certificateSha256: signing.identity.certificateSha256,
      timestampedAt: null,
    });

    const changed = Buffer.from(sealed);
    const at = changed.indexOf('/Producer');
    changed[at + 1] = 'p'.charCodeAt(0);
    const altered = await inspectPdf(changed);
    expect(altered.signature).toMatchObject({ present: true, valid: false, problem: expect.stringContaining('does not verify') });
    // the manifest can still be read, so verify can say which document was altered
    expect(altered.seal?.manifest.documentId).toBe(ISSUE_META.documentId);

    // bytes appended after the signature are outside its range: not the whole document any more
    const appended = Buffer.concat([sealed, Buffer.from('\n% appended\n')]);
    expect((await inspectPdf(appended)).signature).toMatchObject({ valid: false, problem: 'the signature does not cover the whole document' });
    // an unsealed PDF has no signature at all
    expect((await inspectPdf(agreed.pdf)).signature).toEqual({ present: false });
  });

  it('is PAdES B-T with a time-stamp from the configured authority (a local RFC 3161 responder)', async () => {
    const tsa = await startTestTsa();
    try {
      const agreed = await agreedDocument();
      const signing = { ...(await testSealSigning()), timestamp: createTimestampTransport(tsa.url) };
      const before = Date.now();
      const sealed = await seal(agreed, makeCertificate(agreed), { signing });
      expect(tsa.requests).toBe(1);
      const inspection = await inspectPdf(sealed);
      expect(inspection.signature).toMatchObject({ present: true, valid: true, level: 'PAdES-B-T' });
      const stamped = inspection.signature.present && inspection.signature.valid ? Date.parse(inspection.signature.timestampedAt!) : 0;
      expect(stamped).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
      if (pdfsigPresent) expect(pdfsigReport(sealed).output).toContain('Signature Validation: Signature is Valid.');

      // an authority that refuses: no seal is made (the activity is retried), rather than a B-B one
      tsa.refuse = true;
      await expect(seal(agreed, makeCertificate(agreed), { signing })).rejects.toThrow(/time-stamp authority refused/);
    } finally {
      await tsa.close();
    }
  });
});

describe('signature blocks in the sealed copy', () => {
  it('show who signed for each practice (a delegate included), in what capacity and when in UK time, marked as signed electronically', async () => {
    const agreed = await agreedDocument();
    const certificate = makeCertificate(agreed);
    // Jubilee Street's lead partner is printed in its block; a delegate signed instead
    certificate.signers[0] = { ...certificate.signers[0], name: 'Dr Delegate Partner' };
    expect(flat(pdfText(agreed.pdf))).toContain('Dr James Evans');
    const sealed = await seal(agreed, certificate);
    const agreedPages = await pdfPageCount(agreed.pdf);
    const signaturePage = pdfText(sealed, true).split('\f').slice(0, agreedPages).join('\f');
    expect(signaturePage).toContain('Signed electronically by Dr Delegate Partner');
    expect(signaturePage).toContain('Signed electronically by Dr Peter Ali');
    expect(flat(signaturePage)).toContain('15 June 2009, 14:05:09 BST');
    expect(flat(signaturePage)).toContain('14 January 2009, 08:00:00 GMT');
    // two practices signed: two blocks filled, the others left as they were
    expect(signaturePage.match(/Signed electronically by/g)).toHaveLength(2);
    // the agreed document itself is embedded unchanged
    expect(readSeal(sealed, { withAgreedPdf: 10 * 1024 * 1024 })?.agreedPdf?.equals(agreed.pdf)).toBe(true);
  });
});

describe('inspectSealedPdf', () => {
  it('finds nothing in an unsealed PDF or in bytes that are not a PDF', async () => {
    const agreed = await agreedDocument();
    expect(inspectSealedPdf(agreed.pdf)).toBeNull();
    expect(inspectSealedPdf(Buffer.from('hello, this is not a PDF'))).toBeNull();
    expect(inspectSealedPdf(Buffer.from('%PDF-1.7\ngarbage without structure'))).toBeNull();
  });

  it('ignores an attachment of the right name whose JSON is not a manifest', async () => {
    const doc = await PDFDocument.create();
    doc.addPage();
    await doc.attach(Buffer.from('{"documentId": 42}'), 'formwork-seal.json', { mimeType: 'application/json' });
    expect(inspectSealedPdf(Buffer.from(await doc.save({ useObjectStreams: false })))).toBeNull();
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
