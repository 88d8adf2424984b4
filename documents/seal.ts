/**
 * Sealing: the agreed PDF of a completed sign-off with its signature blocks filled in, followed by
 * its certificate of completion, with a machine-readable manifest and the agreed PDF itself embedded
 * as file attachments, and a PAdES signature over the whole file made with the organisation's key.
 * Pure apart from the optional time-stamp transport: bytes in, bytes out. The sealed bytes are what
 * the store keeps and what POST /documents/verify compares.
 *
 * pdf-lib rewrites the whole file on save, so the agreed bytes are not a prefix of the sealed file;
 * embedding them unchanged lets anyone holding only the sealed PDF check the agreed SHA-256 that the
 * certificate states. The certificate's pages are rendered by the caller (templates/ owns them).
 */
import { pdflibAddPlaceholder } from '@signpdf/placeholder-pdf-lib';
import signpdf from '@signpdf/signpdf';
import { Signer, SUBFILTER_ETSI_CADES_DETACHED } from '@signpdf/utils';
import { AFRelationship, PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFRawStream, PDFString, decodePDFRawStream } from 'pdf-lib';
import { sha256 } from './hash';
import { createPadesSignature, type SigningIdentity, type TimestampTransport } from './pades';
import { claimedPageCount, openBoundedPdf, readEmbeddedFile, type ReaderLimits } from './pdf-reader';
import { SEAL_FORMAT, londonIso, sealManifestSchema, sealSubjectSchema, type AuditHead, type SealManifest, type SealSubject } from './seal-manifest';
import { fillSignatureBlocks } from './signature-blocks';

export { SEAL_FORMAT, SEAL_FORMAT_V1, auditHeadSchema, londonIso, sealManifestSchema, sealSignerSchema, sealSubjectSchema } from './seal-manifest';
export type { AuditHead, SealManifest, SealSigner, SealSubject } from './seal-manifest';

/** The attachment names inside a sealed PDF. */
export const MANIFEST_ATTACHMENT = 'formwork-seal.json';
export const AGREED_ATTACHMENT = 'agreed-document.pdf';
/** A manifest larger than this is not read (a real one is a few kB per signer). */
export const MANIFEST_MAX_BYTES = 1024 * 1024;
/** Room for the CMS signature: the certificates, and a time-stamp token with its authority's chain. */
const SIGNATURE_BYTES = 24 * 1024;

/** SHA-256 of the exact sealed bytes: the identity the store and the verifier use. */
export function sealedSha256(bytes: Uint8Array): string {
  return sha256(bytes);
}

/** Thrown when the agreed PDF does not match the certificate that is to be sealed onto it. */
export class SealError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealError';
  }
}

/** How sealed PDFs are signed: the organisation's identity and, for PAdES B-T, a time-stamp authority. */
export interface SealSigning {
  identity: SigningIdentity;
  /** present when a time-stamp authority is configured */
  timestamp?: TimestampTransport;
}

class PadesSigner extends Signer {
  constructor(private readonly signing: SealSigning) {
    super();
  }
  override async sign(signedBytes: Buffer): Promise<Buffer> {
    return createPadesSignature(signedBytes, this.signing.identity, { timestamp: this.signing.timestamp });
  }
}

export interface SealInput {
  agreedPdf: Buffer;
  /** the completed round: also the context the certificate was rendered from */
  subject: SealSubject;
  /** the certificate of completion, rendered from `subject` */
  certificatePdf: Buffer;
  signing: SealSigning;
  /** the audit chain head read in the sealing transaction */
  auditHead: AuditHead | null;
  sealedAt?: Date;
}

/**
 * Fills the agreed PDF's signature blocks, appends the certificate of completion, embeds the
 * manifest and the agreed PDF, and signs the result (PAdES B-B, or B-T with a time-stamp authority).
 * Refuses to seal when the agreed bytes are not the ones the subject names.
 */
