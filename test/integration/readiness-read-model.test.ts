import { describe, expect, it } from 'vitest';
import { apiClient, eventually, type ApiClient } from '../support/api';
import { makeNetworkBody, towerHamlets } from '../support/fixtures';
import { signRequests, waitForStage } from '../support/formation-driver';
import { useStack } from '../support/lifecycle';
import type { InProcessStack } from '../support/stack';

/**
 * Readiness reads the read model the formation workflow writes as each stage changes: who still
 * owes a signature (per practice, in words) and how a returned stage's last round ended.
 */
describe('readiness from the read model', () => {
  let stack: InProcessStack;
  let api: ApiClient;
  useStack({}, (env) => ({ stack, api } = env));

  it('names what each practice owes while a round is out, and why a stage went back to drafting', async () => {
    const scenario = towerHamlets();
    const programme = (await api.post('/programmes', { ...scenario.programme, name: 'Readiness read model' })).body;
    // the panel is a week away, so signatures still owed are a blocker
    const panelDate = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    const wave = (await api.post(`/programmes/${programme.id}/waves`, { number: 1, panelDate })).body;
    const network = (await api.post('/networks', makeNetworkBody({ programmeId: programme.id, waveId: wave.id }, { practiceCount: 2 }))).body;
    expect((await api.post(`/networks/${network.id}/formation`)).status).toBe(202);
    await waitForStage(api, network.id, 'panel-presentation', 'drafting');
    const issued = await api.post(`/networks/${network.id}/stages/panel-presentation/issue`);
    expect(issued.status, JSON.stringify(issued.body)).toBe(202);
    await waitForStage(api, network.id, 'panel-presentation', 'awaiting-signatures');
    const requests = await eventually(async () => {
      const found = await signRequests(api, 1, issued.body.document.title);
      return found.length > 0 ? found : null;
    }, 'a sign request');

    const owing = await api.get(`/waves/${wave.id}/readiness`);
    expect(owing.status).toBe(200);
    const row = owing.body.networks[0];
    expect(row.stageStatus).toBe('awaiting-signatures');
    expect(row.rag).toBe('amber');
    for (const practice of network.practices as { name: string; people: { name: string; roles: string[] }[] }[]) {
      const partners = practice.people.filter((p) => p.roles.includes('partner'));
      const owed = partners.length === 1 ? `${partners[0].name} (partner)` : `any one of its ${partners.length} partners`;
      expect(row.blockers.join('\n')).toContain(`${practice.name}: ${owed}`);
    }

    // a partner declines: the stage returns to drafting, and readiness says why
    const declined = await apiClient(stack.baseUrl).post(`/actions/${requests[0].token}/decline`, { reason: 'The vision section is not agreed' });
    expect(declined.status, JSON.stringify(declined.body)).toBe(200);
    await waitForStage(api, network.id, 'panel-presentation', 'drafting');
    const returned = await api.get(`/waves/${wave.id}/readiness`);
    expect(returned.body.networks[0].blockers).toContain('The stage went back to drafting (declined: The vision section is not agreed).');
    const formation = await api.get(`/networks/${network.id}/formation`);
    expect(formation.body.stages[0].lastOutcome).toEqual({ outcome: 'declined', reason: 'The vision section is not agreed', documentVersion: 1 });
  });
});
