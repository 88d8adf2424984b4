import type { Page } from 'playwright-core';
import { STAGE_KEYS } from '../../domain/stages';
import { ROLE_WORDS, STAFF_ROLE_WORDS, STATUS_WORDS } from '../../domain/wording';

/**
 * Whether a page reads in plain English: no raw status code, ISO date or time, UUID or long hash in
 * its visible text. Used by the browser tests on every page they visit.
 *
 * Status codes are the kebab-case codes the system stores (`awaiting-signatures`, `not-started`,
 * `caldicott-guardian`, `terms-of-reference`…): every multi-word status, role and stage key, plus
 * `EXTRA_CODES`. One-word codes (`drafting`) are also English words and cannot be told apart.
 */
const EXTRA_CODES = [
  'not-ready',
  'practice-role',
  'sealed-copy',
  'panel-letter',
  'vote-result',
  'panel-pack',
  'legal-entity-appraisal',
  'completion-certificate',
  'settlement-record',
  'panel-outcome-letter',
  'signed-by-colleague',
];

export const STATUS_CODES: readonly string[] = [
  ...new Set([
    ...Object.values(STATUS_WORDS).flatMap((words) => Object.keys(words)),
    ...Object.keys(ROLE_WORDS),
    ...Object.keys(STAFF_ROLE_WORDS),
    ...STAGE_KEYS,
    ...EXTRA_CODES,
  ]),
].filter((code) => code.includes('-'));

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const CODE = new RegExp(`(?<![\\w-])(${STATUS_CODES.map(escape).join('|')})(?![\\w-])`, 'g');
const ISO_DATE = /\b\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b/g;
const ISO_TIME = /\b\d{2}:\d{2}:\d{2}(?:\.\d+)?Z?\b/g;
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
const HASH = /\b[0-9a-f]{32,}\b/gi;
const ERROR_CODE = /\b[A-Z]{2,}(?:_[A-Z]+)+\b/g;

/** Each thing in `text` that is not plain English, said as "raw status code: awaiting-signatures". */
export function plainEnglishProblemsIn(text: string): string[] {
  const found = (what: string, re: RegExp) => [...text.matchAll(re)].map((m) => `${what}: ${m[0]}`);
  return [
    ...found('raw status code', CODE),
    ...found('ISO date', ISO_DATE),
    ...found('ISO time', ISO_TIME),
    ...found('UUID', UUID),
    ...found('long hash', HASH),
    ...found('error code', ERROR_CODE),
  ];
}

/** The page's visible text (what a reader sees: closed `<details>` and hidden elements are left out). */
export function visibleText(page: Page): Promise<string> {
  return page.evaluate(() => document.body.innerText);
}

/** What on the page, as it stands, is not plain English; [] when it all is. */
export async function plainEnglishProblems(page: Page): Promise<string[]> {
  return plainEnglishProblemsIn(await visibleText(page));
}