export async function sealPdf(input: SealInput): Promise<Buffer> {
  const subject = sealSubjectSchema.parse(input.subject);
  const { agreedPdf, signing } = input;
  const agreedSha256 = sha256(agreedPdf);
  if (agreedSha256 !== subject.document.sha256Pdf) {
    throw new SealError(`the agreed PDF's SHA-256 is ${agreedSha256}, but the certificate names ${subject.document.sha256Pdf}`);
  }
  const sealedAt = input.sealedAt ?? new Date();

  // updateMetadata: false keeps the agreed document's own title, author and dates
  const doc = await PDFDocument.load(agreedPdf, { updateMetadata: false });
  const agreedPages = doc.getPageCount();
  await fillSignatureBlocks(doc, subject.signers);
  const certificatePdf = await PDFDocument.load(input.certificatePdf, { updateMetadata: false });
  const copied = await doc.copyPages(certificatePdf, certificatePdf.getPageIndices());
  for (const page of copied) doc.addPage(page);

  const manifest: SealManifest = {
    format: SEAL_FORMAT,
    documentId: subject.document.id,
    version: subject.document.version,
    title: subject.document.title,
    networkName: subject.network.name,
    agreedSha256,
    ...(subject.document.sha256Docx ? { agreedSha256Docx: subject.document.sha256Docx } : {}),
    completedAt: subject.completedAt,
    signers: subject.signers.map((s) => ({
      name: s.name,
      email: s.email,
      practice: s.practice,
      capacity: s.capacity,
      consentVersion: s.consentVersion,
      signedAtUtc: new Date(s.signedAt).toISOString(),
      signedAtLondon: londonIso(s.signedAt),
      ip: s.ip,
      userAgent: s.userAgent,
      method: s.method,
    })),
    sealedAt: sealedAt.toISOString(),
    pages: { agreed: agreedPages, certificate: copied.length },
    ...(input.auditHead ? { auditHead: input.auditHead } : {}),
    signature: { certificateSha256: signing.identity.certificateSha256, signer: signing.identity.subjectName },
  };

  await doc.attach(Buffer.from(JSON.stringify(manifest, null, 2), 'utf8'), MANIFEST_ATTACHMENT, {
    mimeType: 'application/json',
    description: 'Formwork seal manifest: the agreed document, its SHA-256 and its signers',
    creationDate: sealedAt,
    modificationDate: sealedAt,
    afRelationship: AFRelationship.Data,
  });
  await doc.attach(agreedPdf, AGREED_ATTACHMENT, {
    mimeType: 'application/pdf',
    description: `The agreed document as signed (SHA-256 ${agreedSha256})`,
    creationDate: sealedAt,
    modificationDate: sealedAt,
    afRelationship: AFRelationship.Source,
  });
  doc.setKeywords([`document:${manifest.documentId}`, `version:${manifest.version}`, `sealed:${manifest.sealedAt}`, `agreed-sha256:${agreedSha256}`]);
  doc.setModificationDate(sealedAt);
  doc.setProducer('Formwork');

  // an invisible signature field on the certificate's last page; the signature covers every byte
  // of the file except its own /Contents
  pdflibAddPlaceholder({
    pdfPage: doc.getPage(doc.getPageCount() - 1),
    reason: `Sealed by Formwork: ${manifest.title}, version ${manifest.version}, signed by every party named in the certificate of completion`,
    contactInfo: '',
    name: signing.identity.subjectName,
    location: '',
    signingTime: sealedAt,
    signatureLength: SIGNATURE_BYTES,
    subFilter: SUBFILTER_ETSI_CADES_DETACHED,
    appName: 'Formwork',
  });
  // a classic cross-reference table (no object streams) keeps the file readable by the bounded
  // reader that verification uses
  const unsigned = Buffer.from(await doc.save({ useObjectStreams: false }));
  return signpdf.sign(unsigned, new PadesSigner(signing), sealedAt);
}

/** True when the bytes start like a PDF (the header may follow up to 1 KB of junk, as readers allow). */
export function looksLikePdf(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(1024, bytes.byteLength)).includes('%PDF-');
}

export interface SealContents {
  manifest: SealManifest;
  /** the agreed PDF as embedded at sealing, when asked for and present */
  agreedPdf: Buffer | null;
  pageCount: number;
}

