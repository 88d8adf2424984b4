/**
 * "What changed" between two versions of a document, as a reader sees it rather than as Markdown:
 * each version is read into the document model, flattened into the units a reader points at
 * (a heading, a paragraph, a numbered clause or list item, a table row, a signature block), the two
 * lists are compared unit by unit (by text: a clause renumbered because one was added before it has
 * not changed), and a unit that was rewritten is compared word by word. Every
 * piece of text is escaped; the only markup is <ins>, <del> and <strong> for labels.
 */
import { diffArrays, diffWords } from 'diff';
import { type Block, buildDocumentModel, runsText } from './document-model';
import { escapeHtml } from './render-html';

/** One changed unit: where it sits, what happened to it, and its text with insertions and deletions marked. */
export interface ChangeBlock {
  change: 'added' | 'removed' | 'changed';
  /** the section it sits under ("3. Governance"), or '' before the first section */
  where: string;
  /** its number or list label ("3.2", "(a)"), or '' */
  label: string;
  /** escaped text; words added in <ins>, words removed in <del> */
  html: string;
}

interface Unit {
  label: string;
  text: string;
  where: string;
}

/** The document's text as the units a reader would point at, each with the section it is in. */
function units(markdown: string): Unit[] {
  const out: Unit[] = [];
  let where = '';
  const walk = (blocks: Block[]) => {
    for (const b of blocks) {
      switch (b.kind) {
        case 'heading': {
          const heading = `${b.label ? `${b.label}. ` : ''}${b.text}`;
          if (b.level >= 2) where = heading;
          out.push({ label: b.label ?? '', text: b.text, where: b.level >= 2 ? '' : where });
          break;
        }
        case 'paragraph':
          out.push({ label: '', text: runsText(b.runs), where });
          break;
        case 'list':
          for (const item of b.items) {
            // the item's own paragraphs are its text; a nested list is its own units
            const own = item.blocks.filter((x) => x.kind === 'paragraph').map((x) => runsText((x as Extract<Block, { kind: 'paragraph' }>).runs));
            out.push({ label: item.label, text: own.join(' '), where });
            walk(item.blocks.filter((x) => x.kind !== 'paragraph'));
          }
          break;
        case 'table':
          for (const row of [b.header, ...b.rows]) {
            const text = row.map((cell) => runsText(cell)).join(' | ');
            if (text.replace(/[\s|]/g, '') !== '') out.push({ label: '', text, where });
          }
          break;
        case 'quote':
          walk(b.blocks);
          break;
        case 'signature':
          out.push({ label: '', text: `Signature block: ${b.party}${b.detail ? `, ${b.detail}` : ''}`, where });
          break;
        default:
          break;
      }
    }
  };
  walk(buildDocumentModel(markdown).blocks);
  return out.filter((u) => u.text.trim() !== '' || u.label !== '');
}

function marked(text: string, tag: 'ins' | 'del'): string {
  return `<${tag}>${escapeHtml(text)}</${tag}>`;
}

/** The rewritten unit, word by word: what stayed plain, what was added in <ins>, what went in <del>. */
function wordDiff(before: string, after: string): string {
  return diffWords(before, after)
    .map((part) => (part.added ? marked(part.value, 'ins') : part.removed ? marked(part.value, 'del') : escapeHtml(part.value)))
    .join('');
}

/**
 * The changes from `before` to `after` (both Markdown), in reading order. A run of removed units
 * followed by added ones is paired off in order as rewritten units; any left over are plainly
 * added or removed.
 */
export function describeChanges(before: string, after: string): ChangeBlock[] {
  const a = units(before);
  const b = units(after);
  const parts = diffArrays(a, b, { comparator: (x, y) => x.text === y.text });
  const out: ChangeBlock[] = [];
  let removed: Unit[] = [];
  let added: Unit[] = [];
  // a run of changes between two unchanged stretches: rewritten units first, then what is left over
  const flush = () => {
    const pairs = Math.min(removed.length, added.length);
    for (let k = 0; k < pairs; k++)
      out.push({ change: 'changed', where: added[k].where, label: added[k].label || removed[k].label, html: wordDiff(removed[k].text, added[k].text) });
    for (const was of removed.slice(pairs)) out.push({ change: 'removed', where: was.where, label: was.label, html: marked(was.text, 'del') });
    for (const now of added.slice(pairs)) out.push({ change: 'added', where: now.where, label: now.label, html: marked(now.text, 'ins') });
    removed = [];
    added = [];
  };
  for (const part of parts) {
    if (part.removed) removed.push(...part.value);
    else if (part.added) added.push(...part.value);
    else flush();
  }
  flush();
  return out;
}
