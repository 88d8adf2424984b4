import type { Page } from 'playwright-core';

/** Signs a browser in as the administrator with the stack's API token, as on a first visit. */
export async function signInWithToken(page: Page, baseUrl: string, token: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.fill('#token', token);
  await page.click('button[type=submit]');
  await page.waitForLoadState('domcontentloaded');
}