/**
 * Reads what a sealed PDF carries, with the bounded reader: only the manifest is decoded (at most
 * MANIFEST_MAX_BYTES), and the agreed PDF only when `withAgreedPdf` is given (up to that many bytes).
 * Null when the bytes are not a readable PDF or carry no valid Formwork manifest; never throws for
 * bad input. Synchronous and CPU-bound: run it on a worker thread for bytes from strangers.
 */
export function readSeal(bytes: Uint8Array, options: { withAgreedPdf?: number; limits?: ReaderLimits } = {}): SealContents | null {
  if (!looksLikePdf(bytes)) return null;
  try {
    const pdf = openBoundedPdf(bytes, options.limits);
    const raw = readEmbeddedFile(pdf, MANIFEST_ATTACHMENT, MANIFEST_MAX_BYTES, options.limits);
    if (!raw) return null;
    const parsed = sealManifestSchema.safeParse(JSON.parse(Buffer.from(raw).toString('utf8')));
    if (!parsed.success) return null;
    const agreed = options.withAgreedPdf ? readEmbeddedFile(pdf, AGREED_ATTACHMENT, options.withAgreedPdf, options.limits) : null;
    return { manifest: parsed.data, agreedPdf: agreed ? Buffer.from(agreed) : null, pageCount: claimedPageCount(pdf) };
  } catch {
    // a budget ran out (PdfReadError), pdf-lib could not parse an object, or the JSON is not JSON:
    // whatever the file is, it is not a readable seal
    return null;
  }
}

/**
 * Reads the manifest of a seal made before sealed PDFs were signed (formwork-seal/1, saved with
 * object streams, which the bounded reader does not follow), with a full pdf-lib parse. Only for
 * bytes known to be ours: their SHA-256 is that of a sealed PDF in the store. Null when absent.
 */
export async function readLegacySeal(bytes: Uint8Array): Promise<SealContents | null> {
  try {
    const doc = await PDFDocument.load(bytes, { updateMetadata: false, ignoreEncryption: true, throwOnInvalidObject: false });
    const names = doc.catalog.lookupMaybe(PDFName.of('Names'), PDFDict);
    const root = names?.lookupMaybe(PDFName.of('EmbeddedFiles'), PDFDict);
    const visited = new Set<PDFDict>();
    const stack = root ? [root] : [];
    let raw: Uint8Array | null = null;
    while (stack.length > 0 && !raw && visited.size < 512) {
      const node = stack.pop()!;
      if (visited.has(node)) continue;
      visited.add(node);
      const pairs = node.lookupMaybe(PDFName.of('Names'), PDFArray);
      for (let i = 0; pairs && i + 1 < pairs.size(); i += 2) {
        const name = pairs.lookup(i);
        if (!(name instanceof PDFString || name instanceof PDFHexString) || name.decodeText() !== MANIFEST_ATTACHMENT) continue;
        const stream = pairs
          .lookupMaybe(i + 1, PDFDict)
          ?.lookupMaybe(PDFName.of('EF'), PDFDict)
          ?.lookup(PDFName.of('F'));
        if (stream instanceof PDFRawStream) raw = decodePDFRawStream(stream).decode();
      }
      const kids = node.lookupMaybe(PDFName.of('Kids'), PDFArray);
      for (let i = 0; kids && i < kids.size(); i++) {
        const kid = kids.lookup(i);
        if (kid instanceof PDFDict) stack.push(kid);
      }
    }
    if (!raw || raw.length > MANIFEST_MAX_BYTES) return null;
    const parsed = sealManifestSchema.safeParse(JSON.parse(Buffer.from(raw).toString('utf8')));
    return parsed.success ? { manifest: parsed.data, agreedPdf: null, pageCount: doc.getPageCount() } : null;
  } catch {
    return null;
  }
}

/** The manifest embedded in a sealed PDF, or null when there is none (or the bytes are no PDF). */
export function inspectSealedPdf(bytes: Uint8Array): SealManifest | null {
  return readSeal(bytes)?.manifest ?? null;
}
