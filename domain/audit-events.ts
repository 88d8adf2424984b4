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
  // the chain switched from plain SHA-256 links to HMACs under the evidence key: once, over every
  // earlier row, saying what the unkeyed chain looked like and whether it still held at that moment
  z.object({ type: z.literal('audit.rekeyed'), keyId: z.string(), rows: z.number(), legacyHeadSeq: z.number(), legacyHeadHash: z.string(), legacyChainValid: z.boolean(), legacyFirstBrokenSeq: z.number().optional() }),
  // people and access: who signed in, with what, and every change to who may do what
  z.object({ type: z.literal('person.signed-in'), personId: id, method: z.enum(['email-link', 'api-token']), sessionId: id }),
  z.object({ type: z.literal('person.sign-in-failed'), method: z.enum(['email-link', 'api-token']), reason: z.enum(['unknown', 'expired', 'used', 'no-standing']), personId: id.optional(), ip: z.string().nullable() }),
  z.object({ type: z.literal('person.sign-in-link-sent'), personId: id, linkId: id }),
  z.object({ type: z.literal('person.signed-out'), personId: id, sessionId: id }),
  z.object({ type: z.literal('token.created'), tokenId: id, personId: id, label: z.string(), expiresAt: z.string() }),
  z.object({ type: z.literal('token.revoked'), tokenId: id, personId: id }),
  z.object({ type: z.literal('staff.invited'), grantId: id, personId: id, role: z.string(), programmeIds: z.array(id) }),
  z.object({ type: z.literal('staff.revoked'), grantId: id, personId: id, role: z.string(), credentialsEnded: z.boolean() }),
  z.object({ type: z.literal('appointment.made'), appointmentId: id, networkId: id, personId: id, office: z.string(), startsOn: z.string(), endsOn: z.string() }),
  z.object({ type: z.literal('programme.settings-changed'), programmeId: id, settings: z.record(z.string(), z.unknown()) }),
  z.object({ type: z.literal('template.uploaded'), programmeId: id, documentType: z.string(), version: z.number() }),
  z.object({ type: z.literal('template.reverted'), programmeId: id, documentType: z.string(), version: z.number() }),
  // a network's practices and people after it was created (open signing rounds keep the people they were sent to)
  z.object({ type: z.literal('practice.changed'), networkId: id, practiceId: id, name: z.string().optional(), listSize: z.number().optional() }),
  z.object({ type: z.literal('member.added'), networkId: id, practiceId: id, memberId: id, roles: z.array(z.string()), restored: z.boolean() }),
  z.object({ type: z.literal('member.changed'), networkId: id, practiceId: id, memberId: id, name: z.string().optional(), roles: z.array(z.string()).optional() }),
  z.object({ type: z.literal('member.removed'), networkId: id, practiceId: id, memberId: id }),
  // reads of what carries secrets or evidence (the outbox, evidence packs, sealed copies), as they are granted
  z.object({ type: z.literal('access.read'), action: z.string(), route: z.string(), params: z.record(z.string(), z.string()) }),
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
  // dispute cases and the risk and issue log; a case event's words are in its history, referenced here
  z.object({ type: z.literal('dispute.procedure-adopted'), networkId: id, adoptedOn: z.string() }),
  z.object({ type: z.literal('dispute.opened'), disputeId: id, networkId: id, parties: z.array(id), stage: z.string().nullable(), fromIssueId: id.nullable() }),
  z.object({ type: z.literal('dispute.event'), disputeId: id, eventId: id, seq: z.number(), eventType: z.string(), step: z.number() }),
  z.object({ type: z.literal('dispute.closed'), disputeId: id, outcome: z.enum(['resolved', 'withdrawn', 'determined']) }),
  z.object({ type: z.literal('risk.recorded'), riskId: id, networkId: id, score: z.number() }),
  z.object({ type: z.literal('risk.updated'), riskId: id, fields: z.array(z.string()) }),
  z.object({ type: z.literal('risk.reminded'), riskId: id, reviewOn: z.string(), personIds: z.array(id) }),
  z.object({ type: z.literal('issue.recorded'), issueId: id, networkId: id, riskId: id.nullable() }),
  z.object({ type: z.literal('issue.updated'), issueId: id, fields: z.array(z.string()) }),
  z.object({ type: z.literal('issue.escalated'), issueId: id, disputeId: id }),
  // the wave panel and the commissioner's decision
  z.object({ type: z.literal('panel.set'), programmeId: id, waveId: id, panelId: id, members: z.number(), criteria: z.array(z.string()) }),
  // a panel member is a person with a panel-member grant on the programme while they sit on one of its panels
  z.object({ type: z.literal('panel.member-granted'), programmeId: id, waveId: id, personId: id, grantId: id }),
  z.object({ type: z.literal('panel.member-withdrawn'), programmeId: id, waveId: id, personId: id, grantId: id, grantRevoked: z.boolean(), credentialsEnded: z.boolean() }),
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
