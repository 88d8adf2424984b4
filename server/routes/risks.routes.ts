import { z } from 'zod';
import { scoreFactorSchema } from '../../domain/disputes/risk';
import { STAGE_KEYS } from '../../domain/stages';
import { defineRoute, type RouteDef } from '../route';
import { calendarDate, idField, idParam, textField } from '../schemas';
import type { Services } from '../services';

// names and text typed here reach documents and pages: the characters a document cannot hold are refused
const trimmed = textField;
const id = idField;
const date = calendarDate;

const riskFields = {
  title: trimmed(300),
  cause: trimmed(5000),
  impact: trimmed(5000),
  likelihood: scoreFactorSchema,
  impactScore: scoreFactorSchema,
  ownerPersonId: id,
  mitigation: trimmed(5000),
  reviewOn: date,
};
export const riskBody = z.object(riskFields).strict();
export const riskPatch = z
  .object({
    ...Object.fromEntries(Object.entries(riskFields).map(([k, v]) => [k, v.optional()])),
    status: z.enum(['open', 'closed']).optional(),
    note: trimmed(5000).optional(),
  })
  .strict() as z.ZodType<Partial<z.infer<typeof riskBody>> & { status?: 'open' | 'closed'; note?: string }>;

const issueFields = { title: trimmed(300), description: trimmed(5000), ownerPersonId: id, action: trimmed(5000), dueOn: date, riskId: id.optional() };
export const issueBody = z.object({ ...issueFields, raisedOn: date.optional() }).strict();
export const issuePatch = z
  .object({
    ...Object.fromEntries(Object.entries(issueFields).map(([k, v]) => [k, v.optional()])),
    status: z.enum(['open', 'closed']).optional(),
    note: trimmed(5000).optional(),
  })
  .strict() as z.ZodType<Partial<z.infer<typeof issueBody>> & { status?: 'open' | 'closed'; note?: string }>;

const escalateBody = z
  .object({
    parties: z.array(id).min(2, 'a dispute is between two or more practices: name at least two').max(50),
    stage: z.enum(STAGE_KEYS).optional(),
    summary: trimmed(5000).optional(),
  })
  .strict();

const logEvent = z.object({
  id: z.string(),
  networkId: z.string(),
  subjectKind: z.enum(['risk', 'issue']),
  subjectId: z.string(),
  at: z.string(),
  actor: z.string(),
  type: z.string(),
  text: z.string(),
});
const riskResponse = z.object({
  id: z.string(),
  networkId: z.string(),
  title: z.string(),
  cause: z.string(),
  impact: z.string(),
  likelihood: z.number(),
  impactScore: z.number(),
  score: z.number(),
  rating: z.enum(['low', 'medium', 'high']),
  ownerPersonId: z.string(),
  mitigation: z.string(),
  status: z.enum(['open', 'closed']),
  reviewOn: z.string(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const issueResponse = z.object({
  id: z.string(),
  networkId: z.string(),
  title: z.string(),
  description: z.string(),
  raisedOn: z.string(),
  ownerPersonId: z.string(),
  action: z.string(),
  dueOn: z.string(),
  riskId: z.string().nullable(),
  status: z.enum(['open', 'closed', 'escalated']),
  disputeId: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const registerResponse = z.object({
  networkId: z.string(),
  risks: z.array(riskResponse.extend({ owner: z.string(), reviewOverdue: z.boolean(), log: z.array(logEvent) })),
  issues: z.array(issueResponse.extend({ owner: z.string(), overdue: z.boolean(), log: z.array(logEvent) })),
});

const riskParams = z.object({ id, riskId: id });
const issueParams = z.object({ id, issueId: id });

/** The risk register and issue log of a network (DOMAIN.md §3.5): facilitators manage, staff in scope read. */
export function risksRoutes(s: Services): RouteDef[] {
  return [
    defineRoute({
      method: 'get',
      path: '/networks/:id/risks',
      tag: 'risks',
      policy: { action: 'risk.read', scope: { network: 'id' } },
      summary: 'The risk register and issue log, each entry with its owner, score or due date, and log',
      params: idParam,
      response: registerResponse,
      handler: ({ params }) => s.risks.log(params.id),
    }),
    defineRoute({
      method: 'post',
      path: '/networks/:id/risks',
      tag: 'risks',
      policy: { action: 'risk.manage', scope: { network: 'id' } },
      status: 201,
      summary: 'Add a risk: cause, impact, likelihood × impact (1–5 each), owner, mitigation and review date (its owner is reminded when due)',
      params: idParam,
      body: riskBody,
      response: riskResponse,
      handler: ({ params, body, staff }) => s.risks.createRisk(staff!.name, params.id, body),
    }),
    defineRoute({
      method: 'put',
      path: '/networks/:id/risks/:riskId',
      tag: 'risks',
      policy: { action: 'risk.manage', scope: { network: 'id' } },
      summary: 'Review or change a risk (a new review date restarts its reminder), or close it',
      params: riskParams,
      body: riskPatch,
      response: riskResponse,
      handler: ({ params, body, staff }) => s.risks.updateRisk(staff!.name, params.id, params.riskId, body),
    }),
    defineRoute({
      method: 'post',
      path: '/networks/:id/issues',
      tag: 'risks',
      policy: { action: 'risk.manage', scope: { network: 'id' } },
      status: 201,
      summary: 'Log an issue: raised, owner, action, due date, and the risk it came from',
      params: idParam,
      body: issueBody,
      response: issueResponse,
      handler: ({ params, body, staff }) => s.risks.createIssue(staff!.name, params.id, body),
    }),
    defineRoute({
      method: 'put',
      path: '/networks/:id/issues/:issueId',
      tag: 'risks',
      policy: { action: 'risk.manage', scope: { network: 'id' } },
      summary: 'Update or close an issue',
      params: issueParams,
      body: issuePatch,
      response: issueResponse,
      handler: ({ params, body, staff }) => s.risks.updateIssue(staff!.name, params.id, params.issueId, body),
    }),
    defineRoute({
      method: 'post',
      path: '/networks/:id/issues/:issueId/escalate',
      tag: 'risks',
      policy: { action: 'dispute.open', scope: { network: 'id' } },
      status: 201,
      summary: 'Escalate an issue into a dispute case between the parties named; the case keeps the issue’s log as its history',
      params: issueParams,
      body: escalateBody,
      response: z.object({ id: z.string(), issueId: z.string(), step: z.object({ number: z.number(), name: z.string() }), dueOn: z.string().nullable() }),
      handler: ({ params, body, person, scope, staff }) => s.risks.escalateIssue(person!, scope, staff!.name, params.id, params.issueId, body),
    }),
  ];
}
