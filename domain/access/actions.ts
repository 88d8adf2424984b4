/**
 * What a caller may ask to do, as a closed set: every route names one of these and the scope it
 * acts in, and one pure policy function decides (domain/access/policy.ts). Adding an action is a
 * change to the policy, reviewed like one.
 */
export const ACCESS_ACTIONS = [
  // anyone with a credential
  'me.read',
  'tokens.manage',
  // programmes and their set-up
  'programme.create',
  'programme.read',
  'programme.manage',
  'staff.invite',
  'staff.manage',
  /** mint an API token for another person (onboarding, scripts): the administrator only */
  'staff.issue-token',
  // networks, their people and formation
  'network.create',
  'network.read',
  'network.manage',
  'formation.manage',
  /** a document's metadata and files (staff in scope, the network's officers, a link for that document) */
  'document.read',
  'evidence.read',
  'outbox.read',
  'audit.verify',
  /** Temporal's remote codec: decrypt history payloads to show them (staff), encrypt them to send (facilitators) */
  'codec.decode',
  'codec.encode',
  // votes and elections
  'motion.open',
  'motion.read',
  'motion.manage',
  'election.open',
  'election.read',
  'election.manage',
  // the panel
  'panel.manage',
  'panel.read',
  'panel.decide',
  // disputes and the risk and issue log
  'dispute.open',
  'dispute.read',
  'dispute.act',
  'risk.read',
  'risk.manage',
  // readiness
  'readiness.read',
  'readiness.decide',
] as const;

export type AccessAction = (typeof ACCESS_ACTIONS)[number];

/**
 * Where an action applies, as the route layer resolves it from a route's parameters: the programme
 * and (where there is one) the network the resource belongs to. `null` for actions outside any
 * programme (creating a programme, one's own tokens).
 */
export interface AccessScope {
  programmeId: string | null;
  networkId: string | null;
  /** the practices the resource concerns, where that matters (a dispute's parties) */
  practiceIds?: readonly string[];
  /**
   * A resource spanning several programmes (a staff grant, an invitation to several): it is known
   * to whoever sees any of them, and may be acted on only by whoever may act on all of them.
   */
  programmeIds?: readonly string[];
  /** whose it is, for a person's own things (API tokens) */
  ownerPersonId?: string;
  /** the document the resource is (or carries), so an action link for that document may read it */
  documentId?: string;
  /** the signing round the resource belongs to, so a sealed-copy link of that round may read it */
  signoffId?: string;
}
