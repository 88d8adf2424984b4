import { z } from 'zod';
import { defineRoute, type RouteDef } from '../route';
import type { Services } from '../services';

/** Health and audit-chain verification. (The OpenAPI route is mounted by app.ts, which owns the route table.) */
export function systemRoutes(s: Services): RouteDef[] {
  return [
    defineRoute({
      method: 'get', path: '/health', tag: 'system', access: 'public', summary: 'Health of the service and its dependencies; 503 when one is down',
      response: z.object({ status: z.enum(['ok', 'degraded']), temporal: z.enum(['ok', 'down']), database: z.enum(['ok', 'down']) }),
      handler: async ({ res }) => {
        const health = await s.system.health();
        res.status(health.status === 'ok' ? 200 : 503).json(health);
      },
    }),
    defineRoute({
      method: 'get', path: '/audit/verify', tag: 'audit', policy: { action: 'audit.verify' }, summary: 'Re-compute the audit hash chain and name the first broken link',
      response: z.object({ valid: z.boolean(), checked: z.number(), firstBrokenSeq: z.number().optional() }),
      handler: () => s.system.verifyAudit(),
    }),
  ];
}
