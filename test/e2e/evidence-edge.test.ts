import { describe, expect, it } from 'vitest';
import type { ApiClient } from '../support/api';
import { createScenarioNetwork, waitForStage } from '../support/formation-driver';
import { makeNetworkBody } from '../support/fixtures';
import { useStack } from '../support/lifecycle';
import {
  junkStartingWithPdfHeader,
  manifestCompressionBomb,
  mutuallyReferencingNameTree,
  objectStreamBomb,
  selfReferencingNameTree,
} from '../fixtures/hostile-pdfs';

/**
 * What strangers can send Formwork's documents: hostile PDFs to POST /documents/verify (answered,
 * with the service still healthy), and stage data or names no document can hold (refused with a
 * 422, never a 500 or a stuck issue). Real Temporal server, SQLite, HTTP only.
 */
describe('documents against hostile input', () => {
  let api: ApiClient;
  let anonymous: ApiClient;

  useStack({}, (env) => ({ api, anonymous } = env));

  const verify = (bytes: Uint8Array) => anonymous.call('POST', '/documents/verify', bytes, { 'content-type': 'application/pdf' });

  async function expectHealthy() {
    const health = await anonymous.get('/health');
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
  }

  it('answers hostile PDFs (a self-listing name tree, compression bombs, 25 MiB of junk) and stays healthy', async () => {
    for (const [what, bytes] of [
      ['a name tree whose node lists itself', selfReferencingNameTree()],
      ['name-tree nodes that list each other', mutuallyReferencingNameTree()],
      ['a manifest that inflates to 256 MB', manifestCompressionBomb(256)],
      ['an object stream that inflates to 256 MB', objectStreamBomb(256)],
    ] as const) {
      const res = await verify(bytes);
      expect(res.status, what).toBe(200);
      expect(res.body, what).toEqual({ valid: false, reason: 'not sealed by Formwork' });
      await expectHealthy();
    }
    // 25 MiB that merely start with %PDF-: while it is checked, the server goes on answering
    const junk = junkStartingWithPdfHeader(25 * 1024 * 1024 - 64 * 1024);
    const [big] = await Promise.all([verify(junk), expectHealthy()]);
    expect(big.status).toBe(200);
    expect(big.body).toEqual({ valid: false, reason: 'not sealed by Formwork' });
    await expectHealthy();
  });

  it('refuses stage data too long for a document, or holding characters none can hold, with a 422 naming the field', async () => {
    const { network } = await createScenarioNetwork(api, { practiceCount: 2 });
    expect((await api.post(`/networks/${network.id}/formation`)).status).toBe(202);
    await waitForStage(api, network.id, 'panel-presentation', 'drafting');
    const tooLong = await api.put(`/networks/${network.id}/stages/panel-presentation`, { vision: 'Z'.repeat(150_000) });
    expect(tooLong.status, JSON.stringify(tooLong.body).slice(0, 300)).toBe(422);
    expect(tooLong.body.error.code).toBe('VALIDATION_FAILED');
    expect(tooLong.body.error.details.map((d: { path: string }) => d.path)).toContain('vision');
    const lone = await api.put(`/networks/${network.id}/stages/panel-presentation`, { chair: 'Dr Ann Lee\uD800' });
    expect(lone.status).toBe(422);
    expect(JSON.stringify(lone.body.error.details)).toContain('lone surrogate');

    // the longest paragraph allowed, one unbroken word, is previewed and issued
    const longest = await api.put(`/networks/${network.id}/stages/panel-presentation`, { vision: 'W'.repeat(5000) });
    expect(longest.status, JSON.stringify(longest.body).slice(0, 300)).toBe(200);
    const preview = await api.get(`/networks/${network.id}/stages/panel-presentation/preview`);
    expect(preview.status).toBe(200);
    expect(preview.body.markdown).toContain('W'.repeat(5000));
    const issued = await api.post(`/networks/${network.id}/stages/panel-presentation/issue`);
    expect(issued.status, JSON.stringify(issued.body).slice(0, 300)).toBe(202);
    await waitForStage(api, network.id, 'panel-presentation', 'awaiting-signatures');
  });

  it('refuses names holding U+FFFE, U+FFFF or half a character, rather than storing them mangled', async () => {
    const { programme, waves } = await createScenarioNetwork(api, { practiceCount: 1, networkIndex: 1 });
    const body = makeNetworkBody({ programmeId: programme.id, waveId: waves[0].id }, { networkIndex: 2, practiceCount: 1 });
    for (const bad of ['Bow\uFFFE Network', 'Bow\uFFFF Network', 'Bow \uDC00Network']) {
      const res = await api.post('/networks', { ...body, name: bad });
      expect(res.status, bad).toBe(422);
      // U+FFFE and U+FFFF are refused by the document-text rule; half a character already at the edge, for every field
      expect(res.body.error.details[0]).toMatchObject({ path: 'name', message: expect.stringMatching(/which a document cannot hold|half of a character/) });
    }
    const person = { ...body.practices[0].people[0], name: 'Dr \uD83D' };
    const res = await api.post('/networks', { ...body, practices: [{ ...body.practices[0], people: [person, ...body.practices[0].people.slice(1)] }] });
    expect(res.status).toBe(422);
    expect(res.body.error.details[0].path).toBe('practices.0.people.0.name');
  });
});
