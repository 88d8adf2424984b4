import { z } from 'zod';
import { signingRuleSchema } from '../../domain/signing.schema';
import { defineRoute, type RouteDef } from '../route';
import { idParam } from '../schemas';
import type { Services } from '../services';

/** A facilitator manages a round of the network in their scope. */
const MANAGE_ROUND = { tag: 'signing', policy: { action: 'formation.manage', scope: { signoff: 'id' } } } as const;

/** Signing rounds as a facilitator steers them. */
export function signoffsRoutes(s: Services): RouteDef[] {
  return [
    defineRoute({
      method: 'get',
      path: '/signoffs/:id',
      tag: 'signing',
      policy: { action: 'network.read', scope: { signoff: 'id' } },
      summary: 'A signing round: rule, slots, requests and signatures',
      params: idParam,
      response: z.object({
        id: z.string(),
        networkId: z.string(),
        stage: z.string(),
        documentId: z.string(),
        documentVersion: z.number(),
        status: z.string(),
        rule: signingRuleSchema,
        expiresAt: z.string().nullable(),
        slots: z.array(
          z.object({
            id: z.string(),
            practiceId: z.string().nullable(),
            capacity: z.string(),
            group: z.number(),
            eligible: z.array(z.string()),
            filledBy: z.string().nullable(),
          }),
        ),
        requests: z.array(z.object({ personId: z.string(), practiceId: z.string(), status: z.string() })),
        signatures: z.array(z.object({ id: z.string(), personId: z.string(), practiceId: z.string(), capacity: z.string(), signedAt: z.string() })),
      }),
      handler: ({ params }) => s.signoffs.get(params.id),
    }),
    defineRoute({
      method: 'post',
      path: '/signoffs/:id/extend',
      ...MANAGE_ROUND,
      summary: 'Extend the expiry of a round (re-opens an expired round)',
      params: idParam,
      body: z.object({ days: z.number().int().min(1).max(90) }),
      response: z.object({ expiresAt: z.string() }),
      handler: ({ params, body, staff }) => s.signoffs.extend(staff!.name, params.id, body.days),
    }),
    defineRoute({
      method: 'post',
      path: '/signoffs/:id/resend',
      ...MANAGE_ROUND,
      summary: 'Send fresh links to everyone still owed a signature',
      params: idParam,
      response: z.object({ sentTo: z.number() }),
      handler: ({ params, staff }) => s.signoffs.resend(staff!.name, params.id),
    }),
    defineRoute({
      method: 'post',
      path: '/signoffs/:id/chase',
      ...MANAGE_ROUND,
      summary: 'Send a fresh link to one person still owed a signature ({ personId }), or to everyone owed; 409 NOT_OWED when nothing waits for that person',
      params: idParam,
      optionalBody: z.object({ personId: z.string().min(1).max(64).optional() }).strict(),
      response: z.object({ sentTo: z.number() }),
      handler: ({ params, staff, body }) => s.signoffs.chase(staff!.name, params.id, body?.personId),
    }),
  ];
}
