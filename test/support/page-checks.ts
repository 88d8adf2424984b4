import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { axeViolations } from './axe';
import { plainEnglishProblems } from './plain-english';

/**
 * What every page must be: axe-clean at 1280 px and at 320 px (a phone), nothing wider than the
 * screen at either width unless `fits: false` (a test that measures the width itself), and in
 * plain English. `what` names the page in a failure.
 */
export async function expectGoodPage(page: Page, what: string, options: { fits?: boolean } = {}): Promise<void> {
  for (const width of [1280, 320]) {
    await page.setViewportSize({ width, height: 800 });
    expect(await axeViolations(page), `${what} at ${width}px`).toEqual([]);
    if (options.fits !== false)
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), `${what} fits ${width}px`).toBe(true);
  }
  expect(await plainEnglishProblems(page), what).toEqual([]);
}
