import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, type ApiClient, eventually } from '../support/api';
import { createScenarioNetwork, passPanel, signRequests, waitForStage } from '../support/formation-driver';
import { freshPostgresDatabase, startInProcessStack, type InProcessStack } from '../support/stack';
import { injectedPostgresUrl, injectedTemporalAddress } from '../setup/temporal-env';

/**
 * Every statement the signing path runs on Postgres can be answered from an index. The statements
 * are captured while real signers sign (link resolution, the batched write, the round's completion
 * and sealing), then each is planned with sequential scans disabled: the planner still falls back
 * to one only where no index fits, so a "Seq Scan" in a plan names a missing index, whatever the
 * size of the tables in this test.
 */
describe('indexes on the signing path (Postgres)', () => {
  let stack: InProcessStack;
  let api: ApiClient;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const fresh = await freshPostgresDatabase(injectedPostgresUrl());
    drop = fresh.drop;
    stack = await startInProcessStack({ temporalAddress: injectedTemporalAddress(), database: { postgresUrl: fresh.url } });
    api = apiClient(stack.baseUrl, stack.token);
  });
  afterAll(async () => {
    await stack?.stop();
    await drop?.();
  });

  it('plans no sequential scan for any statement run while a round is signed, completed and sealed', async () => {
    const { network } = await createScenarioNetwork(api, { practiceCount: 3 });
    expect((await api.post(`/networks/${network.id}/formation`)).status).toBe(202);
    await waitForStage(api, network.id, 'panel-presentation', 'drafting');
    const issued = await api.post(`/networks/${network.id}/stages/panel-presentation/issue`);
    expect(issued.status, JSON.stringify(issued.body)).toBe(202);
    const requests = await eventually(async () => {
      const found = await signRequests(api, 1, issued.body.document.title);
      return found.length >= 3 ? found : null;
    }, 'sign requests');
    const anonymous = apiClient(stack.baseUrl);
    const described = await Promise.all(requests.map(async (r) => ({ ...r, action: (await anonymous.get(`/actions/${r.token}`)).body })));
    const onePerPractice = [...new Map(described.map((d) => [d.action.practice.id, d])).values()];

    const statements = new Map<string, unknown[]>();
    const capture = (q: { sql: string; bindings?: unknown[] }) => {
      if (/^\s*(select|update|delete)\b/i.test(q.sql) && !statements.has(q.sql)) statements.set(q.sql, q.bindings ?? []);
    };
    stack.db.on('query', capture);
    try {
      const answers = await Promise.all(
        onePerPractice.map((d) => anonymous.post(`/actions/${d.token}/sign`, { typedName: d.action.person.name, consent: true })),
      );
      expect(answers.map((a) => a.status)).toEqual(onePerPractice.map(() => 200));
      await passPanel(api, network.id);
      await waitForStage(api, network.id, 'terms-of-reference', 'drafting');
      const signed = await eventually(async () => {
        const doc = await api.get(`/documents/${issued.body.document.id}`);
        return doc.body.signatures?.length === 3 ? doc.body : null;
      }, 'the signed document');
      const signoffId = (await stack.repos.signoffs.signatures(stack.db, { documentId: signed.id }))[0].signoffId;
      await eventually(async () => ((await stack.db('sealed_documents').where({ signoff_id: signoffId }).first()) ? true : null), 'the sealed document');
    } finally {
      stack.db.removeListener('query', capture);
    }

    expect(statements.size).toBeGreaterThan(10);
    const scans: string[] = [];
    for (const [sql, bindings] of statements) {
      await stack.db.transaction(async (trx) => {
        await trx.raw('set local enable_seqscan = off');
        const plan = await trx.raw(`explain ${sql.replace(/\$\d+/g, '?')}`, bindings as never[]);
        const text = (plan.rows as Record<string, string>[]).map((r) => r['QUERY PLAN']).join('\n');
        for (const m of text.matchAll(/Seq Scan on (\w+)/g)) scans.push(`${m[1]}: ${sql}`);
      });
    }
    expect(scans).toEqual([]);
  });
});
