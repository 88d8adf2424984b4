import { z } from 'zod';
import { PANEL_OUTCOMES } from '../../domain/panel';
import { REGISTRATION_ITEMS } from '../../domain/registration';
import { defineRoute, type RouteDef } from '../route';
import { idParam } from '../schemas';
import type { Services } from '../services';

const rag = z.enum(['red', 'amber', 'green']);
const ragCounts = z.object({ red: z.number(), amber: z.number(), green: z.number() });

const networkRow = z.object({
  networkId: z.string(),
  name: z.string(),
  waveId: z.string(),
  waveNumber: z.number(),
  formationStatus: z.string(),
  currentStage: z.string().nullable(),
  stageStatus: z.string().nullable(),
  stagesCompleted: z.number(),
  rag,
  blockers: z.array(z.string()),
  listSize: z.number(),
  footprint: z.object({ minListSize: z.number(), maxListSize: z.number(), status: z.enum(['below', 'within', 'above']) }),
  practices: z.number(),
  panel: z.object({
    outcome: z.enum(PANEL_OUTCOMES).nullable(),
    outcomeWords: z.string().nullable(),
    openConditions: z.array(z.object({ n: z.number(), text: z.string() })),
    deferredFromWave: z.number().nullable(),
  }),
  openDisputes: z.array(z.string()),
  checklist: z.array(
    z.object({
      key: z.enum(REGISTRATION_ITEMS),
      label: z.string(),
      met: z.boolean(),
      detail: z.string(),
      evidence: z
        .object({ kind: z.enum(['sealed-pdf', 'stage-data', 'record']), href: z.string() })
        .loose()
        .nullable(),
    }),
  ),
  decision: z.object({ decision: z.enum(['ready', 'not-ready']), note: z.string(), decidedBy: z.string(), decidedAt: z.string() }).nullable(),
});

export const decisionBody = z.object({ decision: z.enum(['ready', 'not-ready']), note: z.string().trim().min(1).max(4000) });

/** Readiness across a programme (JSON or CSV) and the commissioner's decision per network. */
export function readinessRoutes(s: Services): RouteDef[] {
  return [
    defineRoute({
      method: 'get',
      path: '/programmes/:id/readiness',
      tag: 'readiness',
      policy: { action: 'readiness.read', scope: { programme: 'id' } },
      summary:
        'Every wave and network: stage, RAG, blockers, list size vs footprint, panel outcome and open conditions, open disputes, registration checklist with evidence, decision; `?format=csv` for a spreadsheet (text/csv)',
      params: idParam,
      query: z.object({ format: z.enum(['json', 'csv']).default('json') }),
      produces: 'text/csv',
      response: z.object({
        programme: z.object({
          id: z.string(),
          name: z.string(),
          sponsor: z.string(),
          footprint: z.object({ minListSize: z.number(), maxListSize: z.number() }),
        }),
        today: z.string(),
        summary: ragCounts.extend({ networks: z.number(), decidedReady: z.number(), openConditions: z.number() }),
        waves: z.array(
          z.object({
            id: z.string(),
            number: z.number(),
            panelDate: z.string(),
            daysToPanel: z.number(),
            summary: ragCounts,
            funnel: z.array(z.object({ key: z.string(), title: z.string(), networks: z.number() })),
            networks: z.array(networkRow),
          }),
        ),
        history: z.array(ragCounts.extend({ day: z.string() })),
      }),
      handler: async ({ params, query, res }) => {
        if (query.format === 'json') return s.readiness.programme(params.id);
        const csv = await s.readiness.csv(params.id);
        res.setHeader('Content-Disposition', `attachment; filename="readiness-${new Date().toISOString().slice(0, 10)}.csv"`);
        res.type('text/csv; charset=utf-8').send(csv);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/networks/:id/readiness/decision',
      tag: 'readiness',
      policy: { action: 'readiness.decide', scope: { network: 'id' } },
      status: 201,
      summary: "A commissioner's decision on a network: ready or not ready, with a note; recorded, audited and shown on the dashboard",
      params: idParam,
      body: decisionBody,
      response: z.object({
        id: z.string(),
        networkId: z.string(),
        decision: z.enum(['ready', 'not-ready']),
        note: z.string(),
        decidedBy: z.string(),
        decidedAt: z.string(),
      }),
      handler: ({ params, body, person }) => s.readiness.decide(person!, params.id, body),
    }),
  ];
}
