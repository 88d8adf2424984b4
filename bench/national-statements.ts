/**
 * SQL statements per network, from PostgreSQL's pg_stat_statements (the bench's cluster loads it):
 * a steadier measure than CPU seconds on a shared machine, and it says which statements to cut.
 */
import { Client } from 'pg';

export interface StatementReport {
  /** statements executed per network while the run at N ran (every process: server and workers) */
  perNetwork: number;
  /** the most frequent statements, with calls and execution time per network */
  top: { sql: string; callsPerNetwork: number; msPerNetwork: number }[];
  /** audit events per network by type (every audited transaction takes the chain's head in turn) */
  auditEvents: Record<string, number>;
  /** transactions PostgreSQL broke as deadlocks while the run at N ran (each then ran again) */
  deadlocks: number;
}

async function withClient<T>(databaseUrl: string, use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** Clears the counts, so the next report covers only what ran after this; gives the audit chain's length then. */
export function resetStatements(databaseUrl: string): Promise<number> {
  return withClient(databaseUrl, async (c) => {
    await c.query('select pg_stat_statements_reset()');
    await c.query('select pg_stat_reset()');
    return Number((await c.query<{ seq: string }>('select seq from audit_head where id = 1')).rows[0]?.seq ?? 0);
  });
}

/** Statements since the last reset, per network; this report's own queries are left out. */
export function statementReport(databaseUrl: string, networks: number, auditSeqBefore: number, top = 40): Promise<StatementReport> {
  return withClient(databaseUrl, async (c) => {
    const own = "query not like '%pg_stat_statements%'";
    const total = await c.query<{ calls: string }>(`select coalesce(sum(calls), 0) as calls from pg_stat_statements where ${own}`);
    const rows = await c.query<{ query: string; calls: string; ms: number }>(
      `select query, calls, total_exec_time as ms from pg_stat_statements where ${own} order by calls desc limit $1`,
      [top],
    );
    const per = (n: number) => Math.round((n / networks) * 10) / 10;
    const audit = await c.query<{ type: string; n: string }>(
      'select type, count(*) as n from audit_events where seq > $1 group by type order by count(*) desc',
      [auditSeqBefore],
    );
    const deadlocks = await c.query<{ deadlocks: string }>('select deadlocks from pg_stat_database where datname = current_database()');
    return {
      deadlocks: Number(deadlocks.rows[0]?.deadlocks ?? 0),
      auditEvents: Object.fromEntries(audit.rows.map((r) => [r.type, per(Number(r.n))])),
      perNetwork: per(Number(total.rows[0].calls)),
      top: rows.rows.map((r) => ({ sql: r.query.replace(/\s+/g, ' ').slice(0, 240), callsPerNetwork: per(Number(r.calls)), msPerNetwork: per(r.ms) })),
    };
  });
}
