import { describe, expect, it } from 'vitest';
import { countOf, fingerprint, number, plural, stageTitle, statusWords, ukDate, ukDateTime } from '../../../domain/wording';

describe('plain English', () => {
  it('says days as "16 March 2009", whether given a calendar day or an instant', () => {
    expect(ukDate('2009-03-16')).toBe('16 March 2009');
    // 23:30 UTC on 31 March is already 1 April in British Summer Time
    expect(ukDate('2026-03-31T23:30:00Z')).toBe('1 April 2026');
    expect(ukDate('2026-12-31T23:30:00Z')).toBe('31 December 2026');
  });

  it('says times in UK time, with the clock change', () => {
    expect(ukDateTime('2026-01-15T14:05:00Z')).toBe('15 January 2026 at 2:05pm');
    expect(ukDateTime('2026-07-01T08:00:00Z')).toBe('1 July 2026 at 9:00am');
    expect(ukDateTime('2026-07-01T23:15:00Z')).toBe('2 July 2026 at 12:15am');
  });

  it('counts with separators and the right plural', () => {
    expect(number(1234567)).toBe('1,234,567');
    expect(plural(1, 'practice')).toBe('1 practice');
    expect(plural(2, 'practice')).toBe('2 practices');
    expect(plural(2, 'party', 'parties')).toBe('2 parties');
    expect(countOf(31, 61, 'practice')).toBe('31 of 61 practices');
    expect(countOf(0, 1, 'practice')).toBe('0 of 1 practice');
  });

  it('shortens a hash to a fingerprint and names stages by title', () => {
    expect(fingerprint('3f2a91c07be4d5e6f708')).toBe('3f2a 91c0 7be4');
    expect(stageTitle('terms-of-reference')).toBe('Terms of reference');
  });

  it('words every status, and words an unknown one rather than showing its code', () => {
    expect(statusWords('stage', 'awaiting-signatures')).toBe('Awaiting signatures');
    expect(statusWords('result', 'inquorate')).toBe('Not quorate');
    expect(statusWords('round', 'voided')).toBe('Replaced by a newer version');
    expect(statusWords('stage', 'awaiting-something-new')).toBe('Awaiting something new');
  });
});
