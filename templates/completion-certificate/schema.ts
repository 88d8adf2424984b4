/**
 * Certificate of completion of a sign-off: which document (id, version, hashes) was signed, by whom,
 * in what capacity, with what consent, when (UTC and Europe/London), from where and how. Its context
 * is exactly what is sealed, so the schema is the sealing one.
 */
import type { z } from 'zod';
import { sealSubjectSchema, sealSubjectSignerSchema } from '../../documents/seal-manifest';

export const signerSchema = sealSubjectSignerSchema;
export const contextSchema = sealSubjectSchema;
export type CompletionCertificateContext = z.infer<typeof contextSchema>;
export type CompletionSigner = z.infer<typeof signerSchema>;
