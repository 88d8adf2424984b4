import { describe, expect, it } from 'vitest';
import type { AccessScope } from '../../domain/access/actions';
import { type Actor, authorize, authorizeLinkRoute, type Decision, type LinkActor, type PersonActor } from '../../domain/access/policy';
import { ACCESS_DECISION_HEADER } from '../../server/access';
import { apiRoutes } from '../../server/app';
import { type RouteDef, routeProblem, type ScopeSpec } from '../../server/route';
import type { Services } from '../../server/services';
import { type ApiClient } from '../support/api';
import { type AccessWorld, buildAccessWorld } from '../support/access-world';
import { useStack } from '../support/lifecycle';
import type { InProcessStack } from '../support/stack';

/** The route table the app mounts (handlers are not called here, so no services are needed to list it). */
const ROUTES: RouteDef[] = apiRoutes(new Proxy({}, { get: () => ({}) }) as Services);

const SCOPE_KINDS = new Set([
  'programme',
  'wave',
  'network',
  'document',
  'signoff',
  'motion',
  'election',
  'dispute',
  'sealed',
  'grant',
  'apiToken',
  'personInQuery',
  'programmeInBody',
  'programmesInBody',
  'networkInBody',
]);

describe('every route is under the access policy', () => {
  it('declares a policy, or is explicitly public, or is authenticated by an action link alone', () => {
    const problems = ROUTES.map((r) => routeProblem(r, (spec) => SCOPE_KINDS.has(Object.keys(spec)[0]))).filter(Boolean);
    expect(problems).toEqual([]);
  });

  it('declares for each route of the contract the action API.md gives it (its "who" column)', () => {
    const declared = new Map(
      ROUTES.map((r) => [
        `${r.method.toUpperCase()} ${r.path}`,
        r.access ?? `${r.policy!.action}${r.policy!.scope ? ` ${Object.keys(r.policy!.scope)[0]}` : ''}`,
      ]),
    );
    const CONTRACT: Record<string, string> = {
      'GET /health': 'public',
      'POST /programmes': 'programme.create',
      'POST /programmes/:id/waves': 'programme.manage programme',
      'PUT /programmes/:id/settings': 'programme.manage programme',
      'PUT /programmes/:id/templates/:type': 'programme.manage programme',
      'POST /networks': 'network.create programmeInBody',
      'GET /networks/:id': 'network.read network',
      'POST /networks/:id/formation': 'formation.manage network',
      'GET /networks/:id/formation': 'network.read network',
      'PUT /networks/:id/stages/:stage': 'formation.manage network',
      'POST /networks/:id/stages/:stage/issue': 'formation.manage network',
      'GET /documents/:id': 'document.read document',
      'GET /documents/:id/pdf': 'document.read document',
      'POST /documents/verify': 'public',
      'GET /actions/:token': 'token',
      'POST /actions/:token/sign': 'token',
      'POST /actions/:token/decline': 'token',
      'POST /actions/:token/ballot': 'token',
      'GET /outbox': 'outbox.read',
      'GET /waves/:id/readiness': 'readiness.read wave',
      'POST /networks/:id/motions': 'motion.open network',
      'GET /motions/:id': 'motion.read motion',
      'POST /motions/:id/close': 'motion.manage motion',
      'POST /networks/:id/elections': 'election.open network',
      'POST /elections/:id/candidates': 'election.manage election',
      'GET /elections/:id': 'election.read election',
      'GET /networks/:id/stages/:stage/evidence': 'evidence.read network',
      'GET /sealed/:id/pdf': 'evidence.read sealed',
      'GET /audit/verify': 'audit.verify',
      'GET /me': 'me.read',
      'POST /staff': 'staff.invite programmesInBody',
      'GET /staff': 'staff.manage',
      'DELETE /staff/:id': 'staff.manage grant',
      'POST /staff/:id/tokens': 'staff.issue-token grant',
      'POST /tokens': 'tokens.manage',
      'GET /tokens': 'tokens.manage personInQuery',
      'DELETE /tokens/:id': 'tokens.manage apiToken',
      'POST /networks/:id/appointments': 'network.manage network',
      'POST /signoffs/:id/chase': 'formation.manage signoff',
    };
    for (const [route, policy] of Object.entries(CONTRACT)) expect(declared.get(route), route).toBe(policy);
  });

  it('refuses to mount a route that declares none (so a new route without a policy fails here and at start-up)', () => {
    const bare = { method: 'get', path: '/new-thing', tag: 'x', summary: 'x', handler: async () => ({}) } as RouteDef;
    expect(routeProblem(bare, () => true)).toMatch(/declare a policy/);
    expect(routeProblem({ ...bare, access: 'token' }, () => true)).toMatch(/link kinds/);
  });
});

