import { z } from 'zod';
import { defineRoute, type RouteDef } from '../route';
import { actionResponse, declineBody, receiptResponse, signBody, tokenParam } from '../schemas';
import type { Services } from '../services';
import { requestMeta } from '../request-meta';

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
      handler: async ({ params }) => (await s.actions.describe(params.token)).view,
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
