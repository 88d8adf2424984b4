/**
 * What is sealed and what a sealed PDF says about itself: the schemas shared by sealing, the
 * certificate of completion (templates/completion-certificate) and verification. No PDF code here,
 * so a schema can be imported without the PDF libraries.
 */
import { z } from 'zod';

export const SEAL_FORMAT = 'formwork-seal/2';
/** Seals made before PDF signatures and audit anchors; still read and verified. */
export const SEAL_FORMAT_V1 = 'formwork-seal/1';

const instant = z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'must be an ISO date-time');
const sha = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lowercase hex SHA-256');

/** One signature of a completed round, as the certificate of completion prints it. */
export const sealSubjectSignerSchema = z.object({
  name: z.string().min(1),
  email: z.string().min(1),
  practice: z.string().min(1),
  capacity: z.string().min(1),
  consentVersion: z.string().min(1),
  signedAt: instant,
  ip: z.string().min(1),
  userAgent: z.string().min(1),
  method: z.string().min(1),
});

/**
 * A completed round to seal: the network, the agreed document with its hashes, when the round
 * completed, and every signature. This is also the context of the certificate of completion.
 */
export const sealSubjectSchema = z.object({
  network: z.object({ name: z.string().min(1) }),
  document: z.object({
    id: z.string().min(1),
    version: z.number().int().positive(),
    title: z.string().min(1),
    sha256Pdf: sha,
    sha256Docx: sha.optional(),
  }),
  completedAt: instant,
  signers: z.array(sealSubjectSignerSchema).min(1, 'a completed sign-off has at least one signer'),
});
export type SealSubject = z.infer<typeof sealSubjectSchema>;

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

/** The audit chain's head when the round was sealed: anchors the log up to `seq` in the sealed PDF. */
export const auditHeadSchema = z.object({ seq: z.number().int().nonnegative(), hash: sha });
export type AuditHead = z.infer<typeof auditHeadSchema>;

/** What a sealed PDF says about itself; also stored beside it, so the two can be compared. */
export const sealManifestSchema = z.object({
  format: z.enum([SEAL_FORMAT, SEAL_FORMAT_V1]),
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
  /** formwork-seal/2: the audit chain head read in the sealing transaction */
  auditHead: auditHeadSchema.optional(),
  /** formwork-seal/2: the certificate the PDF signature must be made with */
  signature: z.object({ certificateSha256: sha, signer: z.string() }).optional(),
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
