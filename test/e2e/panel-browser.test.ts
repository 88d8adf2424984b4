import type { Browser, Page } from 'playwright-core';
import { inviteStaff } from '../support/people';
import { describe, expect, it } from 'vitest';
import { type ApiClient, eventually } from '../support/api';
import { axeViolations } from '../support/axe';
import { createScenarioNetwork, panelBody, scoreLinks, waitForStage } from '../support/formation-driver';
import { useStack } from '../support/lifecycle';
import type { InProcessStack } from '../support/stack';

/** A panel member scores on a phone; a commissioner reads the programme dashboard. Real chromium, axe clean. */
describe('panel and programme pages in a browser', () => {
  let stack: InProcessStack;
  let api: ApiClient;
  let browser: Browser;
  useStack({ browser: true }, (env) => ({ stack, api, browser } = env));

  /** The page is no wider than its viewport: nothing to scroll sideways on a phone. */
  const fitsWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

  it('scores on a 320 px screen after reading the pack, once; then the dashboard shows it with charts and tables', async () => {
    const { programme, waves, network } = await createScenarioNetwork(api, { practiceCount: 2, networkIndex: 1 });
    expect((await api.put(`/waves/${waves[0].id}/panel`, panelBody())).status).toBe(200);
    await api.post(`/networks/${network.id}/formation`);
    await waitForStage(api, network.id, 'panel-presentation', 'drafting');
    expect((await api.post(`/networks/${network.id}/stages/panel-presentation/issue`)).status).toBe(202);
    const [link] = await eventually(async () => {
      const found = (await scoreLinks(api, network.name)).filter((l) => l.to === 'sam.okafor@panel.example.org');
      return found.length ? found : null;
    }, 'a score link');

    const page = await browser.newPage({ viewport: { width: 320, height: 640 } });
    await page.goto(`${stack.baseUrl}/a/${link.token}`);
    await expect(page.locator('h1').textContent()).resolves.toBe(`Score ${network.name}`);
    expect(await fitsWidth(page)).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    // the pack is one tap away
    const href = await page.locator('#pack-link').getAttribute('href');
    const pack = await page.request.get(`${stack.baseUrl}${href}`);
    expect((await pack.body()).subarray(0, 5).toString()).toBe('%PDF-');

    // an incomplete form says what is missing, keeps what was entered, and records nothing
    await page.check('#score-vision-4');
    await page.fill('#comment-vision', 'A vision every practice signed up to');
    await page.check('#recommendation-conditional');
    await page.click('#score-button');
    await expect(page.locator('.nhsuk-error-summary').textContent()).resolves.toContain('Score Use of the new freedoms from 1 to 5');
    await expect(page.locator('.nhsuk-error-summary').textContent()).resolves.toContain('Propose at least one condition');
    expect(await page.locator('#score-vision-4').isChecked()).toBe(true);
    expect(await stack.db('panel_scores').where({ network_id: network.id })).toHaveLength(0);
    expect(await axeViolations(page)).toEqual([]);

    await page.check('#score-freedoms-3');
    await page.check('#score-leadership-2');
    await page.fill('#conditions', 'Name the nominated payee\nAppoint the Clinical Director');
    await page.click('#score-button');
    await page.waitForSelector('#confirmation');
    const [stored] = await stack.db('panel_scores').where({ network_id: network.id });
    expect(JSON.parse(stored.scores)).toEqual([
      { criterion: 'vision', score: 4, comment: 'A vision every practice signed up to' },
      { criterion: 'freedoms', score: 3, comment: '' },
      { criterion: 'leadership', score: 2, comment: '' },
    ]);
    expect(JSON.parse(stored.conditions)).toEqual(['Name the nominated payee', 'Appoint the Clinical Director']);

    // opening the link again shows the scores sent, with no form to score twice
    await page.goto(`${stack.baseUrl}/a/${link.token}`);
    await expect(page.locator('#status').textContent()).resolves.toContain('You have scored this presentation');
    await expect(page.locator('#my-scores').textContent()).resolves.toContain('Use of the new freedoms');
    expect(await page.locator('#score-button').count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await page.close();

    // the commissioner's dashboard, on a phone and on a desk
    await api.post(`/networks/${network.id}/readiness/decision`, { decision: 'not-ready', note: 'Awaiting the panel.' });
    const programmeId = (await api.get(`/networks/${network.id}`)).body.programmeId as string;
    const { token: secret } = await inviteStaff(api, stack.baseUrl, {
      name: 'Commissioner',
      email: 'commissioner@dashboard.test',
      role: 'commissioner',
      programmeIds: [programmeId],
    });
    const context = await browser.newContext();
    const desk = await context.newPage();
    await desk.goto(`${stack.baseUrl}/login`);
    await desk.fill('#token', secret);
    await desk.click('button[type=submit]');
    for (const width of [320, 1280]) {
      await desk.setViewportSize({ width, height: 900 });
      await desk.goto(`${stack.baseUrl}/programmes/${programme.id}`);
      await expect(desk.locator('h1').textContent()).resolves.toContain('readiness');
      // each chart is an image named by its title, with a table of the same numbers beside it
      for (const chart of ['rag-chart', 'history-chart', 'footprint-chart', 'funnel-1']) {
        await expect(desk.locator(`svg[aria-labelledby="${chart}-title ${chart}-desc"]`).getAttribute('role')).resolves.toBe('img');
      }
      await expect(desk.locator('#footprint-table').textContent()).resolves.toContain(network.name);
      await expect(desk.locator('#wave-1-networks').textContent()).resolves.toContain('Not ready: Awaiting the panel.');
      await expect(desk.locator(`#network-${network.id}`).textContent()).resolves.toContain('Clinical Director named');
      expect(await axeViolations(desk)).toEqual([]);
    }
    // the spreadsheet link works with the signed-in session
    const csv = await desk.request.get(`${stack.baseUrl}${await desk.locator('#csv-link').getAttribute('href')}`);
    expect(csv.headers()['content-type']).toContain('text/csv');
    expect(await csv.text()).toContain(network.name);

    // the panel page: scores by member and criterion, with the weighted mean
    await desk.goto(`${stack.baseUrl}/networks/${network.id}/panel`);
    await expect(desk.locator('#scores').textContent()).resolves.toContain('A vision every practice signed up to');
    await expect(desk.locator('#panel-summary').textContent()).resolves.toContain('3.25 out of 5');
    expect(await axeViolations(desk)).toEqual([]);

    // the commissioner records a decision on the network's readiness page
    await desk.goto(`${stack.baseUrl}/networks/${network.id}/readiness`);
    await expect(desk.locator('#checklist').textContent()).resolves.toContain('Clinical Director named');
    await desk.click('#decide-button');
    await expect(desk.locator('.nhsuk-error-summary').textContent()).resolves.toContain('Choose ready or not ready');
    expect(await axeViolations(desk)).toEqual([]);
    await desk.check('#decision-ready');
    await desk.fill('#note', 'Conditions agreed with the panel; ready for registration.');
    await desk.click('#decide-button');
    await expect(desk.locator('#decisions').textContent()).resolves.toContain('Ready: Conditions agreed with the panel; ready for registration. (Commissioner');
    const decisions = await stack.db('readiness_decisions').where({ network_id: network.id }).orderBy('decided_at');
    expect(decisions.map((d) => [d.decision, d.decided_by])).toEqual([
      ['not-ready', 'Administrator'],
      ['ready', 'Commissioner'],
    ]);
    expect(await stack.db('audit_events').where({ type: 'readiness.decided', network_id: network.id })).toHaveLength(2);
    expect(await axeViolations(desk)).toEqual([]);
    await context.close();
  });
});
