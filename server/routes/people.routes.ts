import { z } from 'zod';
import { STAFF_ROLES } from '../../domain/access/policy';
import { defineRoute, type RouteDef } from '../route';
import { calendarDate, emailAddress, idField, idParam } from '../schemas';
import type { Services } from '../services';
import { TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS } from '../services/people.service';

const id = idField;
const isoDate = calendarDate;

export const inviteBody = z.object({
  name: z.string().trim().min(1).max(300),
  email: emailAddress(),
  role: z.enum(STAFF_ROLES),
  programmeIds: z.array(id).min(1).max(100),
});

export const tokenBody = z.object({
  label: z.string().trim().min(1).max(100),
  expiresInDays: z.number().int().min(1).max(TOKEN_MAX_DAYS).optional().describe(`default ${TOKEN_DEFAULT_DAYS}, at most ${TOKEN_MAX_DAYS}`),
});

export const OFFICES = ['chair', 'vice-chair', 'secretary', 'treasurer', 'clinical-director', 'board-member'] as const;

const appointBody = z
  .object({ personId: id, office: z.enum(OFFICES), startsOn: isoDate.optional(), endsOn: isoDate.optional() })
  .refine((a) => !a.startsOn || !a.endsOn || a.endsOn >= a.startsOn, { message: 'endsOn must not be before startsOn', path: ['endsOn'] });

const tokenResponse = z.object({
  id: z.string(),
  label: z.string(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  status: z.enum(['active', 'expired', 'revoked']),
});
const newTokenResponse = z.object({ id: z.string(), token: z.string(), label: z.string(), expiresAt: z.string() });

/** Who I am, staff grants and invitations, personal API tokens, and a network's officers. */
export function peopleRoutes(s: Services): RouteDef[] {
  return [
    defineRoute({
      method: 'get',
      path: '/me',
      tag: 'people',
      policy: { action: 'me.read' },
      summary: 'Who the credential belongs to: person, grants, network offices and practice roles',
      response: z.object({
        person: z.object({ id: z.string(), name: z.string(), email: z.string() }),
        administrator: z.boolean(),
        grants: z.array(z.object({ id: z.string(), role: z.enum(STAFF_ROLES), programmeIds: z.array(z.string()) })),
        offices: z.array(z.object({ networkId: z.string(), office: z.string() })),
        practiceRoles: z.array(z.object({ practiceId: z.string(), networkId: z.string(), roles: z.array(z.string()) })),
        credential: z.object({ kind: z.enum(['session', 'token']) }),
      }),
      handler: ({ person }) => s.people.me(person!),
    }),
    defineRoute({
      method: 'post',
      path: '/staff',
      tag: 'people',
      policy: { action: 'staff.invite', scope: { programmesInBody: 'programmeIds' } },
      status: 201,
      summary: 'Grant a staff role over programmes and email an invitation with a sign-in link; the same person and role again adds programmes to that grant',
      body: inviteBody,
      response: z.object({ id: z.string(), personId: z.string(), role: z.enum(STAFF_ROLES), programmeIds: z.array(z.string()), created: z.boolean() }),
      handler: ({ body, person }) => s.people.invite(person!, body),
    }),
    defineRoute({
      method: 'get',
      path: '/staff',
      tag: 'people',
      policy: { action: 'staff.manage' },
      summary: 'Staff grants: every one for the administrator, those of their programmes for a facilitator',
      response: z.array(
        z.object({
          id: z.string(),
          person: z.object({ id: z.string(), name: z.string(), email: z.string() }),
          role: z.enum(STAFF_ROLES),
          programmeIds: z.array(z.string()),
          createdAt: z.string(),
        }),
      ),
      handler: ({ person }) => s.people.listStaff(person!),
    }),
    defineRoute({
      method: 'delete',
      path: '/staff/:id',
      tag: 'people',
      policy: { action: 'staff.manage', scope: { grant: 'id' } },
      status: 204,
      summary: 'Revoke a grant; a person left with no standing can no longer use their tokens or sessions',
      params: idParam,
      handler: async ({ params, person, res }) => {
        await s.people.revoke(person!, params.id);
        res.status(204).end();
      },
    }),
    defineRoute({
      method: 'post',
      path: '/staff/:id/tokens',
      tag: 'people',
      policy: { action: 'staff.issue-token', scope: { grant: 'id' } },
      status: 201,
      summary: 'An API token for the person of a grant (administrator): the secret is shown once',
      params: idParam,
      body: tokenBody,
      response: newTokenResponse.extend({ personId: z.string() }),
      handler: ({ params, body, person }) => s.people.createTokenForGrant(person!, params.id, body),
    }),
    defineRoute({
      method: 'post',
      path: '/tokens',
      tag: 'people',
      policy: { action: 'tokens.manage' },
      status: 201,
      summary: `A personal API token carrying the caller's powers; the secret is shown once (expires in ${TOKEN_DEFAULT_DAYS} days unless asked, at most ${TOKEN_MAX_DAYS})`,
      body: tokenBody,
      response: newTokenResponse,
      handler: ({ body, person }) => s.people.createToken(person!, body),
    }),
    defineRoute({
      method: 'get',
      path: '/tokens',
      tag: 'people',
      policy: { action: 'tokens.manage', scope: { personInQuery: 'personId' } },
      summary: "The caller's API tokens (the administrator may pass ?personId), never their secrets",
      query: z.object({ personId: id.optional() }),
      response: z.array(tokenResponse),
      handler: ({ query, person }) => s.people.listTokens(person!, query.personId),
    }),
    defineRoute({
      method: 'delete',
      path: '/tokens/:id',
      tag: 'people',
      policy: { action: 'tokens.manage', scope: { apiToken: 'id' } },
      status: 204,
      summary: 'Revoke a token: from then on it answers 401',
      params: idParam,
      handler: async ({ params, person, res }) => {
        await s.people.revokeToken(person!, params.id);
        res.status(204).end();
      },
    }),
    defineRoute({
      method: 'post',
      path: '/networks/:id/appointments',
      tag: 'networks',
      policy: { action: 'network.manage', scope: { network: 'id' } },
      status: 201,
      summary:
        "Appoint a person of the network to an office (a chair or secretary may open motions, elections and disputes for it); a one-person office's current holder steps down",
      params: idParam,
      body: appointBody,
      response: z.object({
        id: z.string(),
        networkId: z.string(),
        office: z.string(),
        memberId: z.string(),
        personId: z.string().nullable(),
        name: z.string(),
        startsOn: z.string(),
        endsOn: z.string(),
      }),
      handler: ({ params, body, person }) => s.people.appoint(person!, params.id, body),
    }),
  ];
}
