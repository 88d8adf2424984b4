import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { STAGE_KEYS } from '../../domain/stages';
import { STATUS_WORDS } from '../../domain/wording';
import { axeViolations } from './axe';

const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/i;
const ISO_DATE = /\b\d{4}-\d{2}-\d{2}(T\d{2}:\d{2})?/;
/** Codes that must never reach a page as text: every status a person sees as words, and the stage keys. */
const RAW_CODES = [...new Set([...Object.values(STATUS_WORDS).flatMap((words) => Object.keys(words)).filter((k) => k.includes('-')), ...STAGE_KEYS, 'any-partner', 'all-partners', 'practices-then-officers', 'caldicott-guardian'])];

/**
 * What a person reads on a page (its visible text): no UUID, no ISO date, no raw status or stage
 * code. Returns the text for further checks.
 */
export async function expectPlainWords(page: Page, what: string): Promise<string> {
  const text = await page.evaluate(() => document.body.innerText);
  expect(text, `${what}: a UUID`).not.toMatch(UUID);
  expect(text, `${what}: an ISO date`).not.toMatch(ISO_DATE);
  for (const code of RAW_CODES) expect(text.toLowerCase().split(/[^a-z0-9-]+/), `${what}: the code "${code}"`).not.toContain(code);
  return text;
}

/** axe finds nothing at a phone's width (320 px) and a desk's (1280 px), and nothing scrolls sideways on the phone. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  for (const width of [320, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    expect(await axeViolations(page), `${what} at ${width}px`).toEqual([]);
    if (width === 320) expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), `${what} fits 320px`).toBe(true);
  }
}

/** Both checks, for every page a test visits. */
export async function checkPage(page: Page, what: string): Promise<string> {
  await expectAccessible(page, what);
  return expectPlainWords(page, what);
}

/** Signs a browser in as the administrator with the stack's API token, as on a first visit. */
export async function signInWithToken(page: Page, baseUrl: string, token: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.fill('#token', token);
  await page.click('button[type=submit]');
  await page.waitForLoadState('domcontentloaded');
}
