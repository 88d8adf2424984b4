import { describe, expect, it } from 'vitest';
import { plainEnglishProblemsIn, STATUS_CODES } from '../support/plain-english';

/** The browser tests' plain-English check: it must catch what it is for, and pass what reads well. */
describe('plainEnglishProblemsIn', () => {
  it('finds raw status codes, ISO dates and times, UUIDs and long hashes', () => {
    expect(plainEnglishProblemsIn('Terms of reference (awaiting-signatures) since 2026-03-16T09:30:00.000Z')).toEqual([
      'raw status code: awaiting-signatures',
      'ISO date: 2026-03-16T09:30:00.000Z',
    ]);
    expect(plainEnglishProblemsIn('Formation not-started; panel on 2027-01-15 at 14:05:00')).toEqual([
      'raw status code: not-started',
      'ISO date: 2027-01-15',
      'ISO time: 14:05:00',
    ]);
    expect(plainEnglishProblemsIn('Candidate 0f8fad5b-d9cb-469f-a165-70867728950e elected')).toEqual(['UUID: 0f8fad5b-d9cb-469f-a165-70867728950e']);
    expect(plainEnglishProblemsIn(`sha ${'ab12'.repeat(16)}`)).toEqual([`long hash: ${'ab12'.repeat(16)}`]);
    expect(plainEnglishProblemsIn('Roles: partner, caldicott-guardian')).toEqual(['raw status code: caldicott-guardian']);
  });

  it('passes plain English, hyphenated English words and short fingerprints', () => {
    expect(
      plainEnglishProblemsIn(
        'Terms of reference: Awaiting signatures. 31 of 61 practices signed on 16 March 2009 at 2:05pm. Data-sharing agreement, co-opted members. Fingerprint 3f2a 91c0 7be4.',
      ),
    ).toEqual([]);
    // a code inside a longer hyphenated word is not that code
    expect(plainEnglishProblemsIn('the not-started-yet flag')).toEqual([]);
  });

  it('knows the codes of every status kind, role and stage', () => {
    for (const code of [
      'awaiting-signatures',
      'not-started',
      'signed-by-colleague',
      'caldicott-guardian',
      'panel-member',
      'terms-of-reference',
      'data-sharing-agreement',
    ])
      expect(STATUS_CODES).toContain(code);
  });
});
