/**
 * The certificate of completion on its own: rendered from a completed round (for sealing) or from a
 * seal manifest (for an evidence pack). Sealing itself (documents/seal.ts) is handed the pages.
 */
import type { SealManifest } from '../../documents/seal-manifest';
import { renderTemplatePdf } from '../render';
import type { CompletionCertificateContext } from './schema';

/** The certificate context a manifest was sealed from. */
export function certificateFromManifest(manifest: SealManifest): CompletionCertificateContext {
  return {
    network: { name: manifest.networkName },
    document: {
      id: manifest.documentId,
      version: manifest.version,
      title: manifest.title,
      sha256Pdf: manifest.agreedSha256,
      ...(manifest.agreedSha256Docx ? { sha256Docx: manifest.agreedSha256Docx } : {}),
    },
    completedAt: manifest.completedAt,
    signers: manifest.signers.map((s) => ({
      name: s.name,
      email: s.email,
      practice: s.practice,
      capacity: s.capacity,
      consentVersion: s.consentVersion,
      signedAt: s.signedAtUtc,
      ip: s.ip,
      userAgent: s.userAgent,
      method: s.method,
    })),
  };
}

/** The certificate of completion as a PDF, dated `issuedOn`. */
export async function renderCertificate(certificate: CompletionCertificateContext, issuedOn: Date): Promise<Buffer> {
  return renderTemplatePdf('completion-certificate', certificate, {
    documentId: certificate.document.id,
    version: certificate.document.version,
    networkName: certificate.network.name,
    issuedOn: issuedOn.toISOString().slice(0, 10),
  });
}
