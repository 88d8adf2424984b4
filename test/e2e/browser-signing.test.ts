import type { Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { apiClient, type ApiClient, eventually } from '../support/api';
import { createScenarioNetwork, issueFirstPack, signRequests, waitForStage } from '../support/formation-driver';
import { useStack } from '../support/lifecycle';
import type { InProcessStack } from '../support/stack';

/** A practice partner signs through the real page in a real chromium. */
describe('signing page in a browser', () => {
  let stack: InProcessStack;
  let api: ApiClient;
  let browser: Browser;

  useStack({ browser: true }, (env) => ({ stack, api, browser } = env));

  it('reads, refuses an incomplete form, signs and shows a receipt', async () => {
    const { network, request } = await issueFirstPack(api, { practiceCount: 2, networkIndex: 2 });
    const action = await apiClient(stack.baseUrl).get(`/actions/${request.token}`);
    const signer = action.body.person.name as string;

    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(`${stack.baseUrl}/a/${request.token}`);
    await expect(page.locator('h1.nhsuk-heading-l').textContent()).resolves.toContain('Sign');
    // the document itself is in the page
    await expect(page.locator('#document').textContent()).resolves.toContain(network.name);
    await expect(page.locator('body').textContent()).resolves.toContain(action.body.practice.name);

    const pdf = await page.request.get(`${stack.baseUrl}/a/${request.token}/document.pdf`);
    expect(pdf.status()).toBe(200);
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');

    // no consent ticked: the page says what is wrong and nothing is signed
    await page.fill('#typedName', signer);
    await page.click('#sign-button');
    await expect(page.locator('.nhsuk-error-summary').textContent()).resolves.toContain('agree to sign electronically');
    expect(await stack.db('signatures').count({ n: '*' }).first()).toMatchObject({ n: 0 });

    await page.fill('#typedName', signer);
    await page.check('#consent');
    await page.click('#sign-button');
    await page.waitForSelector('#confirmation');
    await expect(page.locator('#confirmation').textContent()).resolves.toContain('You have signed');
    const rows = await stack.db('signatures');
    expect(rows).toHaveLength(1);
    expect(rows[0].typed_name).toBe(signer);
    expect(rows[0].user_agent).toContain('Chrome');

    // opening the link again shows it is done, with no form to sign twice
    await page.goto(`${stack.baseUrl}/a/${request.token}`);
    await expect(page.locator('#outcome').textContent()).resolves.toContain('You have signed');
    expect(await page.locator('#sign-button').count()).toBe(0);
    await page.close();
  });

  it('rejects a form post without its CSRF token', async () => {
    const { network } = await createScenarioNetwork(api, { practiceCount: 1, networkIndex: 3 });
    await api.post(`/networks/${network.id}/formation`);
    await waitForStage(api, network.id, 'panel-presentation', 'drafting');
    const issued = await api.post(`/networks/${network.id}/stages/panel-presentation/issue`);
    const [request] = await eventually(async () => {
      const found = await signRequests(api, 1, issued.body.document.title);
      return found.length > 0 ? found : null;
    }, 'a sign request');
    const res = await fetch(`${stack.baseUrl}/a/${request.token}/sign`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'typedName=x&consent=yes',
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('form has expired');
  });
});
