/**
 * Sealing: the agreed PDF of a completed sign-off, followed by its certificate of completion, with a
 * machine-readable manifest and the agreed PDF itself embedded as file attachments. Pure: bytes in,
 * bytes out. The sealed bytes are what the store keeps and what POST /documents/verify compares.
 *
 * pdf-lib rewrites the whole file on save, so the agreed bytes are not a prefix of the sealed file;
 * embedding them unchanged lets anyone holding only the sealed PDF check the agreed SHA-256 that
 * the certificate states.
 */
import { z } from 'zod';
import { AFRelationship, PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFRawStream, PDFString, decodePDFRawStream } from 'pdf-lib';
import type { CompletionCertificateContext } from '../templates';
import { contextSchema as certificateSchema } from '../templates/completion-certificate/schema';
import { sha256 } from './hash';
import { renderDocument } from './index';

/** The attachment names inside a sealed PDF. */
export const MANIFEST_ATTACHMENT = 'formwork-seal.json';
export const AGREED_ATTACHMENT = 'agreed-document.pdf';
export const SEAL_FORMAT = 'formwork-seal/1';

const instant = z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'must be an ISO date-time');
const sha = z.string().regex(/^[0-9a-f]{64}$/);

export const sealSignerSchema = z.object({
  name: z.string(),
  email: z.string(),
  practice: z.string(),
  capacity: z.string(),
  consentVersion: z.string(),
  signedAtUtc: instant,
  /** the same instant as local time in Europe/London with its offset, e.g. 2026-06-01T14:03:00+01:00 */
  signedAtLondon: z.string(),
  ip: z.string(),
  userAgent: z.string(),
  method: z.string(),
});

/** What a sealed PDF says about itself; also stored beside it, so the two can be compared. */
export const sealManifestSchema = z.object({
  format: z.literal(SEAL_FORMAT),
  documentId: z.string().min(1),
  version: z.number().int().positive(),
  title: z.string(),
  networkName: z.string(),
  agreedSha256: sha,
  agreedSha256Docx: sha.optional(),
  completedAt: instant,
  signers: z.array(sealSignerSchema).min(1),
  sealedAt: instant,
  pages: z.object({ agreed: z.number().int().positive(), certificate: z.number().int().positive() }),
});
export type SealManifest = z.infer<typeof sealManifestSchema>;
export type SealSigner = z.infer<typeof sealSignerSchema>;

const londonParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'longOffset',
});

