import { z } from 'zod';

/**
 * Every audit event type. Adding one is a schema change: the chain stores these payloads and a
 * verifier re-hashes them, so shapes must stay stable once written.
 */
const id = z.string().min(1);

export const auditEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('programme.created'), programmeId: id, name: z.string() }),
  z.object({ type: z.literal('wave.created'), programmeId: id, waveId: id, number: z.number() }),
  z.object({ type: z.literal('network.created'), networkId: id, name: z.string(), practiceIds: z.array(id) }),
  z.object({ type: z.literal('formation.started'), networkId: id, workflowId: z.string() }),
  z.object({ type: z.literal('stage.started'), networkId: id, stage: z.string() }),
  z.object({ type: z.literal('stage.data-submitted'), networkId: id, stage: z.string(), revision: z.number() }),
  z.object({ type: z.literal('stage.completed'), networkId: id, stage: z.string() }),
  z.object({ type: z.literal('stage.returned-to-drafting'), networkId: id, stage: z.string(), reason: z.string() }),
  z.object({ type: z.literal('document.stored'), documentId: id, networkId: id, docType: z.string(), version: z.number(), sha256Pdf: z.string(), sha256Docx: z.string() }),
  z.object({ type: z.literal('signature.requested'), signoffId: id, personId: id, practiceId: id, documentId: id }),
  z.object({ type: z.literal('signature.signed'), signoffId: id, signatureId: id, personId: id, practiceId: id, documentId: id, documentVersion: z.number(), documentSha256: z.string() }),
  z.object({ type: z.literal('signature.declined'), signoffId: id, personId: id, practiceId: id, reason: z.string() }),
  z.object({ type: z.literal('signoff.completed'), signoffId: id, documentId: id, outcome: z.enum(['signed', 'declined']) }),
  z.object({ type: z.literal('token.issued'), tokenId: id, role: z.string() }),
]);

export type AuditEvent = z.infer<typeof auditEventSchema>;
export type AuditEventType = AuditEvent['type'];
