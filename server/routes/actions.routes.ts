import { z } from 'zod';
import { defineRoute, type RouteDef } from '../route';
import { actionResponse, declineBody, receiptResponse, signBody, tokenParam } from '../schemas';
import type { Services } from '../services';
import { requestMeta } from '../request-meta';
import { ballotBody } from './votes.routes';

const SIGN = { kinds: ['sign'] } as const;

/** What an action link allows, and doing it (sign, decline, delegate, vote). */
export function actionsRoutes(s: Services): RouteDef[] {
  const file = (kind: 'pdf' | 'docx') =>
    defineRoute({
      method: 'get', path: `/actions/:token/${kind}`, tag: 'actions', access: 'token', link: SIGN, summary: `The document of this action as ${kind.toUpperCase()}`, params: tokenParam,
      produces: kind === 'pdf' ? 'application/pdf' : 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      handler: async ({ link, res }) => {
        const { bytes, document } = await s.actions.file(link!, kind);
        res.setHeader('Content-Disposition', `inline; filename="${document.type}-v${document.version}.${kind}"`);
        res.type(kind === 'pdf' ? 'application/pdf' : 'application/vnd.openxmlformats-officedocument.wordprocessingml.document').send(bytes);
      },
    });
  return [
    defineRoute({
      method: 'get', path: '/actions/:token', tag: 'actions', access: 'token', link: { kinds: ['sign', 'vote', 'ballot', 'score'] }, summary: 'What this action link allows', params: tokenParam, response: actionResponse,
      handler: async ({ link }) => {
        if (link!.token.kind === 'score') return s.panel.describeScore(link!);
        if (link!.token.kind !== 'sign') return s.votes.describeAction(link!.secret);
        await s.actions.markViewed(link!);
        return (await s.actions.describe(link!)).view;
      },
    }),
    defineRoute({
      method: 'get', path: '/actions/:token/preview', tag: 'actions', access: 'token', link: SIGN, summary: 'The document as HTML, and what changed since the version this person last opened', params: tokenParam,
      response: z.object({ html: z.string(), changes: z.object({ fromVersion: z.number(), parts: z.array(z.object({ op: z.enum(['equal', 'insert', 'delete']), text: z.string() })) }).nullable() }),
      handler: ({ link }) => s.actions.preview(link!),
    }),
    defineRoute({
      method: 'post', path: '/actions/:token/code', tag: 'actions', access: 'token', link: SIGN, summary: 'Email a one-time signing code (where the programme asks for one)', params: tokenParam,
      response: z.object({ sentTo: z.string(), expiresAt: z.string() }),
      handler: ({ link }) => s.actions.sendCode(link!),
    }),
    defineRoute({
      method: 'get', path: '/actions/:token/mine', tag: 'actions', access: 'token', link: SIGN, summary: 'Everything waiting for the holder of this link, across networks', params: tokenParam,
      response: z.array(z.object({ actionId: z.string(), subjectId: z.string(), documentTitle: z.string(), documentVersion: z.number(), network: z.string(), practice: z.string(), expiresAt: z.string() })),
      handler: ({ link }) => s.actions.mine(link!),
    }),
    defineRoute({
      method: 'post', path: '/actions/:token/delegate', tag: 'actions', access: 'token', link: SIGN, summary: 'Hand the request to another partner of the same practice', params: tokenParam,
      body: z.object({ toPersonId: z.string().min(1).max(64) }), response: z.object({ delegatedTo: z.string() }),
      handler: ({ link, body }) => s.actions.delegate(link!, body),
    }),
    defineRoute({
      method: 'post', path: '/actions/:token/ballot', tag: 'actions', access: 'token', link: { kinds: ['vote', 'ballot'] }, summary: 'Cast the ballot of a vote ({ choice }) or election ({ preferences }) link → receipt code', params: tokenParam, body: ballotBody,
      handler: ({ link, body }) => s.votes.castBallot(link!.secret, body),
    }),
    defineRoute({
      method: 'post', path: '/actions/:token/sign', tag: 'actions', access: 'token', link: SIGN, summary: 'Sign the document; 409 if already signed', params: tokenParam, body: signBody, response: receiptResponse,
      handler: ({ link, body, req }) => s.actions.sign(link!, body, requestMeta(req)),
    }),
    defineRoute({
      method: 'post', path: '/actions/:token/decline', tag: 'actions', access: 'token', link: SIGN, summary: 'Decline to sign, with a reason', params: tokenParam, body: declineBody,
      response: z.object({ declinedAt: z.string() }),
      handler: ({ link, body }) => s.actions.decline(link!, body),
    }),
    file('pdf'),
    file('docx'),
  ];
}
