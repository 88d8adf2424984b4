import { describe, expect, it } from 'vitest';
import { ACCESS_ACTIONS, type AccessAction, type AccessScope } from '../../../domain/access/actions';
import { type Actor, authorize, authorizeLinkRoute, inFilter, landingFor, type LinkActor, type PersonActor, scopeFilter } from '../../../domain/access/policy';

/**
 * The access policy, exhaustively: every action for every kind of caller, inside and outside their
 * scope. The table below is the specification (API.md "People and access"), written as plain
 * columns so a change to who may do what is a visible change to this table.
 *
 * Columns: F facilitator, C commissioner, P panel member (of the programme); O chair or secretary
 * (of the network). Global actions have no programme.
 */
const TABLE: Record<AccessAction, { F: boolean; C: boolean; P: boolean; O: boolean; global?: true; personal?: true; adminOnly?: true }> = {
  'me.read': { F: true, C: true, P: true, O: true, personal: true },
  'tokens.manage': { F: true, C: true, P: true, O: true, personal: true },
  'programme.create': { F: true, C: false, P: false, O: false, global: true },
  'programme.read': { F: true, C: true, P: true, O: false },
  'programme.manage': { F: true, C: false, P: false, O: false },
  'staff.invite': { F: true, C: false, P: false, O: false },
  'staff.manage': { F: true, C: false, P: false, O: false },
  'staff.issue-token': { F: false, C: false, P: false, O: false, adminOnly: true },
  'network.create': { F: true, C: false, P: false, O: false },
  'network.read': { F: true, C: true, P: false, O: true },
  'network.manage': { F: true, C: false, P: false, O: false },
  'formation.manage': { F: true, C: false, P: false, O: false },
  'document.read': { F: true, C: true, P: false, O: true },
  'evidence.read': { F: true, C: true, P: false, O: false },
  'outbox.read': { F: true, C: false, P: false, O: false },
  'audit.verify': { F: true, C: true, P: false, O: false, global: true },
  'codec.decode': { F: true, C: true, P: false, O: false, global: true },
  'codec.encode': { F: true, C: false, P: false, O: false, global: true },
  'motion.open': { F: true, C: false, P: false, O: true },
  'motion.read': { F: true, C: true, P: false, O: true },
  'motion.manage': { F: true, C: false, P: false, O: false },
  'election.open': { F: true, C: false, P: false, O: true },
  'election.read': { F: true, C: true, P: false, O: true },
  'election.manage': { F: true, C: false, P: false, O: false },
  'panel.manage': { F: true, C: false, P: false, O: false },
  'panel.read': { F: true, C: true, P: true, O: false },
  'panel.decide': { F: true, C: false, P: false, O: false },
  'dispute.open': { F: true, C: false, P: false, O: true },
  'dispute.read': { F: true, C: true, P: false, O: true },
  'dispute.act': { F: true, C: false, P: false, O: true },
  'risk.read': { F: true, C: true, P: false, O: false },
  'risk.manage': { F: true, C: false, P: false, O: false },
  'readiness.read': { F: true, C: true, P: false, O: false },
  // the commissioner's own judgement: not the facilitator's to record
  'readiness.decide': { F: false, C: true, P: false, O: false },
};

// programme A holds networks N1 and N2; programme B holds N3
const A = 'prog-a';
const B = 'prog-b';
const inA = (networkId: string | null): AccessScope => ({ programmeId: A, networkId });
const inB = (networkId: string | null): AccessScope => ({ programmeId: B, networkId });

function person(overrides: Partial<PersonActor>): PersonActor {
  return { kind: 'person', personId: 'me', isAdmin: false, grants: [], offices: [], memberships: [], credential: { kind: 'token', id: 't1' }, ...overrides };
}

const staff = (role: 'facilitator' | 'commissioner' | 'panel-member', programmeIds = [A]) => person({ grants: [{ id: `g-${role}`, role, programmeIds }] });
const officer = (office: string) => person({ offices: [{ networkId: 'n1', programmeId: A, office }] });
const partner = person({ memberships: [{ memberId: 'm1', practiceId: 'p1', networkId: 'n1', programmeId: A, roles: ['partner'] }] });
const manager = person({ memberships: [{ memberId: 'm2', practiceId: 'p1', networkId: 'n1', programmeId: A, roles: ['practice-manager'] }] });
const admin = person({ isAdmin: true });
const anonymous: Actor = { kind: 'anonymous' };
const signLink: LinkActor = {
  kind: 'link',
  linkKind: 'sign',
  tokenId: 'l1',
  memberId: 'm1',
  personId: 'me',
  networkId: 'n1',
  practiceId: 'p1',
  subjectId: 's1',
  documentId: 'd1',
};

