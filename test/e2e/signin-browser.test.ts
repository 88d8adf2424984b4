import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { type ApiClient } from '../support/api';
import { type AccessWorld, buildAccessWorld } from '../support/access-world';
import { useStack } from '../support/lifecycle';
import { expectGoodPage } from '../support/page-checks';
import { latestMail } from '../support/people';
import type { InProcessStack } from '../support/stack';

/**
 * A commissioner and a chair sign in by emailed link in a real chromium, land on their own page,
 * find "my actions" and sign out; every page on the way is accessible at phone and desk widths.
 */
describe('sign-in by emailed link in a browser', () => {
  let stack: InProcessStack;
  let admin: ApiClient;
  let browser: Browser;
  let world: AccessWorld;
  useStack({ browser: true }, (env) => ({ stack, api: admin, browser } = env));

  /** Asks for a link on the page, reads it from the outbox as the administrator, opens it and presses the button. */
  async function signIn(page: Page, email: string) {
    await page.goto(`${stack.baseUrl}/signin`);
    await expectGoodPage(page, 'the sign-in page', { endAt: 1280 });
    // a wrong address is explained, not sent
    await page.fill('#email', 'not an address');
    await page.click('#send-link');
    await expect(page.locator('.nhsuk-error-summary').textContent()).resolves.toContain('correct format');
    await expectGoodPage(page, 'the sign-in page with an error', { endAt: 1280 });
    await page.fill('#email', email);
    await page.click('#send-link');
    await expect(page.locator('h1').textContent()).resolves.toBe('Check your email');
    await expectGoodPage(page, 'the check-your-email page', { endAt: 1280 });
    const mail = await latestMail(admin, email, /sign in to Formwork/);
    await page.goto(mail.links[0]);
    await expectGoodPage(page, 'the sign-in button page', { endAt: 1280 });
    await page.click('#sign-in');
    await page.waitForLoadState('domcontentloaded');
  }

  it('lands a commissioner on their programme’s readiness, with my actions and sign-out in the header', async () => {
    world = await buildAccessWorld(admin, stack.baseUrl, 'browser');
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, world.email('cleo'));
    expect(new URL(page.url()).pathname).toBe(`/waves/${world.A.waveId}`);
    await expect(page.locator('#readiness').textContent()).resolves.toContain('Alpha Network browser');
    await expect(page.locator('.fw-account').textContent()).resolves.toContain('Cleo Commissioner');
    await expectGoodPage(page, 'the readiness page', { endAt: 1280 });

    // the session, not a token, is in the cookie; it is httpOnly
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'fw_session')!;
    expect(session.httpOnly).toBe(true);
    expect(session.sameSite).toBe('Lax');

    await page.click('#nav-my-actions');
    await expect(page.locator('h1').textContent()).resolves.toBe('My actions');
    await expectGoodPage(page, 'my actions', { endAt: 1280 });
    // a commissioner reads, and is turned away from what is not theirs
    const outbox = await page.request.get(`${stack.baseUrl}/api/v1/outbox`);
    expect(outbox.status()).toBe(403);
    const otherProgramme = await page.goto(`${stack.baseUrl}/waves/${world.B.waveId}`);
    expect(otherProgramme!.status()).toBe(404);

    await page.goto(`${stack.baseUrl}/waves/${world.A.waveId}`);
    await page.click('#sign-out');
    await expect(page.locator('h1').textContent()).resolves.toBe('You have signed out');
    await expectGoodPage(page, 'the signed-out page', { endAt: 1280 });
    await page.goto(`${stack.baseUrl}/waves/${world.A.waveId}`);
    expect(new URL(page.url()).pathname).toBe('/signin');
    await context.close();
  });

  it('lands a chair on their network, showing its officers, and lists what waits for them', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, world.email('mo'));
    expect(new URL(page.url()).pathname).toBe(`/networks/${world.NA.id}`);
    await expect(page.locator('#officers').textContent()).resolves.toContain('chair: Mo Manager');
    await expectGoodPage(page, 'the network page', { endAt: 1280 });
    // the chair's own actions: the open ballot of their practice's motion
    await page.click('#nav-my-actions');
    await expect(page.locator('#my-actions-list').textContent()).resolves.toContain('Vote: Adopt the budget browser');
    await expectGoodPage(page, 'the chair’s actions', { endAt: 1280 });
    await page.goto(`${stack.baseUrl}/me`);
    await expect(page.locator('#roles').textContent()).resolves.toContain('chair of Alpha Network browser');
    await expectGoodPage(page, 'the account page', { endAt: 1280 });
    // another programme's network is not found
    expect((await page.goto(`${stack.baseUrl}/networks/${world.NB.id}`))!.status()).toBe(404);
    await context.close();
  });
});
