import { z } from 'zod';
import { PANEL_OUTCOMES, outcomeProblems } from '../../domain/panel';
import { criteriaSchema, scoreSheetSchema } from '../../domain/panel.schema';
import { defineRoute, type RouteDef } from '../route';
import { calendarDate, emailAddress, idField, idParam, tokenParam, textField } from '../schemas';
import type { Services } from '../services';

// names and text typed here reach documents and pages: the characters a document cannot hold are refused
const trimmed = textField;

export const panelBody = z
  .object({
    date: calendarDate,
    members: z
      .array(z.object({ name: trimmed(300), email: emailAddress(), organisation: trimmed(300), external: z.boolean() }))
      .min(1)
      .max(50),
    criteria: criteriaSchema,
  })
  .superRefine((p, ctx) => {
    const seen = new Set<string>();
    p.members.forEach((m, i) => {
      if (seen.has(m.email)) ctx.addIssue({ code: 'custom', path: ['members', i, 'email'], message: `${m.email} appears twice` });
      seen.add(m.email);
    });
  });

export const outcomeBody = z
  .object({ outcome: z.enum(PANEL_OUTCOMES), conditions: z.array(trimmed(1000)).max(20).optional(), reason: trimmed(4000) })
  .superRefine((o, ctx) => {
    for (const p of outcomeProblems(o)) ctx.addIssue({ code: 'custom', path: [p.path], message: p.message });
  });

export const closeConditionBody = z.object({ note: trimmed(4000), evidenceDocumentId: idField.optional() });

const criterion = z.object({ key: z.string(), title: z.string(), weight: z.number() });
const panelResponse = z.object({
  id: z.string(),
  waveId: z.string(),
  date: z.string(),
  criteria: z.array(criterion),
  members: z.array(z.object({ id: z.string(), name: z.string(), email: z.string(), organisation: z.string(), external: z.boolean() })),
});
const outcomeView = z.object({
  outcome: z.enum(PANEL_OUTCOMES),
  words: z.string(),
  reason: z.string(),
  decidedBy: z.string(),
  decidedAt: z.string(),
  toWave: z.object({ id: z.string(), number: z.number(), panelDate: z.string() }).nullable(),
  letterDocumentId: z.string().nullable(),
  /** the letter to the practices: sent (its document), being sent, or failed (why, and when) */
  letter: z.object({
    status: z.enum(['sent', 'sending', 'failed']),
    documentId: z.string().nullable(),
    error: z.string().nullable(),
    failedAt: z.string().nullable(),
  }),
});
const conditionView = z.object({
  n: z.number(),
  text: z.string(),
  status: z.enum(['open', 'closed']),
  note: z.string().nullable(),
  evidenceDocumentId: z.string().nullable(),
  closedBy: z.string().nullable(),
  closedAt: z.string().nullable(),
});
const presentationView = z.object({
  id: z.string(),
  wave: z.object({ id: z.string(), number: z.number(), panelDate: z.string() }),
  pack: z.object({ documentId: z.string(), title: z.string(), version: z.number() }).nullable(),
  criteria: z.array(criterion),
  members: z.array(
    z.object({
      memberId: z.string(),
      name: z.string(),
      organisation: z.string(),
      external: z.boolean(),
      status: z.enum(['awaiting', 'scored', 'excluded']),
      exclusionReason: z.string().nullable(),
      scores: z.array(z.object({ criterion: z.string(), score: z.number(), comment: z.string() })),
      weighted: z.number().nullable(),
      recommendation: z.enum(PANEL_OUTCOMES).nullable(),
      conditions: z.array(z.string()),
      scoredAt: z.string().nullable(),
    }),
  ),
  criteriaMeans: z.array(criterion.extend({ mean: z.number().nullable() })),
  weightedMean: z.number().nullable(),
  recommendations: z.object({ pass: z.number(), conditional: z.number(), defer: z.number() }),
  outcome: outcomeView.nullable(),
  conditions: z.array(conditionView),
});

