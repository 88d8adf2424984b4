import { z } from 'zod';
import { signingRuleSchema } from '../../domain/signing.schema';
import { defineRoute, type RouteDef } from '../route';
import { documentRefResponse, formationResponse, idParam, stageParams } from '../schemas';
import type { Services } from '../services';

/** A network's formation: start, status, stage data and issuing. */
export function formationRoutes(s: Services): RouteDef[] {
  return [
    defineRoute({
      method: 'post',
      path: '/networks/:id/formation',
      tag: 'formation',
      policy: { action: 'formation.manage', scope: { network: 'id' } },
      summary: 'Start the formation workflow of a network',
      status: 202,
      params: idParam,
      response: z.object({ workflowId: z.string() }),
      handler: ({ params, staff }) => s.formation.start(staff!.name, params.id),
    }),
    defineRoute({
      method: 'get',
      path: '/networks/:id/formation',
      tag: 'formation',
      policy: { action: 'network.read', scope: { network: 'id' } },
      summary: 'Formation status: stages, documents and sign-off progress',
      params: idParam,
      response: formationResponse,
      handler: ({ params }) => s.formation.status(params.id),
    }),
    defineRoute({
      method: 'put',
      path: '/networks/:id/stages/:stage',
      tag: 'formation',
      policy: { action: 'formation.manage', scope: { network: 'id' } },
      summary: "Submit or revise a stage's data (validated per stage)",
      params: stageParams,
      body: z.record(z.string(), z.unknown()),
      response: z.object({ stage: z.string(), revision: z.number(), data: z.unknown() }),
      handler: ({ params, body, staff }) => s.formation.submitStageData(staff!.name, params.id, params.stage, body),
    }),
    defineRoute({
      method: 'post',
      path: '/networks/:id/stages/:stage/issue',
      tag: 'formation',
      policy: { action: 'formation.manage', scope: { network: 'id' } },
      status: 202,
      summary: "Issue the stage's document for decision; while a round is out, issuing again voids it and sends the new version",
      params: stageParams,
      optionalBody: z.object({ signingRule: signingRuleSchema.optional() }),
      response: z.object({ stage: z.string(), status: z.string(), signingRule: signingRuleSchema, document: documentRefResponse.omit({ status: true }) }),
      handler: ({ params, staff, body }) => s.formation.issue(staff!.name, params.id, params.stage, body ?? {}),
    }),
  ];
}
