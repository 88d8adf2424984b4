import { z } from 'zod';
import { defineRoute, type RouteDef } from '../route';
import { ACTION_KINDS } from '../../domain/action-kinds';
import { declineBody, delegateBody, receiptResponse, signBody, tokenParam } from '../schemas';
import type { Services } from '../services';
import { requestMeta } from '../request-meta';
import { actionViewResponse } from './action-views';
import { ballotBody, ballotReceiptResponse } from './votes.routes';
import { DOCUMENT_MEDIA_TYPE, sendDocumentFile } from '../document-files';

const SIGN = { kinds: ['sign'] } as const;

/** What waits for a person, whichever link or session they came with. */
export const myActionsResponse = z.array(
  z.object({
    actionId: z.string(),
    kind: z.string(),
    subjectId: z.string(),
    title: z.string(),
    /** the title of what is to be done (kept for scripts written before ballots were listed) */
    documentTitle: z.string(),
    documentVersion: z.number().nullable(),
    network: z.string(),
    practice: z.string(),
    expiresAt: z.string(),
  }),
);

/** What an action link allows, and doing it (sign, decline, delegate, vote). */
export function actionsRoutes(s: Services): RouteDef[] {
  const file = (kind: 'pdf' | 'docx') =>
    defineRoute({
      method: 'get',
      path: `/actions/:token/${kind}`,
      tag: 'actions',
      access: 'token',
      link: SIGN,
      summary: `The document of this action as ${kind.toUpperCase()}`,
      params: tokenParam,
      produces: DOCUMENT_MEDIA_TYPE[kind],
      handler: async ({ link, res }) => {
        const { bytes, document } = await s.actions.file(link!, kind);
        sendDocumentFile(res, kind, bytes, `${document.type}-v${document.version}.${kind}`);
      },
    });
  return [
    defineRoute({
      method: 'get',
      path: '/actions/:token',
      tag: 'actions',
      access: 'token',
      link: { kinds: ['sign', 'vote', 'ballot', 'dispute-case', 'dispute-external', 'score'] },
      summary: 'What this action link allows: one shape per kind of link, told apart by `kind`',
      params: tokenParam,
      response: actionViewResponse,
      handler: async ({ link }) => {
        if (link!.token.kind === 'dispute-case' || link!.token.kind === 'dispute-external') return s.disputes.describeForLink(link!);
        if (link!.token.kind === 'score') return s.panel.describeScore(link!);
        if (link!.token.kind !== 'sign') return s.votes.describeAction(link!);
        await s.actions.markViewed(link!);
        return (await s.actions.describe(link!)).view;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/actions/:token/preview',
      tag: 'actions',
      access: 'token',
      link: SIGN,
      summary: 'The document as HTML, and what changed since the version this person last opened',
      params: tokenParam,
      response: z.object({
        html: z.string(),
        changes: z.object({ fromVersion: z.number(), parts: z.array(z.object({ op: z.enum(['equal', 'insert', 'delete']), text: z.string() })) }).nullable(),
      }),
      handler: ({ link }) => s.actions.preview(link!),
    }),
    defineRoute({
      method: 'post',
      path: '/actions/:token/code',
      tag: 'actions',
      access: 'token',
      link: SIGN,
      summary: 'Email a one-time signing code (where the programme asks for one)',
      params: tokenParam,
      response: z.object({ sentTo: z.string(), expiresAt: z.string() }),
      handler: ({ link }) => s.actions.sendCode(link!),
    }),
    defineRoute({
      method: 'get',
      path: '/actions/:token/mine',
      tag: 'actions',
      access: 'token',
      link: { kinds: ACTION_KINDS },
      summary: 'Everything waiting for the person this link was sent to (any kind of link), across networks: documents to sign, open ballots',
      params: tokenParam,
      response: myActionsResponse,
      handler: ({ link }) => s.actions.mine(link!),
    }),
    defineRoute({
      method: 'post',
      path: '/actions/:token/delegate',
      tag: 'actions',
      access: 'token',
      link: SIGN,
      summary: 'Hand the request to another partner of the same practice (with the emailed code where the programme asks for one)',
      params: tokenParam,
      body: delegateBody,
      response: z.object({ delegatedTo: z.string() }),
      handler: ({ link, body }) => s.actions.delegate(link!, body),
    }),
    defineRoute({
      method: 'post',
      path: '/actions/:token/ballot',
      tag: 'actions',
      access: 'token',
      link: { kinds: ['vote', 'ballot'] },
      summary: 'Cast the ballot of a vote ({ choice }) or election ({ preferences }) link → receipt code',
      params: tokenParam,
      body: ballotBody,
      response: ballotReceiptResponse,
      handler: ({ link, body }) => s.votes.castBallot(link!, body),
    }),
    defineRoute({
      method: 'post',
      path: '/actions/:token/sign',
      tag: 'actions',
      access: 'token',
      link: SIGN,
      summary: 'Sign the document; 409 if already signed',
      params: tokenParam,
      body: signBody,
      response: receiptResponse,
      handler: ({ link, body, req }) => s.actions.sign(link!, body, requestMeta(req)),
    }),
    defineRoute({
      method: 'post',
      path: '/actions/:token/decline',
      tag: 'actions',
      access: 'token',
      link: SIGN,
      summary: 'Decline to sign, with a reason (and the emailed code where the programme asks for one)',
      params: tokenParam,
      body: declineBody,
      response: z.object({ declinedAt: z.string() }),
      handler: ({ link, body }) => s.actions.decline(link!, body),
    }),
    file('pdf'),
    file('docx'),
  ];
}
