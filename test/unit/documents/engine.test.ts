import { describe, expect, it } from 'vitest';
import { compileTemplate, escapeMarkdown } from '../../../documents/template-engine';
import { buildDocumentModel, typographic } from '../../../documents/document-model';
import { renderHtml } from '../../../documents/render-html';
import * as format from '../../../documents/format';
import { TemplateContextError } from '../../../documents/types';
import { sha256, textDiff } from '../../../documents';

function issuesOf(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TemplateContextError);
    return (err as TemplateContextError).issues;
  }
  throw new Error('expected a TemplateContextError');
}

describe('en-GB wording', () => {
  it('formats dates, money, percentages, ordinals and plurals', () => {
    expect(format.formatDate('2009-03-16')).toBe('16 March 2009');
    expect(format.formatDateTimeUtc('2009-06-15T13:05:09Z')).toBe('15 June 2009, 13:05:09 UTC');
    expect(format.formatDateTimeLondon('2009-06-15T13:05:09Z')).toBe('15 June 2009, 14:05:09 BST');
    expect(format.formatDateTimeLondon('2009-01-15T13:05:09Z')).toBe('15 January 2009, 13:05:09 GMT');
    expect(format.formatPence(123_450)).toBe('£1,234.50');
    expect(format.formatPence(5)).toBe('£0.05');
    expect(format.formatPounds(40_000)).toBe('£40,000.00');
    expect(format.formatPercent(70)).toBe('70%');
    expect(format.formatPercent(33.333, 1)).toBe('33.3%');
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111].map(format.ordinal)).toEqual([
      '1st',
      '2nd',
      '3rd',
      '4th',
      '11th',
      '12th',
      '13th',
      '21st',
      '22nd',
      '101st',
      '111th',
    ]);
    expect(format.numberWord(5)).toBe('five');
    expect(format.numberWord(21)).toBe('21');
    expect(format.plural(1, 'practice')).toBe('practice');
    expect(format.plural(2, 'practice')).toBe('practices');
    expect(format.listAnd(['A', 'B', 'C'])).toBe('A, B and C');
    expect(() => format.formatDate('16/03/2009')).toThrow(RangeError);
  });
});

describe('strict Handlebars over Markdown', () => {
  it('lists every missing field with its path, not only the first, and never renders a blank', () => {
    const t = compileTemplate('# {{title}}\n{{#each practices}}- {{name}} ({{odsCode}}) joined {{date joined}}\n{{/each}}{{chair.name}} {{pounds amount}}');
    const issues = issuesOf(() =>
      t.render({
        title: 'T',
        practices: [
          { name: 'A', joined: '2009-03-16' },
          { name: 'B', odsCode: 'F1' },
        ],
      }),
    );
    expect(issues.map((i) => i.path)).toEqual(['practices.0.odsCode', 'practices.1.joined', 'chair.name', 'amount']);
    expect(issues[0].message).toMatch(/template line 2/);
    expect(issues[1].message).toMatch(/"date" helper/);
  });

  it('lets optional sections test for absent values without an error', () => {
    const t = compileTemplate('{{#if rep}}Rep: {{rep.name}}{{else}}No representative{{/if}}');
    expect(t.render({})).toBe('No representative');
    expect(t.render({ rep: { name: 'Ann' } })).toBe('Rep: Ann');
  });

  it('rejects a template that does not compile, with the parser message', () => {
    const issues = issuesOf(() => compileTemplate('{{#each practices}}unclosed'));
    expect(issues[0].path).toBe('template');
    expect(issues[0].message).toMatch(/Parse error/);
  });

  it('escapes context values so they cannot become Markdown structure', () => {
    const t = compileTemplate('| a |\n|---|\n| {{name}} |\n\n{{heading}}');
    const md = t.render({ name: 'Smith_Jones | *Partners*', heading: '# Not a heading' });
    const model = buildDocumentModel(md);
    expect(model.blocks.map((b) => b.kind)).toEqual(['table', 'paragraph']);
    const table = model.blocks[0];
    if (table.kind !== 'table') throw new Error('expected a table');
    expect(table.rows[0][0].map((r) => r.text).join('')).toBe('Smith_Jones | *Partners*');
    expect(escapeMarkdown('1. item')).toBe('1\\. item');
  });

  it('reports a helper called without its arguments, as when a field shares a helper’s name', () => {
    const issues = issuesOf(() => compileTemplate('{{percent}}').render({ percent: 5 }));
    expect(issues[0]).toEqual({ path: '(helper "percent")', message: 'needs 1 argument but was given 0 (template line 1)' });
  });

  it('offers wording helpers', () => {
    const t = compileTemplate(
      '{{count n "practice"}}; {{plural 1 "month"}}; {{ordinal 2}}; {{percent 70}}; {{pence 123450}}; {{date d}}; {{number 23627}}; {{shareOf 1 4 1}}; {{listAnd (names people)}}',
    );
    expect(t.render({ n: 4, d: '2009-03-16', people: [{ name: 'Ann' }, { name: 'Bo' }] })).toBe(
      'four practices; month; 2nd; 70%; £1,234.50; 16 March 2009; 23,627; 25.0%; Ann and Bo',
    );
  });
});

