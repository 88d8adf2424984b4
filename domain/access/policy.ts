import type { ActionKind } from '../action-kinds';
import { ACCESS_ACTIONS, type AccessAction, type AccessScope } from './actions';

/**
 * The one access policy: who may do what, where. Pure, so the route layer, the pages, the services
 * that filter lists and the tests all ask the same function and get the same answer.
 *
 * Where a caller stands is the scope of the resource (its programme and network). A resource
 * outside everything the caller can see answers "not-found" (its id is a 404, so ids of other
 * programmes cannot be probed); one they can see but may not act on answers "forbidden".
 */

export const STAFF_ROLES = ['facilitator', 'commissioner', 'panel-member'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** A staff role granted over some programmes. */
export interface Grant {
  id: string;
  role: StaffRole;
  programmeIds: readonly string[];
}

/** A network office a person holds now (from an appointment, an election, or the practice role `chair`). */
export interface Office {
  networkId: string;
  programmeId: string;
  /** kebab-case: chair, vice-chair, secretary, clinical-director, board-member… */
  office: string;
}

/** A person's place in a practice: the roles they hold there (partner, practice-manager…). */
export interface Membership {
  /** the `people` row */
  memberId: string;
  practiceId: string;
  networkId: string;
  programmeId: string;
  roles: readonly string[];
}

export interface AnonymousActor {
  kind: 'anonymous';
}

/** A person signed in (a session) or calling with one of their API tokens. */
export interface PersonActor {
  kind: 'person';
  personId: string;
  isAdmin: boolean;
  grants: readonly Grant[];
  offices: readonly Office[];
  memberships: readonly Membership[];
  credential: { kind: 'session' | 'token'; id: string };
}

/** The holder of an emailed action link: one person's membership, one subject. */
export interface LinkActor {
  kind: 'link';
  linkKind: ActionKind;
  tokenId: string;
  /** the `people` row the link was sent to */
  memberId: string;
  /** the person that membership belongs to */
  personId: string;
  networkId: string;
  practiceId: string;
  subjectId: string;
  documentId: string | null;
}

export type Actor = AnonymousActor | PersonActor | LinkActor;

export type Decision = 'allow' | 'not-found' | 'forbidden' | 'unauthenticated';

type ActionSet = ReadonlySet<AccessAction>;
const set = (...actions: AccessAction[]): ActionSet => new Set(actions);

/**
 * What a facilitator's grant does not carry: a person's own account (PERSONAL), actions outside any
 * programme (GLOBAL decides those), minting another person's token (the administrator only) and the
 * commissioner's readiness decision. Everything else a facilitator may do in their programmes, so a
 * new action reaches them unless it is listed here.
 */
const BEYOND_FACILITATOR_GRANT = set(
  'me.read',
  'tokens.manage',
  'programme.create',
  'staff.issue-token',
  'audit.verify',
  'codec.decode',
  'codec.encode',
  'readiness.decide',
);

/** What each staff role may do inside the programmes of its grant. */
export const GRANT_ACTIONS: Record<StaffRole, ActionSet> = {
  // everything in their programmes, except the commissioner's own judgement of readiness
  facilitator: new Set(ACCESS_ACTIONS.filter((action) => !BEYOND_FACILITATOR_GRANT.has(action))),
  // reads everything in their programmes and records the readiness decision; changes nothing else
  commissioner: set(
    'programme.read',
    'network.read',
    'document.read',
    'evidence.read',
    'motion.read',
    'election.read',
    'panel.read',
    'dispute.read',
    'risk.read',
    'readiness.read',
    'readiness.decide',
  ),
  // the panel presentations of their programmes' waves (scoring itself is by `score` action link)
  'panel-member': set('programme.read', 'panel.read'),
};

/** What a network office lets its holder do for that network. Other offices carry no powers here. */
export const OFFICE_ACTIONS: Readonly<Record<string, ActionSet>> = {
  chair: set('network.read', 'document.read', 'motion.open', 'motion.read', 'election.open', 'election.read', 'dispute.open', 'dispute.read', 'dispute.act'),
  secretary: set(
    'network.read',
    'document.read',
    'motion.open',
    'motion.read',
    'election.open',
    'election.read',
    'dispute.open',
    'dispute.read',
    'dispute.act',
  ),
};

/** Actions of a person on their own account, whatever their roles. */
const PERSONAL = set('me.read', 'tokens.manage');

/** Actions with no programme: who may do them at all. */
const GLOBAL: Partial<Record<AccessAction, (a: PersonActor) => boolean>> = {
  'programme.create': (a) => a.grants.some((g) => g.role === 'facilitator'),
  'audit.verify': (a) => a.grants.some((g) => g.role === 'facilitator' || g.role === 'commissioner'),
  'codec.decode': (a) => a.grants.some((g) => g.role === 'facilitator' || g.role === 'commissioner'),
  'codec.encode': (a) => a.grants.some((g) => g.role === 'facilitator'),
};

function hasRole(roles: readonly string[], role: string): boolean {
  return roles.includes(role);
}

/** Whether a practice role allows the action in this scope (partners act for their practice). */
function membershipAllows(m: Membership, action: AccessAction, scope: AccessScope): boolean {
  const party = scope.practiceIds?.includes(m.practiceId) ?? false;
  switch (action) {
    case 'dispute.open':
      return m.networkId === scope.networkId && hasRole(m.roles, 'partner');
    case 'dispute.act':
      return party && hasRole(m.roles, 'partner');
    case 'dispute.read':
      return party;
    default:
      return false;
  }
}

function officeAllows(o: Office, action: AccessAction): boolean {
  return OFFICE_ACTIONS[o.office]?.has(action) ?? false;
}

/** The programmes a scope names: one, or several for a resource that spans programmes. */
function programmesOf(scope: AccessScope): string[] {
  return scope.programmeIds ? [...scope.programmeIds] : scope.programmeId ? [scope.programmeId] : [];
}

function isUnscoped(scope: AccessScope | null): boolean {
  return !scope || (!scope.programmeId && !scope.networkId && !scope.programmeIds?.length && !scope.ownerPersonId);
}

/** Whether the resource is known to the person at all: in a programme or network they stand in. */
function sees(a: PersonActor, scope: AccessScope): boolean {
  const programmes = programmesOf(scope);
  if (a.grants.some((g) => programmes.some((p) => g.programmeIds.includes(p)))) return true;
  const places = [...a.offices, ...a.memberships];
  if (scope.networkId) return places.some((x) => x.networkId === scope.networkId);
  return places.some((x) => programmes.includes(x.programmeId));
}

/** Whether one programme-and-network place allows the action. */
function allowsIn(a: PersonActor, action: AccessAction, scope: AccessScope, programmeId: string | null): boolean {
  if (programmeId && a.grants.some((g) => g.programmeIds.includes(programmeId) && GRANT_ACTIONS[g.role].has(action))) return true;
  if (scope.networkId && a.offices.some((o) => o.networkId === scope.networkId && officeAllows(o, action))) return true;
  return a.memberships.some((m) => m.networkId === scope.networkId && membershipAllows(m, action, scope));
}

/** Whether the person may do the action somewhere: the gate of lists, filtered afterwards by `scopeFilter`. */
function mayAnywhere(a: PersonActor, action: AccessAction): boolean {
  if (GLOBAL[action]) return GLOBAL[action]!(a);
  if (a.grants.some((g) => GRANT_ACTIONS[g.role].has(action))) return true;
  if (a.offices.some((o) => officeAllows(o, action))) return true;
  return a.memberships.some((m) => (action === 'dispute.open' || action === 'dispute.act' ? hasRole(m.roles, 'partner') : action === 'dispute.read'));
}

/** What an action link may do beyond its own routes: read the document it was sent with. */
function authorizeLink(a: LinkActor, action: AccessAction, scope: AccessScope | null): Decision {
  if (
    action === 'document.read' &&
    (a.linkKind === 'sign' || a.linkKind === 'vote' || a.linkKind === 'score' || a.linkKind === 'panel-letter') &&
    a.documentId &&
    scope?.documentId === a.documentId
  )
    return 'allow';
  if (action === 'evidence.read' && a.linkKind === 'sealed-copy' && scope?.signoffId === a.subjectId) return 'allow';
  // a link is a credential for its own subject only; anything else needs a person's credential
  return 'unauthenticated';
}

/**
 * The decision on one action in one scope (null: outside any programme — creating one, one's own
 * tokens, a list that the service then filters with `scopeFilter`).
 */
export function authorize(actor: Actor, action: AccessAction, scope: AccessScope | null): Decision {
  if (actor.kind === 'anonymous') return 'unauthenticated';
  if (actor.kind === 'link') return authorizeLink(actor, action, scope);
  if (actor.isAdmin) return 'allow';
  if (PERSONAL.has(action)) {
    // another person's tokens are not known to you
    return scope?.ownerPersonId && scope.ownerPersonId !== actor.personId ? 'not-found' : 'allow';
  }
  if (isUnscoped(scope)) return mayAnywhere(actor, action) ? 'allow' : 'forbidden';
  const where = scope as AccessScope;
  if (!sees(actor, where)) return 'not-found';
  if (GLOBAL[action]) return GLOBAL[action]!(actor) ? 'allow' : 'forbidden';
  const programmes = programmesOf(where);
  const allowed = programmes.length > 1 ? programmes.every((p) => allowsIn(actor, action, where, p)) : allowsIn(actor, action, where, programmes[0] ?? null);
  return allowed ? 'allow' : 'forbidden';
}

/** The answer on a route that an action link alone authenticates: a link of another kind is not found. */
export function authorizeLinkRoute(actor: Actor, kinds: readonly ActionKind[]): Decision {
  return actor.kind === 'link' && kinds.includes(actor.linkKind) ? 'allow' : 'not-found';
}

/**
 * Where a person may do an action, for filtering lists the same way `authorize` decides one item:
 * a row passes when `all`, or its programme, network or (for disputes) a party practice is listed.
 */
export interface ScopeFilter {
  all: boolean;
  programmeIds: string[];
  networkIds: string[];
  practiceIds: string[];
}

export function scopeFilter(actor: Actor, action: AccessAction): ScopeFilter {
  const none: ScopeFilter = { all: false, programmeIds: [], networkIds: [], practiceIds: [] };
  if (actor.kind !== 'person') return none;
  if (actor.isAdmin) return { ...none, all: true };
  const programmeIds = new Set(actor.grants.filter((g) => GRANT_ACTIONS[g.role].has(action)).flatMap((g) => g.programmeIds));
  const networkIds = new Set(actor.offices.filter((o) => officeAllows(o, action)).map((o) => o.networkId));
  const practiceIds = new Set<string>();
  for (const m of actor.memberships) {
    if (action === 'dispute.open' && hasRole(m.roles, 'partner')) networkIds.add(m.networkId);
    if (action === 'dispute.read' || (action === 'dispute.act' && hasRole(m.roles, 'partner'))) practiceIds.add(m.practiceId);
  }
  return { all: false, programmeIds: [...programmeIds], networkIds: [...networkIds], practiceIds: [...practiceIds] };
}

/** Whether a row passes a filter. */
export function inFilter(filter: ScopeFilter, row: { programmeId: string | null; networkId?: string | null; practiceIds?: readonly string[] }): boolean {
  if (filter.all) return true;
  if (row.programmeId && filter.programmeIds.includes(row.programmeId)) return true;
  if (row.networkId && filter.networkIds.includes(row.networkId)) return true;
  return (row.practiceIds ?? []).some((p) => filter.practiceIds.includes(p));
}

/** How the audit log names the actor: the person and the credential they used. */
export function actorLabel(actor: Actor): string {
  if (actor.kind === 'person') return `person:${actor.personId} ${actor.credential.kind}:${actor.credential.id}`;
  if (actor.kind === 'link') return `person:${actor.personId} link:${actor.tokenId}`;
  return 'anonymous';
}

/** Whether the person stands anywhere: an administrator, a grant, an office or a place in a practice. */
export function hasStanding(p: Pick<PersonActor, 'isAdmin' | 'grants' | 'offices' | 'memberships'>): boolean {
  return p.isAdmin || p.grants.length > 0 || p.offices.length > 0 || p.memberships.length > 0;
}

/**
 * Where a person lands after signing in: the page of their strongest role. A commissioner lands on
 * readiness, a chair on their network, a panel member on what awaits their score, anyone else on
 * the actions waiting for them.
 */
export type Landing =
  { page: 'home' } | { page: 'readiness'; programmeIds: string[] } | { page: 'network'; networkId: string } | { page: 'panel' } | { page: 'my-actions' };

export function landingFor(p: PersonActor): Landing {
  if (p.isAdmin || p.grants.some((g) => g.role === 'facilitator')) return { page: 'home' };
  const commissioned = p.grants.filter((g) => g.role === 'commissioner').flatMap((g) => g.programmeIds);
  if (commissioned.length) return { page: 'readiness', programmeIds: commissioned };
  const office = p.offices.find((o) => OFFICE_ACTIONS[o.office]);
  if (office) return { page: 'network', networkId: office.networkId };
  if (p.grants.some((g) => g.role === 'panel-member')) return { page: 'panel' };
  return { page: 'my-actions' };
}
