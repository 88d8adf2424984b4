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
  // networks, their people and formation
  'network.create',
  'network.read',
  'network.manage',
  'formation.manage',
  'evidence.read',
  'outbox.read',
  'audit.verify',
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
}
