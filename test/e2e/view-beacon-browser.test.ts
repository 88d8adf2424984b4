import type { Browser } from 'playwright-core';
import { hashToken } from '../../db/repos/tokens.repo';
import { describe, expect, it } from 'vitest';
import { type ApiClient, eventually } from '../support/api';
import { issueFirstPack } from '../support/formation-driver';
import { useStack } from '../support/lifecycle';
import type { InProcessStack } from '../support/stack';

/**
 * "Viewed" is evidence that the person saw the document they were asked to sign, so a mail
 * scanner's prefetch of the emailed link must not record it: fetching the page records nothing, a
 * browser rendering it records nothing until a person does something on it, and then the page
 * records the view itself. The pages also run under the Content-Security-Policy without a violation.
 */
describe('the signing page records a view only when a person is on it', () => {
  let stack: InProcessStack;
  let api: ApiClient;
  let browser: Browser;
  useStack({ browser: true }, (env) => ({ stack, api, browser } = env));

  /** Whether the link's view is recorded, and how many "viewed" events the audit log holds. */
  async function viewState(token: string) {
    const row = await stack
      .db('action_tokens')
      .where({ token_hash: hashToken(token) })
      .first();
    // the person's "viewed" events (each network here has its own people)
    const events = (await stack.db('audit_events').where({ type: 'signature.viewed' }).andWhere('data', 'like', `%"personId":"${row.person_id}"%`)).length;
    return { viewed: row.viewed_at !== null, events };
  }

  /** A new one-practice network's panel pack issued, and its partner's request to sign. */
  async function signRequestOfNewNetwork(networkIndex: number) {
    return (await issueFirstPack(api, { practiceCount: 1, networkIndex })).request;
  }

  it('ignores a prefetch (GET or HEAD, however browser-like), records the first interaction, once', async () => {
    const request = await signRequestOfNewNetwork(4);
    const url = `${stack.baseUrl}/a/${request.token}`;

    // what link scanners do: fetch the page (some with a browser's headers), or ask for its headers
    const scanner = { accept: 'text/html,application/xhtml+xml', 'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0 Safari/537.36' };
    const fetched = await fetch(url, { headers: scanner });
    expect(fetched.status).toBe(200);
    expect(await fetched.text()).toContain('data-view-beacon');
    expect((await fetch(url, { method: 'HEAD', headers: scanner })).status).toBe(200);
    expect(await viewState(request.token)).toEqual({ viewed: false, events: 0 });

    // a browser that renders the page (as some scanners do) and does nothing on it records nothing
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
    const beaconPosts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/viewed')) beaconPosts.push(r.url());
    });
    await page.goto(url, { waitUntil: 'networkidle' });
    expect(await page.evaluate(() => document.querySelector('[data-view-beacon]') !== null && document.visibilityState)).toBe('visible');
    expect(beaconPosts).toEqual([]);
    expect(await viewState(request.token)).toEqual({ viewed: false, events: 0 });

    // a person reads: moves the pointer, scrolls the document
    await page.mouse.move(120, 300);
    await page.mouse.wheel(0, 400);
    await eventually(async () => (await viewState(request.token)).viewed, 'the view to be recorded');
    await page.mouse.move(200, 400);
    await page.reload({ waitUntil: 'networkidle' });
    await page.mouse.move(50, 50);
    // the view is recorded once, however often the page is opened and used
    await eventually(async () => beaconPosts.length === 2, 'the reloaded page to post its view');
    expect(await viewState(request.token)).toEqual({ viewed: true, events: 1 });
    expect(violations).toEqual([]);
    await page.close();
  });

  it('records the view with a form the person sends, for browsers without scripts', async () => {
    const request = await signRequestOfNewNetwork(5);
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${stack.baseUrl}/a/${request.token}`);
    expect(await viewState(request.token)).toEqual({ viewed: false, events: 0 });
    await page.click('summary:has-text("I cannot sign")');
    // the reason is too short: the form comes back with an error, and the person has seen the page
    await page.fill('#reason', 'no');
    await page.click('#decline-button');
    await expect(page.locator('.nhsuk-error-summary').textContent()).resolves.toContain('at least 3 characters');
    expect(await viewState(request.token)).toEqual({ viewed: true, events: 1 });
    await context.close();
  });
});
