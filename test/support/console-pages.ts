import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { axeViolations } from './axe';
import { plainEnglishProblems, visibleText } from './plain-english';

/** axe finds nothing at a phone's width (320 px) and a desk's (1280 px), and nothing scrolls sideways on the phone. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  for (const width of [320, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    expect(await axeViolations(page), `${what} at ${width}px`).toEqual([]);
    if (width === 320) expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), `${what} fits 320px`).toBe(true);
  }
}

/**
 * Every page a console test visits: accessible at both widths and in plain English (no raw code,
 * ISO date, id or hash: test/support/plain-english.ts). Returns the visible text for further checks.
 */
export async function checkPage(page: Page, what: string): Promise<string> {
  await expectAccessible(page, what);
  expect(await plainEnglishProblems(page), `${what} in plain English`).toEqual([]);
  return visibleText(page);
}

/** Signs a browser in as the administrator with the stack's API token, as on a first visit. */
export async function signInWithToken(page: Page, baseUrl: string, token: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.fill('#token', token);
  await page.click('button[type=submit]');
  await page.waitForLoadState('domcontentloaded');
}
