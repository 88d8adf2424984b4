import type { Knex } from 'knex';
import type { Repos } from '../../db/repos';
import { caseView } from './dispute-views';

/**
 * The dispute cases of a stage's evidence pack: those that held the stage and those tied to no
 * stage (the network's own disputes). Per case, its header and whole history (an escalated issue's
 * log first) as JSON, and the sealed settlement record where the parties signed one.
 */
export async function disputeEvidence(
  db: Knex,
  repos: Repos,
  networkId: string,
  stage: string,
): Promise<{ files: { path: string; bytes: Buffer }[]; cases: { id: string; title: string; status: string; events: number; path: string }[] }> {
  const network = await repos.records.getNetwork(db, networkId);
  if (!network) return { files: [], cases: [] };
  const files: { path: string; bytes: Buffer }[] = [];
  const cases = [];
  const rows = (await repos.disputes.listForNetwork(db, networkId)).filter((r) => r.stageKey === null || r.stageKey === stage).reverse();
  for (const [i, row] of rows.entries()) {
    const dir = `disputes/${String(i + 1).padStart(2, '0')}-${row.id.slice(0, 8)}`;
    const [events, externals] = await Promise.all([repos.disputes.events(db, row.id), repos.disputes.externalsOf(db, row.id)]);
    const issue = row.fromIssueId ? await repos.risks.getIssue(db, row.fromIssueId) : null;
    const view = caseView({
      row,
      network,
      events,
      externals,
      issueLog: issue ? await repos.risks.logOf(db, issue.id) : [],
      issueTitle: issue?.title ?? null,
      settlement: null,
    });
    files.push({ path: `${dir}/case.json`, bytes: Buffer.from(`${JSON.stringify({ ...view, events }, null, 2)}\n`, 'utf8') });
    for (const sealed of await repos.sealed.listForStage(db, networkId, `dispute:${row.id}`)) {
      const pdf = await repos.sealed.pdf(db, sealed.id);
      if (pdf) files.push({ path: `${dir}/settlement-v${sealed.version}-sealed.pdf`, bytes: pdf });
    }
    cases.push({ id: row.id, title: row.title, status: row.status, events: events.length, path: `${dir}/case.json` });
  }
  return { files, cases };
}
