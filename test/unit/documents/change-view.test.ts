import { describe, expect, it } from 'vitest';
import { describeChanges } from '../../../documents';

const v1 = `# Terms of reference

## Purpose

1. The network serves its **patients**.
2. The board meets monthly.

## Members {-}

| Practice | ODS |
|---|---|
| Ashby Surgery | F84001 |
`;

describe('what changed, as a reader sees it', () => {
  it('shows a rewritten clause word by word, under its section and number, without Markdown', () => {
    const v2 = v1.replace('The board meets monthly.', 'The board meets every two weeks.');
    const changes = describeChanges(v1, v2);
    expect(changes).toEqual([{ change: 'changed', where: '1. Purpose', label: '1.2', html: expect.any(String) }]);
    expect(changes[0].html).toBe('The board meets <del>monthly</del><ins>every two weeks</ins>.');
    expect(changes[0].html).not.toMatch(/\*\*|^\d+\. /);
  });

  it('does not call clauses renumbered by an insertion changed: only the new clause is added', () => {
    const v2 = v1.replace('1. The network serves', '1. A new first clause.\n2. The network serves').replace('2. The board', '3. The board');
    const changes = describeChanges(v1, v2);
    expect(changes).toEqual([{ change: 'added', where: '1. Purpose', label: '1.1', html: '<ins>A new first clause.</ins>' }]);
  });

  it('names added and removed table rows, and escapes what the text holds', () => {
    const v2 = v1.replace('| Ashby Surgery | F84001 |', '| Brook <Practice> & Co | F84002 |');
    const changes = describeChanges(v1, v2);
    expect(changes).toHaveLength(1);
    expect(changes[0].where).toBe('Members');
    expect(changes[0].html).toContain('&lt;Practice&gt; &amp; Co');
    expect(changes[0].html).not.toContain('<Practice>');
  });

  it('finds nothing when only the wording is the same', () => {
    expect(describeChanges(v1, v1)).toEqual([]);
  });
});
