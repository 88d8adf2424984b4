import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { ApiClient } from '../support/api';
import { caseEvent, linkFor, openCase } from '../support/disputes-driver';
import { createScenarioNetwork } from '../support/formation-driver';
import { useStack } from '../support/lifecycle';
import { expectGoodPage } from '../support/page-checks';
import type { InProcessStack } from '../support/stack';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;
const ISO_DATE = /\b\d{4}-\d{2}-\d{2}\b/;

/** The case page in a real chromium: for staff, for a party through their link, and for the LMC officer; axe-clean at phone and desktop widths. */
describe('dispute case page in a browser', () => {
  let stack: InProcessStack;
  let api: ApiClient;
  let browser: Browser;
  useStack({ browser: true }, (env) => ({ stack, api, browser } = env));

  /** Plain English: dates in words, no ids, no ISO dates. */
  async function expectPlainWords(page: Page) {
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).not.toMatch(UUID);
    expect(text).not.toMatch(ISO_DATE);
    return text;
  }

  it('shows staff the step, its due date and days left in words, and lets the people of a case record what they may', async () => {
    const { network } = await createScenarioNetwork(api, { networkIndex: 2, practiceCount: 3 });
    const parties = network.practices.slice(0, 2).map((p: { id: string }) => p.id);
    const opened = await openCase(api, network.id, parties, {
      title: 'Share of the outcome pool',
      summary: 'Mile End says its share was worked out on the wrong list size.',
    });
    await caseEvent(api, opened.id, { type: 'note', text: 'Both practices have sent their list sizes.' });

    // staff sign in and read the case
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${stack.baseUrl}/login`);
    await page.fill('#token', stack.token);
    await page.click('button[type=submit]');
    await page.goto(`${stack.baseUrl}/disputes/${opened.id}`);
    await expect(page.locator('h1').textContent()).resolves.toBe('Share of the outcome pool');
    await expect(page.locator('#case-step').textContent()).resolves.toBe('Step 1 of 5: Informal discussion');
    await expect(page.locator('#case-due').textContent()).resolves.toMatch(
      /^\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) \d{4}$/,
    );
    await expect(page.locator('#case-time-left').textContent()).resolves.toBe('10 working days left');
    await expect(page.locator('#case-history').textContent()).resolves.toContain('Both practices have sent their list sizes.');
    const text = await expectPlainWords(page);
    expect(text).toContain('Spitalfields Surgery and Bethnal Green Group Practice');
    await expectGoodPage(page, 'the case page', { endAt: 1280 });
    // and the network's register
    await page.goto(`${stack.baseUrl}/networks/${network.id}/disputes`);
    await expect(page.locator('#cases').textContent()).resolves.toContain('Share of the outcome pool');
    await expectPlainWords(page);
    await expectGoodPage(page, 'the network’s register of cases', { endAt: 1280 });
    await context.close();

    // a partner of a party, through the link in their email: an empty note is refused, a note recorded
    const partner = network.practices[1].people.find((p: { roles: string[] }) => p.roles.includes('partner')).email;
    const token = await linkFor(api, 'Dispute case opened: Share of the outcome pool', partner);
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await phone.goto(`${stack.baseUrl}/a/${token}`);
    await expect(phone.locator('h1').textContent()).resolves.toBe('Share of the outcome pool');
    await phone.click('#record-button');
    await expect(phone.locator('.nhsuk-error-summary').textContent()).resolves.toContain('Write what you want to record');
    await phone.fill('#text', 'Our list size on 1 October was 11,204.');
    await phone.click('#record-button');
    await expect(phone.locator('#confirmation').textContent()).resolves.toContain('Your note is recorded');
    await expect(phone.locator('#case-history').textContent()).resolves.toContain('Our list size on 1 October was 11,204.');
    await expectPlainWords(phone);
    await expectGoodPage(phone, 'a party’s case page after a note', { endAt: 1280 });

    // at the LMC step the officer records a determination on their page: the case closes
    await caseEvent(api, opened.id, { type: 'escalate', text: 'Not settled.' });
    await caseEvent(api, opened.id, { type: 'escalate', text: 'The board could not settle it.' });
    expect(
      (await api.post(`/disputes/${opened.id}/external-person`, { name: 'Ms Jo Lee', email: 'jo.lee@lmc.test', organisation: 'Tower Hamlets LMC' })).status,
    ).toBe(201);
    const officer = await linkFor(api, 'You are asked to act as LMC officer', 'jo.lee@lmc.test');
    await phone.goto(`${stack.baseUrl}/a/${officer}`);
    await expect(phone.locator('#record').textContent()).resolves.toBe('Record your view or determination');
    await expectGoodPage(phone, 'the LMC officer’s page', { endAt: 1280 });
    await phone.check('#type-determine');
    await phone.fill('#text', 'The share is worked out on the list sizes of 1 October.');
    await phone.click('#record-button');
    await expect(phone.locator('#confirmation').textContent()).resolves.toContain('Your determination is recorded');
    await expect(phone.locator('#case-status').textContent()).resolves.toContain('Determined');
    expect(await phone.locator('#record-button').count()).toBe(0);
    await expectGoodPage(phone, 'the LMC officer’s page after the determination', { endAt: 1280 });
    await phone.close();
  });

  it('refuses a case form without its CSRF token', async () => {
    const { network } = await createScenarioNetwork(api, { networkIndex: 3, practiceCount: 2 });
    await openCase(
      api,
      network.id,
      network.practices.map((p: { id: string }) => p.id),
      { title: 'CSRF case' },
    );
    const partner = network.practices[0].people.find((p: { roles: string[] }) => p.roles.includes('partner')).email;
    const token = await linkFor(api, 'Dispute case opened: CSRF case', partner);
    const res = await fetch(`${stack.baseUrl}/a/${token}/case-events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'type=note&text=hello',
    });
    expect(res.status).toBe(403);
  });
});
