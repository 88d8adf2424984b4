import type { Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { type ApiClient, eventually } from '../support/api';
import { signInWithToken } from '../support/console-pages';
import { expectGoodPage } from '../support/page-checks';
import { createScenarioNetwork } from '../support/formation-driver';
import { useStack } from '../support/lifecycle';
import type { InProcessStack } from '../support/stack';
import { ballotLinks, castAll } from '../support/votes-driver';

/**
 * A facilitator puts a motion to a network in pages alone: the form refuses a missing title and a
 * date that does not exist, keeping what was typed; a secret ballot opens with its closing time
 * read as UK summer time; the motion's page shows turnout practice by practice without anyone's
 * choice; closing it early counts the votes and links the certificate. The facilitator gives
 * practices more time (a time in the past refused in words) and records a proxy (a practice as its
 * own proxy refused). Every page is axe clean at 320 px and 1280 px, in plain words.
 */
describe('a facilitator opens and closes a motion through the pages', () => {
  let stack: InProcessStack;
  let api: ApiClient;
  let browser: Browser;
  useStack({ browser: true }, (env) => ({ stack, api, browser } = env));

  it('opens a secret ballot closing at a UK time, shows turnout, closes it and shows the result', async () => {
    const { network } = await createScenarioNetwork(api, { practiceCount: 2, networkIndex: 5 });
    const context = await browser.newContext();
    const page = await context.newPage();
    await signInWithToken(page, stack.baseUrl, stack.token);

    await page.goto(`${stack.baseUrl}/networks/${network.id}`);
    await page.click('#network-links a:has-text("Votes")');
    await expect(page.locator('#no-motions').textContent()).resolves.toContain('No motion');
    await expectGoodPage(page, 'the votes page, empty', { endAt: 1280 });
    await page.click('#open-motion');
    await expectGoodPage(page, 'the motion form', { endAt: 1280 });

    // a month that does not exist and no title: refused, with everything typed kept
    const year = new Date().getUTCFullYear() + 1;
    await page.fill('#text', 'That the network meets monthly.');
    await page.check('#ballot-secret');
    await page.fill('#closesAt-day', '16');
    await page.fill('#closesAt-month', '13');
    await page.fill('#closesAt-year', String(year));
    await page.fill('#closesAt-time', '17:00');
    await page.click('#open-button');
    const summary = (await page.locator('.nhsuk-error-summary').textContent())!;
    expect(summary).toContain('Enter the motion’s title');
    expect(summary).toContain('The closing time must be a real date');
    expect(await page.inputValue('#text')).toBe('That the network meets monthly.');
    expect(await page.isChecked('#ballot-secret')).toBe(true);
    expect(await stack.db('motions').where({ network_id: network.id }).count({ n: '*' }).first()).toMatchObject({ n: 0 });
    await expectGoodPage(page, 'the motion form with errors', { endAt: 1280 });

    // 16 June is in British Summer Time: 17:00 in the UK is 16:00 UTC
    await page.fill('#title', 'Monthly meetings');
    await page.fill('#closesAt-month', '6');
    await page.click('#open-button');
    await page.waitForURL('**/motions/*?done=opened');
    await expect(page.locator('#done').textContent()).resolves.toContain('Each practice has been sent a link');
    await expect(page.locator('.nhsuk-caption-l').textContent()).resolves.toContain('Secret ballot');
    await expect(page.locator('#motion-status').textContent()).resolves.toContain(`voting closes 16 June ${year} at 5:00pm`);
    const motionId = page.url().split('/motions/')[1].split('?')[0];
    const stored = await api.get(`/motions/${motionId}`);
    expect(stored.body.closesAt).toBe(`${year}-06-16T16:00:00.000Z`);
    expect(stored.body.ballot).toBe('secret');
    await expect(page.locator('#turnout').textContent()).resolves.toBe('Turnout: 0 of 2 practices have voted');
    await expectGoodPage(page, 'the open motion', { endAt: 1280 });

    // one practice votes; the page shows that it voted, never how
    const [first] = await ballotLinks(api, stack.baseUrl, 'Vote: Monthly meetings', 2);
    await castAll(stack.baseUrl, [first], () => 'for');
    await page.reload();
    await expect(page.locator('#turnout').textContent()).resolves.toBe('Turnout: 1 of 2 practices have voted');
    const turnout = (await page.locator('#turnout-practices').textContent())!;
    expect(turnout).toContain(`${first.practiceName}`);
    expect(turnout).not.toMatch(/\bFor\b|Against|Abstained/);
    await expectGoodPage(page, 'the motion with one vote', { endAt: 1280 });

    // closing early counts the votes and links the certificate
    await page.click('#close-button');
    await page.waitForURL('**?done=closed');
    await expect(page.locator('#done').textContent()).resolves.toContain('Voting has closed');
    await expect(page.locator('#result').textContent()).resolves.toMatch(/Result: (Carried|Lost|Not quorate)/);
    expect((await api.get(`/motions/${motionId}`)).body.status).toBe('closed');
    expect(await page.locator('#close-button').count()).toBe(0);
    await eventually(async () => {
      await page.reload();
      return (await page.locator('#certificate-pdf').count()) > 0 || null;
    }, 'the result certificate');
    const certificate = await page.request.get(`${stack.baseUrl}${await page.locator('#certificate-pdf').getAttribute('href')}`);
    expect((await certificate.body()).subarray(0, 5).toString()).toBe('%PDF-');
    await expectGoodPage(page, 'the closed motion', { endAt: 1280 });

    // the list says where the motion stands in words
    await page.goto(`${stack.baseUrl}/networks/${network.id}/motions`);
    await expect(page.locator('#motions').textContent()).resolves.toContain('Monthly meetings');
    await expectGoodPage(page, 'the votes page', { endAt: 1280 });
    await context.close();
  }, 240_000);

  it('gives practices more time and records a proxy, refusing what the rule does not allow in words', async () => {
    const { network } = await createScenarioNetwork(api, { practiceCount: 3, networkIndex: 5 });
    const year = new Date().getUTCFullYear() + 1;
    const opened = await api.post(`/networks/${network.id}/motions`, {
      title: 'A shared phone system',
      text: 'That the network buys one phone system.',
      decisionType: 'ordinary',
      closesAt: `${year}-06-16T16:00:00.000Z`,
    });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    const motionId = opened.body.id as string;
    const [principal, proxy, other] = network.practices as { id: string; name: string }[];
    const context = await browser.newContext();
    const page = await context.newPage();
    await signInWithToken(page, stack.baseUrl, stack.token);
    await page.goto(`${stack.baseUrl}/motions/${motionId}`);
    // the boxes start at the current closing time, in UK time
    expect(await page.inputValue('#closesAt-day')).toBe('16');
    expect(await page.inputValue('#closesAt-time')).toBe('17:00');
    await expectGoodPage(page, 'the open motion with its forms', { endAt: 1280 });

    // earlier than now: refused beside the boxes, nothing changed
    await page.fill('#closesAt-year', String(year - 2));
    await page.click('#extend-button');
    await expect(page.locator('.nhsuk-error-summary').textContent()).resolves.toContain('The new closing time must be in the future');
    expect(await page.inputValue('#closesAt-year')).toBe(String(year - 2));
    expect((await api.get(`/motions/${motionId}`)).body.closesAt).toBe(`${year}-06-16T16:00:00.000Z`);
    await expectGoodPage(page, 'the extension refused', { endAt: 1280 });

    // a week later, still summer time: 17:00 in the UK is 16:00 UTC
    await page.fill('#closesAt-year', String(year));
    await page.fill('#closesAt-day', '23');
    await page.click('#extend-button');
    await page.waitForURL('**?done=extended');
    await expect(page.locator('#motion-status').textContent()).resolves.toContain(`voting closes 23 June ${year} at 5:00pm`);
    expect((await api.get(`/motions/${motionId}`)).body.closesAt).toBe(`${year}-06-23T16:00:00.000Z`);

    // a practice cannot be its own proxy
    await page.selectOption('#principalPracticeId', principal.id);
    await page.selectOption('#proxyPracticeId', principal.id);
    await page.click('#proxy-button');
    await expect(page.locator('.nhsuk-error-summary').textContent()).resolves.toContain('A practice cannot be its own proxy');
    expect(await page.inputValue('#principalPracticeId')).toBe(principal.id);
    await expectGoodPage(page, 'the proxy refused', { endAt: 1280 });

    await page.selectOption('#proxyPracticeId', proxy.id);
    await page.click('#proxy-button');
    await page.waitForURL('**?done=proxy');
    await expect(page.locator('#done').textContent()).resolves.toContain('The proxy is recorded');
    await expect(page.locator('main').textContent()).resolves.toContain(`${principal.name} appointed ${proxy.name}`);
    const proxies = (await api.get(`/motions/${motionId}`)).body.proxies as { principalPracticeId: string; proxyPracticeId: string; appointedBy: string }[];
    expect(proxies).toEqual([expect.objectContaining({ principalPracticeId: principal.id, proxyPracticeId: proxy.id })]);
    // the practice that appointed one is no longer offered; the others still are
    const offered = await page.locator('#principalPracticeId option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(offered).not.toContain(principal.id);
    expect(offered).toContain(other.id);
    await expectGoodPage(page, 'the motion with a proxy', { endAt: 1280 });
    await context.close();
  }, 240_000);
});
