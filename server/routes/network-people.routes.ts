import { z } from 'zod';
import { defineRoute, type RouteDef } from '../route';
import { personBody, personResponse, practiceResponse, ROLES, textField } from '../schemas';
import type { Services } from '../services';
import { OPEN_ROUNDS_NOTE } from '../services/network-members.service';

const id = z.string().min(1).max(64);
const practiceParams = z.object({ id, practiceId: id });
const personParams = z.object({ id, personId: id });

export const practiceChangeBody = z
  .object({ name: textField(300).optional(), listSize: z.number().int().min(0).max(1_000_000).optional() })
  .refine((b) => b.name !== undefined || b.listSize !== undefined, { message: 'give a name or a list size', path: ['listSize'] });

export const personChangeBody = z
  .object({ name: textField(300).optional(), roles: z.array(z.enum(ROLES)).min(1).max(ROLES.length).optional() })
  .refine((b) => b.name !== undefined || b.roles !== undefined, { message: 'give a name or roles', path: ['roles'] });

/** Every route here is a change a network's manager makes to it. */
const MANAGE = { tag: 'networks', policy: { action: 'network.manage', scope: { network: 'id' } } } as const;

/** A network's practices and people after it was created. */
export function networkPeopleRoutes(s: Services): RouteDef[] {
  return [
    defineRoute({
      method: 'put',
      path: '/networks/:id/practices/:practiceId',
      ...MANAGE,
      summary: `Change a practice's name or registered list size. ${OPEN_ROUNDS_NOTE}`,
      params: practiceParams,
      body: practiceChangeBody,
      response: practiceResponse,
      handler: ({ params, body, person }) => s.networkMembers.changePractice(person!, params.id, params.practiceId, body),
    }),
    defineRoute({
      method: 'post',
      path: '/networks/:id/practices/:practiceId/people',
      ...MANAGE,
      status: 201,
      summary: `Add a person to a practice, with their roles. ${OPEN_ROUNDS_NOTE}`,
      params: practiceParams,
      body: personBody,
      response: personResponse,
      handler: ({ params, body, person }) => s.networkMembers.addPerson(person!, params.id, params.practiceId, body),
    }),
    defineRoute({
      method: 'put',
      path: '/networks/:id/people/:personId',
      ...MANAGE,
      summary: `Change a person's name or roles (a practice keeps at least one partner: 422 LAST_PARTNER). ${OPEN_ROUNDS_NOTE}`,
      params: personParams,
      body: personChangeBody,
      response: personResponse,
      handler: ({ params, body, person }) => s.networkMembers.changePerson(person!, params.id, params.personId, body),
    }),
    defineRoute({
      method: 'delete',
      path: '/networks/:id/people/:personId',
      ...MANAGE,
      status: 204,
      summary: `Take a person off their practice (a practice keeps at least one partner: 422 LAST_PARTNER). ${OPEN_ROUNDS_NOTE}`,
      params: personParams,
      handler: async ({ params, person, res }) => {
        await s.networkMembers.removePerson(person!, params.id, params.personId);
        res.status(204).end();
      },
    }),
  ];
}
