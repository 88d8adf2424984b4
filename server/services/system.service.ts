import type { ServerDeps } from '../deps';

/** Health of the service's dependencies, and the audit chain check. */
export function createSystemService(deps: Pick<ServerDeps, 'db' | 'repos' | 'temporal'>) {
  const { db, repos, temporal } = deps;
  return {
    async health() {
      const [database, workflows] = await Promise.all([
        db.raw('select 1').then(
          () => 'ok' as const,
          () => 'down' as const,
        ),
        temporal.connection
          .withDeadline(Date.now() + 3_000, () => temporal.workflowService.getSystemInfo({}))
          .then(
            () => 'ok' as const,
            () => 'down' as const,
          ),
      ]);
      return { status: database === 'ok' && workflows === 'ok' ? ('ok' as const) : ('degraded' as const), temporal: workflows, database };
    },

    verifyAudit() {
      return repos.audit.verify(db);
    },
  };
}
