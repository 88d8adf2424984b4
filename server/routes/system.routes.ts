import { z } from 'zod';
import { CHAIN_PROBLEM_CODES } from '../../db/audit-chain';
import { defineRoute, type RouteDef } from '../route';
import type { Services } from '../services';

const auditVerifyResponse = z.object({
  valid: z.boolean(),
  checked: z.number(),
  firstBrokenSeq: z.number().optional(),
  reason: z.string().optional(),
  problems: z.array(
    z.object({
      code: z.enum(CHAIN_PROBLEM_CODES),
      seq: z.number().optional(),
      message: z.string(),
    }),
  ),
  keyId: z.string(),
  head: z.object({ seq: z.number(), hash: z.string() }),
  checkpoint: z.object({ seq: z.number(), hash: z.string(), at: z.string() }).nullable(),
});

const healthResponse = z.object({ status: z.enum(['ok', 'degraded']), temporal: z.enum(['ok', 'down']), database: z.enum(['ok', 'down']) });

/** Health and audit-chain verification. (The OpenAPI route is mounted by app.ts, which owns the route table.) */
export function systemRoutes(s: Services): RouteDef[] {
  return [
    defineRoute({
      method: 'get',
      path: '/health',
      tag: 'system',
      access: 'public',
      summary: 'Health of the service and its dependencies; 503 when one is down',
      response: healthResponse,
      otherResponses: { 503: { description: 'A dependency is down (named in the body)', schema: healthResponse } },
      handler: async ({ res }) => {
        const health = await s.system.health();
        res.status(health.status === 'ok' ? 200 : 503).json(health);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/audit/verify',
      tag: 'audit',
      policy: { action: 'audit.verify' },
      summary:
        'Re-compute the audit chain with the evidence key and hold it against the head row and the latest checkpoint kept outside the database; every problem is named with a reason',
      response: auditVerifyResponse,
      handler: () => s.system.verifyAudit(),
    }),
  ];
}