const ROLES = [
  { name: 'facilitator of A', actor: staff('facilitator'), column: 'F' },
  { name: 'commissioner of A', actor: staff('commissioner'), column: 'C' },
  { name: 'panel member of A', actor: staff('panel-member'), column: 'P' },
] as const;

describe('access policy: staff grants', () => {
  for (const action of ACCESS_ACTIONS) {
    const row = TABLE[action];
    for (const { name, actor, column } of ROLES) {
      it(`${action} × ${name}`, () => {
        const allowed = row[column];
        if (row.personal) {
          expect(authorize(actor, action, null)).toBe('allow');
          return;
        }
        // with no programme: the gate of a list (or a global action): allowed if the role has it somewhere
        expect(authorize(actor, action, null), 'unscoped').toBe(allowed ? 'allow' : 'forbidden');
        if (row.global) return;
        expect(authorize(actor, action, inA(null)), 'programme A').toBe(allowed ? 'allow' : 'forbidden');
        expect(authorize(actor, action, inA('n1')), 'network of A').toBe(allowed ? 'allow' : 'forbidden');
        // outside their programmes the resource does not exist for them
        expect(authorize(actor, action, inB(null)), 'programme B').toBe('not-found');
        expect(authorize(actor, action, inB('n3')), 'network of B').toBe('not-found');
      });
    }
  }
});

describe('access policy: network offices', () => {
  for (const office of ['chair', 'secretary']) {
    for (const action of ACCESS_ACTIONS) {
      const row = TABLE[action];
      it(`${action} × ${office} of N1`, () => {
        const actor = officer(office);
        if (row.personal) return expect(authorize(actor, action, null)).toBe('allow');
        expect(authorize(actor, action, inA('n1')), 'their network').toBe(row.O && !row.global ? 'allow' : 'forbidden');
        // another network of the same programme, and another programme, are not theirs to know
        expect(authorize(actor, action, inA('n2')), 'other network').toBe('not-found');
        expect(authorize(actor, action, inB('n3')), 'other programme').toBe('not-found');
        // their programme is known to them, but an office acts for its network only
        if (!row.global) expect(authorize(actor, action, inA(null)), 'their programme').toBe('forbidden');
      });
    }
  }

  it('gives no powers for an office without any (vice-chair, board member)', () => {
    for (const action of ACCESS_ACTIONS.filter((a) => !TABLE[a].personal)) {
      expect(authorize(officer('vice-chair'), action, inA('n1')), action).toBe('forbidden');
      expect(authorize(officer('board-member'), action, inA('n1')), action).toBe('forbidden');
    }
  });
});

describe('access policy: partners act for their practice', () => {
  const dispute = (parties: string[]): AccessScope => ({ ...inA('n1'), practiceIds: parties });

  it('lets a partner open a dispute in their network and act in one their practice is party to', () => {
    expect(authorize(partner, 'dispute.open', inA('n1'))).toBe('allow');
    expect(authorize(partner, 'dispute.act', dispute(['p1', 'p9']))).toBe('allow');
    expect(authorize(partner, 'dispute.read', dispute(['p1']))).toBe('allow');
    // a case between other practices of the same network: known, not theirs
    expect(authorize(partner, 'dispute.act', dispute(['p2', 'p3']))).toBe('forbidden');
    expect(authorize(partner, 'dispute.read', dispute(['p2', 'p3']))).toBe('forbidden');
    expect(authorize(partner, 'dispute.open', inA('n2'))).toBe('not-found');
  });

  it('lets other people of a party practice read the case, not act in it', () => {
    expect(authorize(manager, 'dispute.read', dispute(['p1']))).toBe('allow');
    expect(authorize(manager, 'dispute.act', dispute(['p1']))).toBe('forbidden');
    expect(authorize(manager, 'dispute.open', inA('n1'))).toBe('forbidden');
  });

  it('gives a partner nothing else of their network', () => {
    for (const action of ACCESS_ACTIONS.filter((a) => !TABLE[a].personal && !a.startsWith('dispute.'))) {
      expect(authorize(partner, action, inA('n1')), action).toBe('forbidden');
    }
  });
});

