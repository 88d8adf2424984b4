import path from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { axeViolations } from './axe';
import { plainEnglishProblems, visibleText } from './plain-english';

/** A phone's width and a desk's: every page is checked at both. */
const WIDTHS = [320, 1280] as const;

export interface PageCheck {
  /**
   * The width the page is left at, for the test's next steps: a signer's or voter's page goes on
   * at a phone's 320 px, a console page at a desk's 1280 px. The other width is checked first.
   */
  endAt: (typeof WIDTHS)[number];
  /** `false` where the test measures the page's width itself; otherwise nothing may be wider than the screen. */
  fits?: boolean;
}

/** `PAGE_SHOTS=<folder>`: every checked page is also saved there as a PNG at each width, to look at. */
const SHOTS = process.env.PAGE_SHOTS;

/**
 * What every page must be: axe-clean at 320 px and at 1280 px, nothing wider than the screen at
 * either width, and in plain English (no raw code, ISO date, id or hash: plain-english.ts). `what`
 * names the page in a failure. Returns the page's visible text for further checks.
 */
export async function expectGoodPage(page: Page, what: string, check: PageCheck): Promise<string> {
  for (const width of [...WIDTHS.filter((w) => w !== check.endAt), check.endAt]) {
    await page.setViewportSize({ width, height: 900 });
    expect(await axeViolations(page), `${what} at ${width}px`).toEqual([]);
    if (check.fits !== false)
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), `${what} fits ${width}px`).toBe(true);
    if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `${what.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}-${width}.png`), fullPage: true });
  }
  expect(await plainEnglishProblems(page), `${what} in plain English`).toEqual([]);
  return visibleText(page);
}
