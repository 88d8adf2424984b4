import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { type ApiClient } from '../support/api';
import { createScenarioNetwork } from '../support/formation-driver';
import { useStack } from '../support/lifecycle';
import type { InProcessStack } from '../support/stack';
import { ballotLinks, inSeconds, nominate, openElection } from '../support/votes-driver';
import { expectGoodPage } from '../support/page-checks';

/**
 * The ballot pages on a 320 px phone: an STV ballot that keeps the numbers typed when they have a
 * gap, says how many members it elects, a receipt code that fits the screen and can be checked on
 * a page, and a reopened link that says the practice has voted.
 */
describe('ballot pages on a phone', () => {
  let stack: InProcessStack;
  let api: ApiClient;
  let browser: Browser;
  useStack({ browser: true }, (env) => ({ stack, api, browser } = env));

  /** Nothing sticks out past the right edge of a 320 px screen, the receipt code included. */
  async function fits320(page: Page) {
    await page.setViewportSize({ width: 320, height: 800 });
    return page.evaluate(() => {
      const code = document.getElementById('receipt-code')!.getBoundingClientRect();
      return { page: document.documentElement.scrollWidth <= 320, code: code.right <= 320 && code.width > 0 };
    });
  }

  it('keeps the numbers of an STV ballot with a gap, says "electing 2 members", and gives a receipt code that fits 320 px', async () => {
    const { network } = await createScenarioNetwork(api, { networkIndex: 3 });
    const p = network.practices as { id: string; people: { id: string; name: string }[] }[];
    const created = await openElection(api, network.id, { title: 'Shadow board', constituency: 'Whole network', seats: 2, practiceIds: p.map((x) => x.id) });
    const ids = await nominate(
      api,
      created.body.id,
      'Whole network',
      [0, 1, 2].map((i) => p[i].people[0].id),
      'I will serve the network well.',
    );
    const candidates = ids.map((id, i) => ({ id, name: p[i].people[0].name }));
    expect((await api.post(`/elections/${created.body.id}/close`)).status).toBe(200);
    const [link] = await ballotLinks(api, stack.baseUrl, 'Election ballot: Shadow board', p.length);

    const page = await browser.newPage({ viewport: { width: 320, height: 800 } });
    await page.goto(`${stack.baseUrl}/a/${link.token}`);
    await expect(page.locator('h2.nhsuk-heading-m').first().textContent()).resolves.toBe('Whole network: electing 2 members');
    await expectGoodPage(page, 'the STV ballot', { endAt: 320, fits: false });

    // 1 and 3 but no 2: the ballot comes back with the gap named and the numbers typed kept
    const [first, second, third] = candidates;
    await page.fill(`#rank-${first.id}`, '1');
    await page.fill(`#rank-${third.id}`, '3');
    await page.click('#vote-button');
    await expect(page.locator('.nhsuk-error-summary').textContent()).resolves.toContain('there is no 2');
    expect(await page.inputValue(`#rank-${first.id}`)).toBe('1');
    expect(await page.inputValue(`#rank-${third.id}`)).toBe('3');
    expect(await page.inputValue(`#rank-${second.id}`)).toBe('');
    expect(await stack.db('election_turnout').count({ n: '*' }).first()).toMatchObject({ n: 0 });
    await expectGoodPage(page, 'the STV ballot with a gap', { endAt: 320, fits: false });

    // the same number twice is named too, against the second box
    await page.fill(`#rank-${second.id}`, '1');
    await page.click('#vote-button');
    const twice = (await page.locator('.nhsuk-error-summary').textContent()) ?? '';
    expect(twice).toMatch(/You gave 1 to .+ and .+: give each number to one candidate/);
    for (const c of [first, second]) expect(twice).toContain(c.name);
    expect(await page.inputValue(`#rank-${second.id}`)).toBe('1');

    await page.fill(`#rank-${second.id}`, '2');
    await page.click('#vote-button');
    await page.waitForSelector('#confirmation');
    const code = ((await page.locator('#receipt-code').textContent()) ?? '').trim();
    expect(code).toMatch(/^[A-Z2-9]{4}(-[A-Z2-9]{4}){3}$/);
    expect(await fits320(page)).toEqual({ page: true, code: true });
    await expectGoodPage(page, 'the ballot receipt', { endAt: 320, fits: false });

    // the code is checked on a page, in words
    await page.click('#check-receipt');
    await page.fill('#code', code.toLowerCase());
    await page.click('#check-button');
    await expect(page.locator('#receipt-answer').textContent()).resolves.toContain('in the ballot box');
    await expectGoodPage(page, 'the receipt check', { endAt: 320, fits: false });
    await page.fill('#code', 'not a code');
    await page.click('#check-button');
    await expect(page.locator('.nhsuk-error-summary').textContent()).resolves.toContain('Enter the receipt code as it was shown');

    // reopened: the practice has voted; no second ballot
    await page.goto(`${stack.baseUrl}/a/${link.token}`);
    await expect(page.locator('#outcome-heading').textContent()).resolves.toBe('Your practice has voted');
    expect(await page.locator('#vote-button').count()).toBe(0);
    await expectGoodPage(page, 'the reopened ballot link', { endAt: 320, fits: false });
    await page.close();
  }, 120_000);

  it('gives a motion vote a receipt code that fits 320 px, and a reopened link says it is done', async () => {
    const { network } = await createScenarioNetwork(api, { networkIndex: 4, practiceCount: 2 });
    const motion = await api.post(`/networks/${network.id}/motions`, {
      title: 'Meet monthly',
      text: 'That the board meets monthly.',
      decisionType: 'ordinary',
      closesAt: inSeconds(3600),
    });
    expect(motion.status, JSON.stringify(motion.body)).toBe(201);
    const [link] = await ballotLinks(api, stack.baseUrl, 'Vote: Meet monthly', 2);
    const page = await browser.newPage({ viewport: { width: 320, height: 800 } });
    await page.goto(`${stack.baseUrl}/a/${link.token}`);
    await expectGoodPage(page, 'the motion ballot', { endAt: 320, fits: false });
    await page.check('#choice-for');
    await page.click('#vote-button');
    await page.waitForSelector('#confirmation');
    expect(await fits320(page)).toEqual({ page: true, code: true });
    await expectGoodPage(page, 'the motion receipt', { endAt: 320, fits: false });
    await page.goto(`${stack.baseUrl}/a/${link.token}`);
    await expect(page.locator('#outcome-heading').textContent()).resolves.toBe('Your practice has voted');
    await expectGoodPage(page, 'the reopened motion link', { endAt: 320, fits: false });
    await page.close();
  }, 120_000);
});
