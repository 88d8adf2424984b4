/**
 * EXPLAIN ANALYZE of the dashboard and formation read paths on PostgreSQL, once the national run has
 * filled the database: the readiness service and the formation status are called as the server calls
 * them, every SELECT they send is captured, and each is explained with its own parameters. The plans
 * go to bench/out/national-explain.txt; the summary names any sequential scan of a table that grows
 * with the programme, which is what an index would have to fix.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import pino from 'pino';
import { evidenceKey } from '../db/audit-chain';
import { createCheckpointStore } from '../db/audit-checkpoints';
import { createDb } from '../db/knex';
import { createRepos } from '../db/repos';
import type { ServerDeps } from '../server/deps';
import { createFormationService } from '../server/services/formation.service';
import { createReadinessService } from '../server/services/readiness.service';

/** Tables whose rows number in the thousands at national scale; small lookup tables are scanned happily. */
const GROWING = [
  'networks',
  'practices',
  'people',
  'persons',
  'stages',
  'documents',
  'signoffs',
  'signatures',
  'signature_requests',
  'sealed_documents',
  'outbox',
  'action_tokens',
  'audit_events',
  'panel_presentations',
  'panel_scores',
  'panel_conditions',
  'panel_invitations',
  'readiness_snapshots',
  'readiness_decisions',
  'motions',
  'disputes',
];

export interface ExplainedQuery {
  path: string;
  sql: string;
  executionMs: number;
  /** sequential scans of growing tables, as "table (rows)" */
  seqScans: string[];
}

export interface ExplainReport {
  queries: ExplainedQuery[];
  /** queries that scan a growing table: each wants an index */
  withSeqScans: number;
  /** queries PostgreSQL could not explain: while any are, "no sequential scan" proves nothing */
  unexplained: number;
}

export async function explainReadPaths(opts: { databaseUrl: string; evidenceKey: string; programmeId: string; networkId: string }): Promise<ExplainReport> {
  const db = createDb({ client: 'pg', url: opts.databaseUrl });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'formwork-explain-'));
  const key = evidenceKey(opts.evidenceKey);
  const repos = createRepos({ key, checkpoints: createCheckpointStore({ dir, key }) });
  const deps = { db, repos, publicUrl: 'http://localhost', log: pino({ level: 'silent' }) } as unknown as ServerDeps;
  const captured: { path: string; sql: string; bindings: unknown[] }[] = [];
  let current = '';
  const onQuery = (q: { sql: string; bindings?: unknown[] }) => {
    if (/^\s*select/i.test(q.sql)) captured.push({ path: current, sql: q.sql, bindings: q.bindings ?? [] });
  };
  db.on('query', onQuery);
  try {
    current = 'GET /programmes/:id/readiness';
    await createReadinessService(deps).programme(opts.programmeId);
    current = 'GET /networks/:id/formation';
    await createFormationService(deps).status(opts.networkId);
    current = 'GET /outbox?networkId=';
    await repos.outbox.list(db, { networkId: opts.networkId, limit: 200 });
    db.removeListener('query', onQuery);

    const seen = new Set<string>();
    let unexplained = 0;
    const queries: ExplainedQuery[] = [];
    const text: string[] = [];
    for (const q of captured) {
      if (seen.has(q.sql)) continue;
      seen.add(q.sql);
      let plan: string[];
      try {
        // the query event gives PostgreSQL's numbered parameters ($1, $2… in order); knex.raw takes ?
        const result = await db.raw(`explain (analyze, buffers) ${q.sql.replace(/\$\d+/g, '?')}`, q.bindings as readonly Knex.Value[]);
        plan = (result.rows as Record<string, string>[]).map((r) => r['QUERY PLAN']);
      } catch (err) {
        unexplained += 1;
        plan = [`could not explain (${(err as Error).message}) with bindings ${JSON.stringify(q.bindings)}`];
      }
      const executionMs = Number(/Execution Time: ([\d.]+) ms/.exec(plan.join('\n'))?.[1] ?? 0);
      const seqScans = plan.flatMap((line) => {
        const m = /Seq Scan on (\w+).*actual time=[\d.]+\.\.[\d.]+ rows=(\d+)/.exec(line);
        return m && GROWING.includes(m[1]) ? [`${m[1]} (${m[2]} rows)`] : [];
      });
      queries.push({ path: q.path, sql: q.sql.length > 300 ? `${q.sql.slice(0, 300)}…` : q.sql, executionMs, seqScans });
      text.push(`-- ${q.path}\n${q.sql}\n${plan.join('\n')}\n`);
    }
    fs.mkdirSync(path.join(__dirname, 'out'), { recursive: true });
    fs.writeFileSync(path.join(__dirname, 'out', 'national-explain.txt'), text.join('\n'));
    return { queries, withSeqScans: queries.filter((q) => q.seqScans.length > 0).length, unexplained };
  } finally {
    await db.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
