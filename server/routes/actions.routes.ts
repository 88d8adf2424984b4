import { z } from 'zod';
import { defineRoute, type RouteDef } from '../route';
import { actionResponse, declineBody, receiptResponse, signBody, tokenParam } from '../schemas';
import type { Services } from '../services';
import { requestMeta } from '../request-meta';
import { ballotBody } from './votes.routes';

/** What an action link allows, and doing it (sign, decline). */
export function actionsRoutes(s: Services): RouteDef[] {
  const file = (kind: 'pdf' | 'docx') =>
    defineRoute({
      method: 'get', path: `/actions/:token/${kind}`, tag: 'actions', access: 'token', summary: `The document of this action as ${kind.toUpperCase()}`, params: tokenParam,
      produces: kind === 'pdf' ? 'application/pdf' : 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      handler: async ({ params, res }) => {
        const { bytes, document } = await s.actions.file(params.token, kind);
        res.setHeader('Content-Disposition', `inline; filename="${document.type}-v${document.version}.${kind}"`);
        res.type(kind === 'pdf' ? 'application/pdf' : 'application/vnd.openxmlformats-officedocument.wordprocessingml.document').send(bytes);
      },
    });
  return [
    defineRoute({
      method: 'get', path: '/actions/:token', tag: 'actions', access: 'token', summary: 'What this action link allows', params: tokenParam, response: actionResponse,
      handler: async ({ params }) => {
        // vote and election ballot links are described by the votes service
        const ballot = await s.votes.describeAction(params.token);
        if (ballot) return ballot;
        await s.actions.markViewed(params.token);
        return (await s.actions.describe(params.token)).view;
      },
    }),
    defineRoute({
      method: 'get', path: '/actions/:token/preview', tag: 'actions', access: 'token', summary: 'The document as HTML, and what changed since the version this person last opened', params: tokenParam,
      response: z.object({ html: z.string(), changes: z.object({ fromVersion: z.number(), parts: z.array(z.object({ op: z.enum(['equal', 'insert', 'delete']), text: z.string() })) }).nullable() }),
      handler: ({ params }) => s.actions.preview(params.token),
    }),
    defineRoute({
      method: 'post', path: '/actions/:token/code', tag: 'actions', access: 'token', summary: 'Email a one-time signing code (where the programme asks for one)', params: tokenParam,
      response: z.object({ sentTo: z.string(), expiresAt: z.string() }),
      handler: ({ params }) => s.actions.sendCode(params.token),
    }),
    defineRoute({
      method: 'get', path: '/actions/:token/mine', tag: 'actions', access: 'token', summary: 'Everything waiting for the holder of this link, across networks', params: tokenParam,
      response: z.array(z.object({ actionId: z.string(), subjectId: z.string(), documentTitle: z.string(), documentVersion: z.number(), network: z.string(), practice: z.string(), expiresAt: z.string() })),
      handler: ({ params }) => s.actions.mine(params.token),
    }),
    defineRoute({
      method: 'post', path: '/actions/:token/delegate', tag: 'actions', access: 'token', summary: 'Hand the request to another partner of the same practice', params: tokenParam,
      body: z.object({ toPersonId: z.string().min(1).max(64) }), response: z.object({ delegatedTo: z.string() }),
      handler: ({ params, body }) => s.actions.delegate(params.token, body),
    }),
    defineRoute({
      method: 'post', path: '/actions/:token/ballot', tag: 'actions', access: 'token', summary: 'Cast the ballot of a vote ({ choice }) or election ({ preferences }) link → receipt code', params: tokenParam, body: ballotBody,
      handler: ({ params, body }) => s.votes.castBallot(params.token, body),
    }),
    defineRoute({
      method: 'post', path: '/actions/:token/sign', tag: 'actions', access: 'token', summary: 'Sign the document; 409 if already signed', params: tokenParam, body: signBody, response: receiptResponse,
      handler: ({ params, body, req }) => s.actions.sign(params.token, body, requestMeta(req)),
    }),
    defineRoute({
      method: 'post', path: '/actions/:token/decline', tag: 'actions', access: 'token', summary: 'Decline to sign, with a reason', params: tokenParam, body: declineBody,
      response: z.object({ declinedAt: z.string() }),
      handler: ({ params, body }) => s.actions.decline(params.token, body),
    }),
    file('pdf'),
    file('docx'),
  ];
}
