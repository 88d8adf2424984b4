import { describe, expect, it } from 'vitest';
import { apiClient, type ApiClient, eventually } from '../support/api';
import { createScenarioNetwork, signRequests, waitForStage } from '../support/formation-driver';
import { replayAllHistories } from '../support/replay';
import { useStack } from '../support/lifecycle';
import type { InProcessStack } from '../support/stack';
import { injectedTemporalAddress } from '../setup/temporal-env';

/** Nothing doubled: many submissions of one link, or of one practice's links, give one signature. */
describe('concurrent signing', () => {
  let stack: InProcessStack;
  let api: ApiClient;
  useStack({}, (env) => ({ stack, api } = env));

  it('counts 50 parallel submissions of one token once, and one signature per practice', async () => {
    const { network } = await createScenarioNetwork(api, { practiceCount: 2, networkIndex: 0 });
    await api.post(`/networks/${network.id}/formation`);
    await waitForStage(api, network.id, 'panel-presentation', 'drafting');
    const issued = await api.post(`/networks/${network.id}/stages/panel-presentation/issue`);
    const requests = await eventually(async () => {
      const found = await signRequests(api, 1, issued.body.document.title);
      return found.length >= 2 ? found : null;
    }, 'sign requests');
    const anonymous = apiClient(stack.baseUrl);
    const described = await Promise.all(requests.map(async (r) => ({ ...r, action: (await anonymous.get(`/actions/${r.token}`)).body })));
    const jubilee = described.filter((d) => d.action.practice.name === network.practices[0].name);
    expect(jubilee.length).toBeGreaterThan(1);

    const one = jubilee[0];
    const results = await Promise.all(
      Array.from({ length: 50 }, () => anonymous.post(`/actions/${one.token}/sign`, { typedName: one.action.person.name, consent: true })),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.every((s) => s === 200 || s === 409)).toBe(true);
    expect(new Set(results.filter((r) => r.status === 409).map((r) => r.body.error.code))).toEqual(new Set(['ALREADY_SIGNED']));

    // the other partners of the same practice can no longer sign for it
    const colleague = jubilee[1];
    const late = await anonymous.post(`/actions/${colleague.token}/sign`, { typedName: colleague.action.person.name, consent: true });
    expect(late.status).toBe(409);
    expect(late.body.error.message).toContain('already signed');
    expect((await anonymous.get(`/actions/${colleague.token}`)).body.status).toBe('signed-by-colleague');

    const rows = await stack.db('signatures').where({ document_id: issued.body.document.id });
    expect(rows).toHaveLength(1);
    expect(rows[0].person_id).toBe(one.action.person.id);
    const events = await stack.db('audit_events').where({ type: 'signature.signed' });
    expect(events.filter((e) => JSON.parse(e.data).documentId === issued.body.document.id)).toHaveLength(1);
  });

  it('replays the recorded histories deterministically', async () => {
    const replayed = await replayAllHistories(injectedTemporalAddress(), stack.taskQueue);
    expect(new Set(replayed)).toEqual(new Set(['formationWorkflow', 'signoffWorkflow']));
  });
});
