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
  z.object({ type: z.literal('signoff.completed'), signoffId: id, documentId: id, outcome: z.enum(['signed', 'declined', 'voided']) }),
  z.object({ type: z.literal('signature.code-sent'), signoffId: id, personId: id }),
  z.object({ type: z.literal('signature.viewed'), signoffId: id, personId: id, documentId: id, documentVersion: z.number() }),
  z.object({ type: z.literal('signature.delegated'), signoffId: id, fromPersonId: id, toPersonId: id }),
  z.object({ type: z.literal('signature.reminded'), signoffId: id, personIds: z.array(id), batch: z.string() }),
  z.object({ type: z.literal('signature.resent'), signoffId: id, personIds: z.array(id) }),
  z.object({ type: z.literal('signoff.extended'), signoffId: id, expiresAt: z.string() }),
  z.object({ type: z.literal('signoff.expired'), signoffId: id, owedPersonIds: z.array(id) }),
  z.object({ type: z.literal('signoff.sealed'), signoffId: id, sealedDocumentId: id, documentId: id, version: z.number(), agreedSha256: z.string(), sealedSha256: z.string() }),
  z.object({ type: z.literal('token.issued'), tokenId: id, role: z.string() }),
  // votes and elections: a secret ballot's events name who voted, never how
  z.object({ type: z.literal('voting-rule.set'), networkId: id, decisionType: z.string(), version: z.string() }),
  z.object({ type: z.literal('motion.opened'), motionId: id, networkId: id, decisionType: z.string(), ruleVersion: z.string(), closesAt: z.string(), electorate: z.number() }),
  z.object({ type: z.literal('motion.ballot-requested'), motionId: id, personId: id, practiceId: id }),
  z.object({ type: z.literal('motion.proxy-appointed'), motionId: id, principalId: id, proxyId: id }),
  z.object({ type: z.literal('motion.ballot-cast'), motionId: id, voterId: id, castBy: id, byProxy: z.boolean(), choice: z.enum(['for', 'against', 'abstain']).optional() }),
  z.object({ type: z.literal('motion.reminded'), motionId: id, practiceIds: z.array(id) }),
  z.object({ type: z.literal('motion.extended'), motionId: id, from: z.string(), to: z.string() }),
  z.object({ type: z.literal('motion.closed'), motionId: id, result: z.enum(['carried', 'lost', 'inquorate']), ruleVersion: z.string(), ballots: z.number() }),
  z.object({ type: z.literal('election.opened'), electionId: id, networkId: id, method: z.string() }),
  z.object({ type: z.literal('election.candidate-nominated'), electionId: id, candidateId: id, personId: id, constituency: z.string() }),
  z.object({ type: z.literal('election.ballot-opened'), electionId: id, candidates: z.number() }),
  z.object({ type: z.literal('election.ballot-cast'), electionId: id, voterId: id }),
  z.object({ type: z.literal('election.counted'), electionId: id, elected: z.array(id) }),
  // the wave panel and the commissioner's decision
  z.object({ type: z.literal('panel.set'), programmeId: id, waveId: id, panelId: id, members: z.number(), criteria: z.array(z.string()) }),
  z.object({ type: z.literal('panel.presentation-opened'), networkId: id, presentationId: id, waveId: id, documentId: id, invited: z.array(id), excluded: z.array(id) }),
  z.object({ type: z.literal('panel.member-excluded'), networkId: id, presentationId: id, memberId: id, reason: z.string() }),
  z.object({ type: z.literal('panel.scored'), networkId: id, presentationId: id, memberId: id, recommendation: z.enum(['pass', 'conditional', 'defer']) }),
  z.object({ type: z.literal('panel.outcome-recorded'), networkId: id, presentationId: id, outcome: z.enum(['pass', 'conditional', 'defer']), conditions: z.number(), reason: z.string() }),
  z.object({ type: z.literal('panel.condition-closed'), networkId: id, presentationId: id, n: z.number(), evidenceDocumentId: id.nullable() }),
  z.object({ type: z.literal('panel.letter-sent'), networkId: id, presentationId: id, documentId: id, recipients: z.number() }),
  z.object({ type: z.literal('network.deferred'), networkId: id, fromWaveId: id, toWaveId: id }),
  z.object({ type: z.literal('readiness.decided'), networkId: id, decisionId: id, decision: z.enum(['ready', 'not-ready']), note: z.string() }),
]);

export type AuditEvent = z.infer<typeof auditEventSchema>;
export type AuditEventType = AuditEvent['type'];