describe('document model', () => {
  const md = [
    '# Title',
    '',
    'Preamble.',
    '',
    '## First',
    '',
    '1. Clause one',
    '2. Clause two:',
    '   1. sub a',
    '   2. sub b',
    '      - bullet',
    '',
    '### Sub',
    '',
    '1. Deep clause',
    '',
    '## Second',
    '',
    '1. Again',
    '',
    '## Schedule {-}',
    '',
    '```signature',
    'party: Bow Road Practice',
    'detail: ODS code F84003',
    'name: Dr Kamal Ali',
    '```',
  ].join('\n');

  it('numbers sections, subsections and clauses, and labels nested lists', () => {
    const model = buildDocumentModel(md);
    const headings = model.blocks.filter((b) => b.kind === 'heading');
    expect(headings.map((h) => (h.kind === 'heading' ? [h.label, h.text] : null))).toEqual([
      [null, 'Title'],
      ['1', 'First'],
      ['1.3', 'Sub'],
      ['2', 'Second'],
      [null, 'Schedule'],
    ]);
    const lists = model.blocks.filter((b) => b.kind === 'list');
    const labels = lists.map((l) => (l.kind === 'list' ? l.items.map((i) => i.label) : []));
    // clauses and subsections of a section share one counter, as Word's multi-level list does: 1.1, 1.2, then subsection 1.3
    expect(labels).toEqual([['1.1', '1.2'], ['1.3.1'], ['2.1']]);
    const nested = lists[0].kind === 'list' ? lists[0].items[1].blocks[1] : null;
    expect(nested && nested.kind === 'list' ? nested.items.map((i) => i.label) : null).toEqual(['(a)', '(b)']);
    expect(model.title).toBe('Title');
    expect(model.contents.map((h) => h.text)).toEqual(['First', 'Second']);
  });

  it('reads signature blocks', () => {
    const sig = buildDocumentModel(md).blocks.find((b) => b.kind === 'signature');
    expect(sig).toEqual({
      kind: 'signature',
      party: 'Bow Road Practice',
      detail: 'ODS code F84003',
      fields: [{ label: 'Signature' }, { label: 'Name', value: 'Dr Kamal Ali' }, { label: 'Capacity' }, { label: 'Date' }],
    });
  });

  it('uses curly quotes and dashes', () => {
    expect(typographic('the "Network" isn\'t -- it\'s')).toBe('the \u201cNetwork\u201d isn\u2019t \u2013 it\u2019s');
  });

  it('renders a safe HTML fragment', () => {
    const html = renderHtml(buildDocumentModel('## A <script>alert(1)</script>\n\n[x](javascript:alert(1)) and **<b>bold</b>**'));
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
    expect(html).not.toContain('javascript:');
    expect(html).toContain('<span class="fw-number">1</span>');
  });
});

describe('hashing and diffs', () => {
  it('hashes bytes and strings as lowercase hex SHA-256', () => {
    expect(sha256('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256(new Uint8Array([97, 98, 99]))).toBe(sha256('abc'));
  });

  it('diffs two Markdown versions line by line, reconstructing both', () => {
    const a = '# ToR\n\n1. Quorum is half.\n2. Meetings monthly.\n';
    const b = '# ToR\n\n1. Quorum is more than half.\n2. Meetings monthly.\n3. New clause.\n';
    const diff = textDiff(a, b);
    expect(diff.map((d) => d.op)).toEqual(['equal', 'delete', 'insert', 'equal', 'insert']);
    expect(
      diff
        .filter((d) => d.op !== 'insert')
        .map((d) => d.text)
        .join(''),
    ).toBe(a);
    expect(
      diff
        .filter((d) => d.op !== 'delete')
        .map((d) => d.text)
        .join(''),
    ).toBe(b);
    expect(textDiff(a, a)).toEqual([{ op: 'equal', text: a }]);
  });
});