describe('access policy: administrator, anonymous and links', () => {
  it('allows the administrator everything, everywhere', () => {
    for (const action of ACCESS_ACTIONS) {
      for (const scope of [null, inA(null), inB('n3'), { programmeId: null, networkId: null, ownerPersonId: 'someone-else' }])
        expect(authorize(admin, action, scope), action).toBe('allow');
    }
  });

  it('asks anyone without a credential to authenticate, whatever the action', () => {
    for (const action of ACCESS_ACTIONS) expect(authorize(anonymous, action, inA('n1')), action).toBe('unauthenticated');
  });

  it('lets an action link read the document it was sent with, and nothing else', () => {
    expect(authorize(signLink, 'document.read', { ...inA('n1'), documentId: 'd1' })).toBe('allow');
    expect(authorize(signLink, 'document.read', { ...inA('n1'), documentId: 'd2' })).toBe('unauthenticated');
    for (const action of ACCESS_ACTIONS.filter((a) => a !== 'document.read'))
      expect(authorize(signLink, action, { ...inA('n1'), documentId: 'd1' }), action).toBe('unauthenticated');
    const sealedLink: LinkActor = { ...signLink, linkKind: 'sealed-copy', documentId: null };
    expect(authorize(sealedLink, 'evidence.read', { ...inA('n1'), signoffId: 's1' })).toBe('allow');
    expect(authorize(sealedLink, 'evidence.read', { ...inA('n1'), signoffId: 's2' })).toBe('unauthenticated');
    expect(authorize(sealedLink, 'document.read', { ...inA('n1'), documentId: 'd1' })).toBe('unauthenticated');
  });

  it('accepts a link on a link route only when it is of a kind the route takes', () => {
    expect(authorizeLinkRoute(signLink, ['sign'])).toBe('allow');
    expect(authorizeLinkRoute(signLink, ['vote', 'ballot'])).toBe('not-found');
    expect(authorizeLinkRoute(staff('facilitator'), ['sign'])).toBe('not-found');
  });
});

describe('access policy: one’s own things and things spanning programmes', () => {
  it('keeps API tokens to their owner (others’ are not found)', () => {
    const own = { programmeId: null, networkId: null, ownerPersonId: 'me' };
    const theirs = { programmeId: null, networkId: null, ownerPersonId: 'someone-else' };
    for (const actor of [staff('facilitator'), staff('commissioner'), officer('chair'), partner]) {
      expect(authorize(actor, 'tokens.manage', own)).toBe('allow');
      expect(authorize(actor, 'tokens.manage', theirs)).toBe('not-found');
    }
  });

  it('lets a facilitator invite or revoke for several programmes only if they facilitate all of them', () => {
    const span = (ids: string[]): AccessScope => ({ programmeId: null, networkId: null, programmeIds: ids });
    const ofBoth = staff('facilitator', [A, B]);
    expect(authorize(staff('facilitator'), 'staff.invite', span([A]))).toBe('allow');
    expect(authorize(ofBoth, 'staff.invite', span([A, B]))).toBe('allow');
    // knows A, not B: known but not theirs to grant
    expect(authorize(staff('facilitator'), 'staff.invite', span([A, B]))).toBe('forbidden');
    expect(authorize(staff('facilitator', [B]), 'staff.manage', span([A]))).toBe('not-found');
    expect(authorize(staff('commissioner'), 'staff.manage', span([A]))).toBe('forbidden');
  });
});

describe('list filters agree with the policy', () => {
  const places = [inA(null), inA('n1'), inA('n2'), inB(null), inB('n3')];
  const actors = [staff('facilitator'), staff('commissioner'), staff('panel-member'), officer('chair'), partner, admin, staff('facilitator', [A, B])];
  for (const action of ACCESS_ACTIONS.filter((a) => !TABLE[a].personal && !TABLE[a].global && !a.startsWith('dispute.'))) {
    it(`${action}: a row is listed exactly when the policy allows it`, () => {
      for (const actor of actors) {
        const filter = scopeFilter(actor, action);
        for (const place of places)
          expect(inFilter(filter, place), `${JSON.stringify(actor)} ${JSON.stringify(place)}`).toBe(authorize(actor, action, place) === 'allow');
      }
    });
  }
});

describe('where each role lands after signing in', () => {
  it('sends facilitators home, commissioners to readiness, chairs to their network, panel members to the panel, others to their actions', () => {
    expect(landingFor(admin)).toEqual({ page: 'home' });
    expect(landingFor(staff('facilitator'))).toEqual({ page: 'home' });
    expect(landingFor(staff('commissioner'))).toEqual({ page: 'readiness', programmeIds: [A] });
    expect(landingFor(officer('chair'))).toEqual({ page: 'network', networkId: 'n1' });
    expect(landingFor(staff('panel-member'))).toEqual({ page: 'panel' });
    expect(landingFor(partner)).toEqual({ page: 'my-actions' });
    expect(landingFor(officer('board-member'))).toEqual({ page: 'my-actions' });
  });
});
