import type { Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { type ApiClient } from '../support/api';
import { axeViolations } from '../support/axe';
import { towerHamlets } from '../support/fixtures';
import { useStack } from '../support/lifecycle';
import { inviteStaff } from '../support/people';
import type { InProcessStack } from '../support/stack';

/** A commissioner watches a wave: the whole Tower Hamlets programme, over the API and on the page. */
describe('wave readiness', () => {
  let stack: InProcessStack;
  let api: ApiClient;
  let browser: Browser;
  useStack({ browser: true }, (env) => ({ stack, api, browser } = env));

  it('reports every network of a wave with its RAG status, blockers and footprint', async () => {
    const scenario = towerHamlets();
    const programme = (await api.post('/programmes', scenario.programme)).body;
    const waves = [];
    for (const w of scenario.waves) waves.push((await api.post(`/programmes/${programme.id}/waves`, { ...w, panelDate: '2027-06-01' })).body);
    const created = [];
    for (const n of scenario.networks) {
      const res = await api.post('/networks', { programmeId: programme.id, waveId: waves[n.wave - 1].id, name: n.name, practices: n.practices });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      created.push({ ...res.body, wave: n.wave });
    }
    const firstWave = created.filter((n) => n.wave === 1);
    await api.post(`/networks/${firstWave[0].id}/formation`);

    const readiness = await api.get(`/waves/${waves[0].id}/readiness`);
    expect(readiness.status).toBe(200);
    expect(readiness.body.networks.map((n: { name: string }) => n.name).sort()).toEqual(firstWave.map((n) => n.name).sort());
    for (const row of readiness.body.networks) {
      const network = created.find((n) => n.id === row.networkId);
      expect(row.listSize).toBe(network.practices.reduce((sum: number, p: { listSize: number }) => sum + p.listSize, 0));
      const expected = row.listSize < 24000 ? 'below' : row.listSize > 40000 ? 'above' : 'within';
      expect(row.footprint.status).toBe(expected);
      if (row.networkId !== firstWave[0].id) expect(row.blockers).toContain('Formation has not started.');
    }
    expect(readiness.body.summary.red + readiness.body.summary.amber + readiness.body.summary.green).toBe(firstWave.length);
    expect((await api.get('/waves/unknown/readiness')).status).toBe(404);

    // a commissioner of the programme (invited by the administrator) may read it, on the page too
    const { token: secret, api: commissioner } = await inviteStaff(api, stack.baseUrl, {
      name: 'Cleo Commissioner',
      email: 'cleo@icb.example.org',
      role: 'commissioner',
      programmeIds: [programme.id],
    });
    expect((await commissioner.get(`/waves/${waves[0].id}/readiness`)).status).toBe(200);
    // …and change nothing
    expect((await commissioner.post(`/networks/${firstWave[1].id}/formation`)).status).toBe(403);
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${stack.baseUrl}/login`);
    await page.fill('#token', secret);
    await page.click('button[type=submit]');
    await page.goto(`${stack.baseUrl}/waves/${waves[0].id}`);
    await expect(page.locator('#readiness').textContent()).resolves.toContain(firstWave[0].name);
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  });
});
