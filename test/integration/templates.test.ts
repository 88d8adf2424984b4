import { describe, expect, it } from 'vitest';
import { apiClient, type ApiClient, eventually } from '../support/api';
import { createScenarioNetwork, signRequests, waitForStage } from '../support/formation-driver';
import { panelPackTemplate } from '../support/fixtures';
import { useStack } from '../support/lifecycle';
import type { InProcessStack } from '../support/stack';

/** A programme's own templates, the facilitator's preview, stage-data validation and version diffs, over HTTP. */
describe('templates, previews and diffs', () => {
  let stack: InProcessStack;
  let api: ApiClient;
  useStack({}, (env) => ({ stack, api } = env));

  it('validates overrides before use, previews with them, records which made each document, and diffs versions', async () => {
    const { programme, network } = await createScenarioNetwork(api, { practiceCount: 3, networkIndex: 7 });

    // a template that does not compile, and one that uses a field the context lacks, are refused with reasons
    const broken = await api.put(`/programmes/${programme.id}/templates/panel-pack`, { source: '# {{#each}}' });
    expect(broken.status).toBe(422);
    expect(broken.body.error.code).toBe('TEMPLATE_CONTEXT_INVALID');
    const unknownField = await api.put(`/programmes/${programme.id}/templates/panel-pack`, { source: '# {{network.name}}\n\n{{network.motto}}' });
    expect(unknownField.status).toBe(422);
    expect(JSON.stringify(unknownField.body.error.details)).toContain('network.motto');
    expect((await api.put(`/programmes/${programme.id}/templates/vote-result`, { source: '# x' })).status).toBe(404);

    const source = panelPackTemplate('Our own wording for the {{programme.name}}.');
    const uploaded = await api.put(`/programmes/${programme.id}/templates/panel-pack`, { source });
    expect(uploaded.status, JSON.stringify(uploaded.body)).toBe(201);
    expect(uploaded.body.templateVersion).toBe(`programme:${programme.id}:panel-pack@1`);
    expect((await api.get(`/programmes/${programme.id}/templates`)).body).toHaveLength(1);

    await api.post(`/networks/${network.id}/formation`);
    await waitForStage(api, network.id, 'panel-presentation', 'drafting');

    // stage data is validated per stage, naming the field
    const bad = await api.put(`/networks/${network.id}/stages/panel-presentation`, { vision: '', aspirations: 'not a list' });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['aspirations', 'vision']);
    expect((await api.put(`/networks/${network.id}/stages/panel-presentation`, { vision: 'Care closer to home for every patient.' })).status).toBe(200);

    const preview = await api.get(`/networks/${network.id}/stages/panel-presentation/preview`);
    expect(preview.status).toBe(200);
    expect(preview.body.html).toContain('Our own wording');
    expect(preview.body.html).toContain('Care closer to home');
    expect(preview.body.templateVersion).toBe(uploaded.body.templateVersion);

    const v1 = await api.post(`/networks/${network.id}/stages/panel-presentation/issue`);
    expect(v1.status).toBe(202);
    expect((await api.get(`/documents/${v1.body.document.id}`)).body.templateVersion).toBe(uploaded.body.templateVersion);
    expect((await api.get(`/documents/${v1.body.document.id}/diff`)).status).toBe(404);

    // revise the data while the round is out and issue again: version 2, and the diff shows the change
    await eventually(async () => ((await signRequests(api, 1, v1.body.document.title)).length > 0 ? true : null), 'v1 requests');
    expect((await api.put(`/networks/${network.id}/stages/panel-presentation`, { vision: 'One front door for urgent care.' })).status).toBe(200);
    const v2 = await api.post(`/networks/${network.id}/stages/panel-presentation/issue`);
    expect(v2.status, JSON.stringify(v2.body)).toBe(202);
    const diff = await api.get(`/documents/${v2.body.document.id}/diff`);
    expect(diff.status).toBe(200);
    expect(diff.body.from.version).toBe(1);
    expect(diff.body.changed).toBe(true);
    const inserted = diff.body.parts
      .filter((p: { op: string }) => p.op === 'insert')
      .map((p: { text: string }) => p.text)
      .join('');
    const deleted = diff.body.parts
      .filter((p: { op: string }) => p.op === 'delete')
      .map((p: { text: string }) => p.text)
      .join('');
    expect(inserted).toContain('One front door');
    expect(deleted).toContain('Care closer to home');

    // the signer of version 2 sees what changed on their link
    const [request] = await eventually(async () => {
      const found = await signRequests(api, 2, v2.body.document.title);
      return found.length ? found : null;
    }, 'v2 requests');
    const seen = await apiClient(stack.baseUrl).get(`/actions/${request.token}/preview`);
    expect(seen.body.changes.fromVersion).toBe(1);
    expect(JSON.stringify(seen.body.changes.parts)).toContain('One front door');
  });
});