/** An instant as ISO-8601 local time in Europe/London with its UTC offset (GMT or BST). */
export function londonIso(value: string | Date): string {
  const parts = londonParts.formatToParts(new Date(value));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  // "GMT" at zero offset, "GMT+01:00" in summer
  const offset = get('timeZoneName').replace(/^GMT/, '') || '+00:00';
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}:${get('second')}${offset}`;
}

/** SHA-256 of the exact sealed bytes: the identity the store and the verifier use. */
export function sealedSha256(bytes: Uint8Array): string {
  return sha256(bytes);
}

/** The certificate context a manifest was sealed from, for rendering the certificate on its own. */
export function certificateFromManifest(manifest: SealManifest): CompletionCertificateContext {
  return {
    network: { name: manifest.networkName },
    document: { id: manifest.documentId, version: manifest.version, title: manifest.title, sha256Pdf: manifest.agreedSha256, ...(manifest.agreedSha256Docx ? { sha256Docx: manifest.agreedSha256Docx } : {}) },
    completedAt: manifest.completedAt,
    signers: manifest.signers.map((s) => ({ name: s.name, email: s.email, practice: s.practice, capacity: s.capacity, consentVersion: s.consentVersion, signedAt: s.signedAtUtc, ip: s.ip, userAgent: s.userAgent, method: s.method })),
  };
}

/** Renders the certificate of completion on its own (the pages sealPdf appends). */
export async function renderCertificate(certificate: CompletionCertificateContext, issuedOn: Date): Promise<Buffer> {
  const rendered = await renderDocument('completion-certificate', certificate, {
    documentId: certificate.document.id,
    version: certificate.document.version,
    networkName: certificate.network.name,
    issuedOn: issuedOn.toISOString().slice(0, 10),
  });
  return rendered.pdf;
}

/** Thrown when the agreed PDF does not match the certificate that is to be sealed onto it. */
export class SealError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealError';
  }
}

/**
 * Appends the certificate of completion to the agreed PDF and embeds the manifest and the agreed PDF
 * as attachments. Refuses to seal when the agreed bytes are not the ones the certificate names.
 */
export async function sealPdf(agreedPdf: Buffer, certificate: CompletionCertificateContext, options: { sealedAt?: Date } = {}): Promise<Buffer> {
  const context = certificateSchema.parse(certificate);
  const agreedSha256 = sha256(agreedPdf);
  if (agreedSha256 !== context.document.sha256Pdf) {
    throw new SealError(`the agreed PDF's SHA-256 is ${agreedSha256}, but the certificate names ${context.document.sha256Pdf}`);
  }
  const sealedAt = options.sealedAt ?? new Date();

  // updateMetadata: false keeps the agreed document's own title, author and dates
  const doc = await PDFDocument.load(agreedPdf, { updateMetadata: false });
  const agreedPages = doc.getPageCount();
  const certificatePdf = await PDFDocument.load(await renderCertificate(context, sealedAt), { updateMetadata: false });
  const copied = await doc.copyPages(certificatePdf, certificatePdf.getPageIndices());
  for (const page of copied) doc.addPage(page);

  const manifest: SealManifest = {
    format: SEAL_FORMAT,
    documentId: context.document.id,
    version: context.document.version,
    title: context.document.title,
    networkName: context.network.name,
    agreedSha256,
    ...(context.document.sha256Docx ? { agreedSha256Docx: context.document.sha256Docx } : {}),
    completedAt: context.completedAt,
    signers: context.signers.map((s) => ({
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
  return Buffer.from(await doc.save({ useObjectStreams: true }));
}

/** True when the bytes start like a PDF (the header may follow up to 1 KB of junk, as readers allow). */
export function looksLikePdf(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.subarray(0, 1024)).includes('%PDF-');
}

function nameOf(value: unknown): string | null {
  if (value instanceof PDFString || value instanceof PDFHexString) return value.decodeText();
  return null;
}

/** The embedded files of a PDF by name, walking the EmbeddedFiles name tree (Names and Kids). */
function embeddedFiles(doc: PDFDocument): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  const names = doc.catalog.lookupMaybe(PDFName.of('Names'), PDFDict);
  const root = names?.lookupMaybe(PDFName.of('EmbeddedFiles'), PDFDict);
  const visit = (node: PDFDict, depth: number) => {
    if (depth > 32) return;
    const pairs = node.lookupMaybe(PDFName.of('Names'), PDFArray);
    for (let i = 0; pairs && i + 1 < pairs.size(); i += 2) {
      const name = nameOf(pairs.lookup(i));
      const spec = pairs.lookup(i + 1);
      if (!name || !(spec instanceof PDFDict)) continue;
      const stream = spec.lookupMaybe(PDFName.of('EF'), PDFDict)?.lookup(PDFName.of('F'));
      if (stream instanceof PDFRawStream) files.set(name, decodePDFRawStream(stream).decode());
    }
    const kids = node.lookupMaybe(PDFName.of('Kids'), PDFArray);
    for (let i = 0; kids && i < kids.size(); i++) {
      const kid = kids.lookup(i);
      if (kid instanceof PDFDict) visit(kid, depth + 1);
    }
  };
  if (root) visit(root, 0);
  return files;
}

export interface SealContents {
  manifest: SealManifest;
  /** the agreed PDF as embedded at sealing, if present */
  agreedPdf: Buffer | null;
  pageCount: number;
}

/**
 * Reads what a sealed PDF carries. Null when the bytes are not a readable PDF or carry no valid
 * Formwork manifest; never throws for bad input.
 */
export async function readSeal(bytes: Uint8Array): Promise<SealContents | null> {
  if (!looksLikePdf(bytes)) return null;
  let doc: PDFDocument;
  try {
    doc = await PDFDocument.load(bytes, { updateMetadata: false, ignoreEncryption: true, throwOnInvalidObject: false });
  } catch {
    return null;
  }
  let files: Map<string, Uint8Array>;
  try {
    files = embeddedFiles(doc);
  } catch {
    return null;
  }
  const raw = files.get(MANIFEST_ATTACHMENT);
  if (!raw) return null;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(raw).toString('utf8'));
  } catch {
    return null;
  }
  const parsed = sealManifestSchema.safeParse(json);
  if (!parsed.success) return null;
  const agreed = files.get(AGREED_ATTACHMENT);
  return { manifest: parsed.data, agreedPdf: agreed ? Buffer.from(agreed) : null, pageCount: doc.getPageCount() };
}

/** The manifest embedded in a sealed PDF, or null when there is none (or the bytes are no PDF). */
export async function inspectSealedPdf(bytes: Buffer): Promise<SealManifest | null> {
  return (await readSeal(bytes))?.manifest ?? null;
}