/** The wave panel: its members and criteria, a network's panel view, the outcome and conditions, and scoring by action link. */
export function panelRoutes(s: Services): RouteDef[] {
  return [
    defineRoute({
      method: 'put',
      path: '/waves/:id/panel',
      tag: 'panel',
      policy: { action: 'panel.manage', scope: { wave: 'id' } },
      summary: "Set a wave's panel: date, members (external ones marked) and weighted criteria; members are matched by email",
      params: idParam,
      body: panelBody,
      response: panelResponse,
      handler: ({ params, body, staff }) => s.panel.setPanel(staff!.name, params.id, body),
    }),
    defineRoute({
      method: 'get',
      path: '/waves/:id/panel',
      tag: 'panel',
      policy: { action: 'panel.read', scope: { wave: 'id' } },
      summary: "A wave's panel",
      params: idParam,
      response: panelResponse,
      handler: ({ params }) => s.panel.wavePanel(params.id),
    }),
    defineRoute({
      method: 'get',
      path: '/networks/:id/panel',
      tag: 'panel',
      policy: { action: 'panel.read', scope: { network: 'id' } },
      summary:
        "A network's presentation to its wave's panel: scores by member and criterion, weighted mean, recommendations, outcome and conditions (and earlier presentations, before a deferral)",
      params: idParam,
      response: z.object({
        networkId: z.string(),
        name: z.string(),
        waveId: z.string(),
        current: presentationView.nullable(),
        outcome: outcomeView.nullable(),
        conditions: z.array(conditionView),
        earlier: z.array(presentationView),
      }),
      handler: ({ params }) => s.panel.networkPanel(params.id),
    }),
    defineRoute({
      method: 'post',
      path: '/networks/:id/panel/outcome',
      tag: 'panel',
      policy: { action: 'panel.decide', scope: { network: 'id' } },
      summary:
        "Record the panel's outcome: pass; conditional (with conditions, closed before the legal-entity stage); defer (to the programme's next wave; 409 NO_NEXT_WAVE without one). Answered once the outcome is recorded; the letter to the practices follows, and GET /networks/:id/panel gives its document (letterDocumentId) once sent",
      params: idParam,
      body: outcomeBody,
      response: z.object({
        presentationId: z.string(),
        outcome: z.enum(PANEL_OUTCOMES),
        conditions: z.array(z.object({ n: z.number(), text: z.string() })),
        toWave: z.object({ id: z.string(), number: z.number(), panelDate: z.string() }).nullable(),
        /** null: the letter is being rendered and sent (workflows started before this answered with it) */
        letterDocumentId: z.string().nullable(),
      }),
      handler: ({ params, body, staff }) => s.panel.recordOutcome(staff!.name, params.id, body),
    }),
    defineRoute({
      method: 'post',
      path: '/networks/:id/panel/letter',
      tag: 'panel',
      policy: { action: 'panel.decide', scope: { network: 'id' } },
      summary:
        "Send again the panel's outcome letter that could not be sent (GET /networks/:id/panel says `letter.status: failed` and why); 409 LETTER_NOT_FAILED when it was sent or is being sent, LETTER_SENDING while an attempt runs",
      status: 202,
      params: idParam,
      response: z.object({ presentationId: z.string(), letter: z.literal('sending') }),
      handler: ({ params, staff }) => s.panel.resendLetter(staff!.name, params.id),
    }),
    defineRoute({
      method: 'post',
      path: '/networks/:id/panel/conditions/:n/close',
      tag: 'panel',
      policy: { action: 'panel.decide', scope: { network: 'id' } },
      summary: 'Close a condition of a conditional pass, with a note of its evidence (and the evidence document, if stored)',
      params: z.object({ id: idField, n: z.coerce.number().int().min(1).max(100) }),
      body: closeConditionBody,
      response: z.object({ n: z.number(), closedAt: z.string() }),
      handler: ({ params, body, staff }) => s.panel.closeCondition(staff!.name, params.id, params.n, body),
    }),
    defineRoute({
      method: 'post',
      path: '/actions/:token/score',
      tag: 'actions',
      access: 'token',
      link: { kinds: ['score'] },
      summary:
        "A panel member's scores (1–5 per criterion, with comments), recommendation and proposed conditions; once per member and network (409 ALREADY_SCORED)",
      params: tokenParam,
      body: scoreSheetSchema,
      response: z.object({
        scoreId: z.string(),
        presentationId: z.string(),
        memberId: z.string(),
        recommendation: z.enum(PANEL_OUTCOMES),
        scoredAt: z.string(),
      }),
      handler: ({ link, body }) => s.panel.score(link!, body),
    }),
    defineRoute({
      method: 'get',
      path: '/actions/:token/pack',
      tag: 'actions',
      access: 'token',
      link: { kinds: ['score'] },
      summary: 'The panel pack this score link is for, as PDF',
      params: tokenParam,
      produces: 'application/pdf',
      handler: async ({ link, res }) => {
        const { bytes, fileName } = await s.panel.packFile(link!);
        res.setHeader('Content-Disposition', `inline; filename="${fileName}"`);
        res.type('application/pdf').send(bytes);
      },
    }),
  ];
}
