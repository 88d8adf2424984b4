/**
 * Certificate of completion of a sign-off: which document (id, version, hashes) was signed, by whom,
 * in what capacity, with what consent, when (UTC and Europe/London), from where and how.
 */
import { z } from 'zod';

const instant = z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'must be an ISO date-time');
const sha = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lowercase hex SHA-256');

export const signerSchema = z.object({
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

export const contextSchema = z.object({
  network: z.object({ name: z.string().min(1) }),
  document: z.object({
    id: z.string().min(1),
    version: z.number().int().positive(),
    title: z.string().min(1),
    sha256Pdf: sha,
    sha256Docx: sha.optional(),
  }),
  completedAt: instant,
  signers: z.array(signerSchema).min(1, 'a completed sign-off has at least one signer'),
});
export type CompletionCertificateContext = z.infer<typeof contextSchema>;
export type CompletionSigner = z.infer<typeof signerSchema>;
