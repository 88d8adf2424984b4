import type { Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { apiClient, type ApiClient } from '../support/api';
import { createScenarioNetwork } from '../support/formation-driver';
import { useStack } from '../support/lifecycle';
import type { InProcessStack } from '../support/stack';
import { ballotLinks, inSeconds } from '../support/votes-driver';

/** A practice partner casts a ballot through the real page in a real chromium, phone-sized. */
describe('ballot page in a browser', () => {
  let stack: InProcessStack;
  let api: ApiClient;
  let browser: Browser;

  useStack({ browser: true }, (env) => ({ stack, api, browser } = env));

  it('refuses an empty ballot, casts a vote, shows a receipt code, then the result', async () => {
    const { network } = await createScenarioNetwork(api, { practiceCount: 2, networkIndex: 7 });
    const motion = await api.post(`/networks/${network.id}/motions`, {
      title: 'Browser motion',
      text: 'That we meet monthly.',
      decisionType: 'ordinary',
      closesAt: inSeconds(3600),
    });
    expect(motion.status, JSON.stringify(motion.body)).toBe(201);
    const [first, second] = await ballotLinks(api, stack.baseUrl, 'Vote: Browser motion', 2);

    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(`${stack.baseUrl}/a/${first.token}`);
    await expect(page.locator('h1').textContent()).resolves.toContain('Vote: Browser motion');
    await expect(page.locator('body').textContent()).resolves.toContain('That we meet monthly.');

    await page.click('#vote-button');
    await expect(page.locator('.nhsuk-error-summary').textContent()).resolves.toContain('Choose for, against or abstain');
    expect(await stack.db('motion_turnout').count({ n: '*' }).first()).toMatchObject({ n: 0 });

    await page.check('#choice-for');
    await page.click('#vote-button');
    await page.waitForSelector('#confirmation');
    const code = (await page.locator('#receipt-code').textContent())?.trim() ?? '';
    expect(code).toMatch(/^[A-Z2-9]{4}(-[A-Z2-9]{4}){3}$/);

    // opening the link again says it is done, with no form to vote twice
    await page.goto(`${stack.baseUrl}/a/${first.token}`);
    await expect(page.locator('#status').textContent()).resolves.toContain('Your practice has voted');
    expect(await page.locator('#vote-button').count()).toBe(0);

    // the second practice votes by API; everyone has voted, so the page shows the result
    await apiClient(stack.baseUrl).post(`/actions/${second.token}/ballot`, { choice: 'for' });
    await expect
      .poll(
        async () => {
          await page.goto(`${stack.baseUrl}/a/${first.token}`);
          return page.locator('body').textContent();
        },
        { timeout: 20_000 },
      )
      .toContain('Result: carried');
    await expect(page.locator('#arithmetic').textContent()).resolves.toContain('Votes for: 2 of 2 practices');
    // the certificate is rendered just after the result is recorded
    await expect.poll(async () => (await page.request.get(`${stack.baseUrl}/a/${first.token}/certificate.pdf`)).status(), { timeout: 20_000 }).toBe(200);
    const receipt = await apiClient(stack.baseUrl).get(`/motions/${motion.body.id}/receipts/${code}`);
    expect(receipt.body.counted).toBe(true);
    await page.close();
  });

  it('rejects a ballot form without its CSRF token', async () => {
    const { network } = await createScenarioNetwork(api, { practiceCount: 1, networkIndex: 6 });
    await api.post(`/networks/${network.id}/motions`, { title: 'CSRF motion', decisionType: 'ordinary', closesAt: inSeconds(3600) });
    const [link] = await ballotLinks(api, stack.baseUrl, 'Vote: CSRF motion', 1);
    const res = await fetch(`${stack.baseUrl}/a/${link.token}/ballot`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'choice=for',
    });
    expect(res.status).toBe(403);
  });
});
