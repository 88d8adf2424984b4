/**
 * What changed between two versions of a document, as HTML a person reads: each removed or added
 * passage rendered the way the document renders it (lists, tables, emphasis), never as Markdown
 * source. Escaped like every preview (render-html.ts). Headings inside a passage are shown as bold
 * lines and clause numbers are left out, because a passage out of its document cannot know them.
 */
import { buildDocumentModel, type Block } from './document-model';
import { escapeHtml, renderHtml } from './render-html';
import type { DiffPart } from './text-diff';

function readable(blocks: Block[]): Block[] {
  return blocks.map((b): Block => {
    if (b.kind === 'heading') return { kind: 'paragraph', runs: b.runs.map((r) => ({ ...r, bold: true })) };
    if (b.kind === 'list') return { ...b, items: b.items.map((item) => ({ label: b.style === 'bullet' ? item.label : '', blocks: readable(item.blocks) })) };
    if (b.kind === 'quote') return { ...b, blocks: readable(b.blocks) };
    return b;
  });
}

function passage(markdown: string): string {
  const model = buildDocumentModel(markdown);
  return renderHtml({ ...model, blocks: readable(model.blocks) });
}

const lines = (text: string) => text.split('\n').filter((l) => l.trim() !== '').length;

const isRow = (line: string) => line.trim().startsWith('|');
const isSeparator = (line: string) => /^\s*\|?\s*:?-{3,}/.test(line);

/**
 * The header of the table a passage's rows belong to, when the passage starts inside a table: a
 * changed row alone is no table in Markdown, so it borrows the header it sits under.
 */
function tableContext(previous: string[] | null, text: string): string[] | null {
  let header = previous;
  let last = '';
  const all = text.split('\n');
  all.forEach((line, i) => {
    if (isSeparator(line) && i > 0) header = [all[i - 1], line];
    if (line.trim()) last = line;
  });
  return last && isRow(last) ? header : null;
}

function withHeader(text: string, header: string[] | null): string {
  const [first = '', second = ''] = text.split('\n').filter((l) => l.trim());
  return header && isRow(first) && !isSeparator(second) ? `${header.join('\n')}\n${text}` : text;
}

/**
 * The diff as an HTML fragment: additions and removals in order, each labelled in words ("Added",
 * "Removed") so the change does not rest on colour or strike-through alone; unchanged text folded
 * into a details element, there to read for context.
 */
export function renderDiffHtml(parts: readonly DiffPart[]): string {
  const out: string[] = ['<div class="fw-diff">'];
  // the header of the table the text has reached, as the new version reads (removals do not move it)
  let header: string[] | null = null;
  for (const part of parts) {
    if (!part.text.trim()) continue;
    const text = withHeader(part.text, header);
    if (part.op !== 'delete') header = tableContext(header, part.text);
    if (part.op === 'equal') {
      const n = lines(part.text);
      out.push(
        `<details class="nhsuk-details fw-diff__same"><summary class="nhsuk-details__summary"><span class="nhsuk-details__summary-text">Unchanged text (${n} ${n === 1 ? 'line' : 'lines'})</span></summary><div class="nhsuk-details__text">${passage(text)}</div></details>`,
      );
    } else {
      const [cls, label] = part.op === 'insert' ? ['fw-change--insert', 'Added'] : ['fw-change--delete', 'Removed'];
      out.push(`<div class="fw-change ${cls}"><p class="fw-change__label"><strong>${escapeHtml(label)}</strong></p>${passage(text)}</div>`);
    }
  }
  out.push('</div>');
  return out.join('\n');
}