/**
 * Every route, called as each kind of caller, answers as the policy decides: 401, 403 or 404 (marked
 * as the access layer's answer) when it refuses, and never one of those from the access layer when it
 * allows (an allowed call may still fail on its empty body or the state of things: a 400, 409 or 422).
 */
describe('route × role matrix', () => {
  let stack: InProcessStack;
  let admin: ApiClient;
  let world: AccessWorld;
  useStack({}, (env) => ({ stack, api: admin } = env));

  it('answers every route for every role as authorize() decides', async () => {
    world = await buildAccessWorld(admin, stack.baseUrl, 'matrix');
    const { A, NA } = world;

    // what each caller holds, as the system reports it (GET /me): the policy decides on exactly this
    const programmeOf = (networkId: string) => (networkId === NA.id ? A.id : world.B.id);
    const actorOf = async (api: ApiClient): Promise<PersonActor> => {
      const me = (await api.get('/me')).body;
      return {
        kind: 'person',
        personId: me.person.id,
        isAdmin: me.administrator,
        grants: me.grants,
        offices: me.offices.map((o: { networkId: string; office: string }) => ({ ...o, programmeId: programmeOf(o.networkId) })),
        memberships: me.practiceRoles.map((m: { practiceId: string; networkId: string; roles: string[] }) => ({
          ...m,
          memberId: 'x',
          programmeId: programmeOf(m.networkId),
        })),
        credential: { kind: 'token', id: 'x' },
      };
    };
    const chairActor = await actorOf(world.chair.api);
    expect(chairActor.offices).toEqual([{ networkId: NA.id, office: 'chair', programmeId: A.id }]);
    const link: LinkActor = {
      kind: 'link',
      linkKind: 'sign',
      tokenId: 'x',
      memberId: 'x',
      personId: 'x',
      networkId: NA.id,
      practiceId: NA.practices[0].id,
      subjectId: world.signoffId,
      documentId: world.documentId,
    };

    // things destructive routes may act on without disturbing the callers
    const victim = await admin.post('/staff', { name: 'Vic Victim', email: world.email('vic'), role: 'panel-member', programmeIds: [A.id] });
    const victimToken = await world.facA.api.post('/tokens', { label: 'to be revoked' });
    expect(victimToken.status).toBe(201);
    const sealedId = await (async () => {
      for (let i = 0; i < 200; i++) {
        const row = await stack.db('sealed_documents').where({ signoff_id: world.signoffId }).first();
        if (row) return String(row.id);
        await new Promise((r) => setTimeout(r, 150));
      }
      throw new Error('the round was not sealed');
    })();

    const network = { programmeId: A.id, networkId: NA.id };
    const FIXTURES: Record<string, { id: string | string[]; scope: AccessScope }> = {
      programme: { id: A.id, scope: { programmeId: A.id, networkId: null } },
      wave: { id: A.waveId, scope: { programmeId: A.id, networkId: null } },
      network: { id: NA.id, scope: network },
      document: { id: world.documentId, scope: { ...network, documentId: world.documentId } },
      signoff: { id: world.signoffId, scope: { ...network, signoffId: world.signoffId, documentId: world.documentId } },
      sealed: { id: sealedId, scope: { ...network, signoffId: world.signoffId, documentId: world.documentId } },
      motion: { id: world.motionId, scope: network },
      election: { id: world.electionId, scope: network },
      dispute: { id: world.dispute.id, scope: { programmeId: A.id, networkId: world.dispute.networkId, practiceIds: world.dispute.practiceIds } },
      grant: { id: victim.body.id, scope: { programmeId: null, networkId: null, programmeIds: [A.id] } },
      apiToken: { id: victimToken.body.id, scope: { programmeId: null, networkId: null, ownerPersonId: world.facA.personId } },
      programmeInBody: { id: A.id, scope: { programmeId: A.id, networkId: null } },
      networkInBody: { id: NA.id, scope: network },
      programmesInBody: { id: [A.id], scope: { programmeId: null, networkId: null, programmeIds: [A.id] } },
    };

    const ROLES: { name: string; headers: Record<string, string>; actor: Actor; withLink?: boolean }[] = [
      { name: 'facilitator of A', headers: { authorization: `Bearer ${world.facA.token}` }, actor: await actorOf(world.facA.api) },
      { name: 'facilitator of B', headers: { authorization: `Bearer ${world.facB.token}` }, actor: await actorOf(world.facB.api) },
      { name: 'commissioner of A', headers: { authorization: `Bearer ${world.commA.token}` }, actor: await actorOf(world.commA.api) },
      { name: 'panel member of A', headers: { authorization: `Bearer ${world.panelA.token}` }, actor: await actorOf(world.panelA.api) },
      { name: 'chair of a network of A', headers: { authorization: `Bearer ${world.chair.token}` }, actor: chairActor },
      { name: "a partner's action link", headers: {}, actor: link, withLink: true },
      { name: 'anonymous', headers: {}, actor: { kind: 'anonymous' } },
    ];

    function request(route: RouteDef, withLink: boolean) {
      const kind = route.policy?.scope ? Object.keys(route.policy.scope)[0] : null;
      const fixture = kind ? FIXTURES[kind] : null;
      const path = route.path
        .replace(':token', world.partnerLink)
        .replace(':stage', 'panel-presentation')
        .replace(':n', '1')
        .replace(':type', 'terms-of-reference')
        .replace(':code', 'abcdefgh')
        .replace(':id', String(fixture?.id ?? 'unknown-id'));
      const body: Record<string, unknown> = {};
      const field = route.policy?.scope ? Object.values(route.policy.scope as ScopeSpec)[0] : null;
      if (kind?.endsWith('InBody') && field) body[field] = fixture!.id;
      const query = withLink && route.link?.in === 'query' ? `?token=${world.partnerLink}` : '';
      return { path: `${path}${query}`, body: route.method === 'get' ? undefined : JSON.stringify(body), scope: fixture?.scope ?? null };
    }

    function expected(route: RouteDef, role: (typeof ROLES)[number], scope: AccessScope | null): Decision | 'public' {
      if (route.access === 'public') return 'public';
      if (route.access === 'token') return authorizeLinkRoute(link, route.link!.kinds);
      let actor = role.actor;
      if (actor.kind === 'link') {
        // a link is presented only where the route takes one (?token=), and only a fitting kind is accepted
        if (!(role.withLink && route.link?.in === 'query')) actor = { kind: 'anonymous' };
        else if (!route.link.kinds.includes(link.linkKind)) return 'unauthenticated';
      }
      return authorize(actor, route.policy!.action, scope);
    }

    const mismatches: string[] = [];
    let calls = 0;
    for (const role of ROLES) {
      for (const route of ROUTES) {
        const { path, body, scope } = request(route, role.withLink ?? false);
        const res = await fetch(`${stack.baseUrl}/api/v1${path}`, {
          method: route.method.toUpperCase(),
          headers: { ...role.headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
          body,
        });
        calls += 1;
        const marked = res.headers.get(ACCESS_DECISION_HEADER);
        const want = expected(route, role, scope);
        const ok =
          want === 'public' || want === 'allow'
            ? !marked && res.status !== 401 && res.status !== 403
            : marked === want && res.status === { unauthenticated: 401, forbidden: 403, 'not-found': 404 }[want];
        if (!ok)
          mismatches.push(
            `${role.name}: ${route.method.toUpperCase()} ${route.path} → ${res.status} ${marked ?? ''} (policy: ${want}) ${(await res.text()).slice(0, 160)}`,
          );
      }
    }
    expect(calls).toBe(ROUTES.length * ROLES.length);
    expect(mismatches).toEqual([]);
  });
});
