import { describe, expect, it } from 'vitest';
import { renderDiffHtml, textDiff } from '../../../documents';

const before = ['# Terms of reference', '', '## Meetings', '', '1. The board meets **monthly**.', '2. Notice is 7 days.', '', '| Office | Holder |', '|---|---|', '| Chair | Dr Ann Ali |', ''].join('\n');
const after = ['# Terms of reference', '', '## Meetings', '', '1. The board meets **every two months**.', '2. Notice is 7 days.', '', '| Office | Holder |', '|---|---|', '| Chair | Dr Ben <b>Bose</b> |', ''].join('\n');

describe('a diff as HTML people read', () => {
  const html = renderDiffHtml(textDiff(before, after));
  const text = html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

  it('says what was removed and what was added, in words and in order', () => {
    expect(text).toMatch(/Removed The board meets monthly \. Added The board meets every two months \./);
    expect(html).toContain('<strong>monthly</strong>');
  });

  it('shows no Markdown source: no emphasis stars, table pipes or heading hashes', () => {
    expect(text).not.toMatch(/\*\*|\||#/);
    // a changed row alone is shown in its table, under the table's header
    expect(text).toContain('Added Office Holder Chair Dr Ben');
  });

  it('escapes what the text holds, and folds unchanged text away', () => {
    expect(html).not.toContain('<b>Bose</b>');
    expect(html).toContain('&lt;b&gt;Bose&lt;/b&gt;');
    expect(html).toMatch(/<details class="nhsuk-details fw-diff__same">.*Unchanged text \(\d+ lines?\)/);
    // passages carry no ids of their own, so several on a page never clash
    expect(html).not.toMatch(/ id="/);
  });
});
