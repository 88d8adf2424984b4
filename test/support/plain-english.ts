import type { Page } from 'playwright-core';
import { STATUS_WORDS } from '../../domain/wording';

const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/i;
const ISO_DATE = /\b\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b/;
const ERROR_CODE = /\b[A-Z]{2,}(?:_[A-Z]+)+\b/;
const LONG_HEX = /\b[0-9a-f]{32,}\b/i;

/**
 * Every status code a page might leak: the keys of the status words that are not words themselves
 * ("awaiting-signatures", "signed-by-colleague", "not-started"…).
 */
const STATUS_CODES = [...new Set(Object.values(STATUS_WORDS).flatMap((words) => Object.keys(words)))].filter((code) => /[-_]/.test(code));

/**
 * What a person would read on the page (the text as rendered: a closed details element's content
 * is not shown, so a reference kept in one is not counted) that is not plain English: a UUID, an
 * ISO date or time, an error code, a whole hash, a raw status code. Empty when the page is clean.
 */
export async function plainEnglishProblems(page: Page): Promise<string[]> {
  const text = await page.evaluate(() => document.body.innerText);
  const problems: string[] = [];
  for (const [what, pattern] of [['a UUID', UUID], ['an ISO date', ISO_DATE], ['an error code', ERROR_CODE], ['a whole hash', LONG_HEX]] as const) {
    const match = pattern.exec(text);
    if (match) problems.push(`${what}: "${match[0]}"`);
  }
  for (const code of STATUS_CODES) if (new RegExp(`(^|[^\\w-])${code}([^\\w-]|$)`).test(text)) problems.push(`a status code: "${code}"`);
  return problems;
}
