/**
 * The one document model every renderer draws from. It is built from marked's token tree (the
 * Markdown AST, GFM tables included) and adds what a legal document needs on top: heading and
 * clause numbers, list labels, typographic quotes and signature blocks.
 *
 * Numbering, shared by PDF, DOCX and HTML so the three always agree:
 * - `#` is the document title (unnumbered); `## Name {-}` is an unnumbered section;
 * - `##` sections are 1, 2, 3…; `###` subsections are 1.1, 1.2…;
 * - an ordered list directly under a numbered heading is a list of clauses that continue the
 *   heading's numbering (1.1, 1.2 under a section; 1.1.1 under a subsection);
 * - nested ordered lists are (a), (b)… then (i), (ii)… then (A), (B)…; bullets alternate • and –.
 *
 * Extensions, all plain Markdown: a fenced block with language `signature` (lines of `key: value`)
 * is a signature block; `<!-- pagebreak -->` forces a new page.
 */
import type { Token, Tokens } from 'marked' with { 'resolution-mode': 'import' };

// marked is published as an ES module only; Node 20 loads it through require(esm).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { marked } = require('marked') as typeof import('marked', { with: { 'resolution-mode': 'import' } });
import { unescapeMarkdown } from './template-engine';

export interface Run {
  text: string;
  bold?: boolean;
  italic?: boolean;
  code?: boolean;
  href?: string;
  /** a hard line break before this run's text */
  breakBefore?: boolean;
}

export type Align = 'left' | 'center' | 'right';

export interface HeadingBlock {
  kind: 'heading';
  /** Markdown depth: 1 title, 2 section, 3 subsection, 4 minor heading */
  level: number;
  /** "3" or "3.2"; null when unnumbered */
  label: string | null;
  runs: Run[];
  text: string;
  /** stable anchor for links and the contents */
  anchor: string;
}

export interface ParagraphBlock {
  kind: 'paragraph';
  runs: Run[];
}

export type ListStyle = 'clause' | 'ordered' | 'bullet';

export interface ListItem {
  label: string;
  blocks: Block[];
}

export interface ListBlock {
  kind: 'list';
  style: ListStyle;
  /** for clauses: 1 (under a section) or 2 (under a subsection); otherwise nesting depth from 0 */
  level: number;
  /** distinct number for each non-clause ordered list, so DOCX can restart its numbering */
  instance: number;
  items: ListItem[];
}

export interface TableBlock {
  kind: 'table';
  header: Run[][];
  rows: Run[][][];
  align: (Align | null)[];
}

export interface QuoteBlock {
  kind: 'quote';
  blocks: Block[];
}

export interface SignatureBlock {
  kind: 'signature';
  /** who signs, e.g. the practice */
  party: string;
  /** optional line under the party, e.g. "ODS code F84001" */
  detail?: string;
  /** the printed fields, each with an optional pre-filled value */
  fields: { label: string; value?: string }[];
}

export interface PageBreakBlock {
  kind: 'pagebreak';
}

export interface RuleBlock {
  kind: 'rule';
}

export type Block = HeadingBlock | ParagraphBlock | ListBlock | TableBlock | QuoteBlock | SignatureBlock | PageBreakBlock | RuleBlock;

export interface DocumentModel {
  title: string;
  blocks: Block[];
  /** numbered section headings (level 2), for a contents page */
  contents: HeadingBlock[];
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&nbsp;': '\u00a0' };

/** Straight quotes to curly, double hyphen to en dash: the typography of a signed document. */
export function typographic(text: string): string {
  return text
    .replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (m) => ENTITIES[m])
    .replace(/(^|[\s([{\u2014\u2013-])"/g, '$1\u201c')
    .replace(/"/g, '\u201d')
    .replace(/(^|[\s([{\u2014\u2013-])'/g, '$1\u2018')
    .replace(/'/g, '\u2019')
    .replace(/ -- /g, ' \u2013 ')
    .replace(/\.\.\./g, '\u2026');
}

function inlineRuns(tokens: Token[] | undefined, style: Omit<Run, 'text'> = {}): Run[] {
  const runs: Run[] = [];
  for (const t of tokens ?? []) {
    switch (t.type) {
      case 'strong':
        runs.push(...inlineRuns((t as Tokens.Strong).tokens, { ...style, bold: true }));
        break;
      case 'em':
        runs.push(...inlineRuns((t as Tokens.Em).tokens, { ...style, italic: true }));
        break;
      case 'del':
        runs.push(...inlineRuns((t as Tokens.Del).tokens, style));
        break;
      case 'link':
        runs.push(...inlineRuns((t as Tokens.Link).tokens, { ...style, href: (t as Tokens.Link).href }));
        break;
      case 'codespan':
        runs.push({ ...style, code: true, text: (t as Tokens.Codespan).text.replace(/&(amp|lt|gt|quot|#39);/g, (m) => ENTITIES[m]) });
        break;
      case 'br':
        runs.push({ ...style, text: '', breakBefore: true });
        break;
      case 'text': {
        const tt = t as Tokens.Text;
        if (tt.tokens && tt.tokens.length > 0) runs.push(...inlineRuns(tt.tokens, style));
        else runs.push({ ...style, text: typographic(tt.text.replace(/\s*\n\s*/g, ' ')) });
        break;
      }
      case 'escape':
        runs.push({ ...style, text: (t as Tokens.Escape).text });
        break;
      case 'image':
        runs.push({ ...style, text: (t as Tokens.Image).text });
        break;
      default:
        // Inline HTML and anything unknown is shown as the literal text it is, never interpreted.
        runs.push({ ...style, text: 'raw' in t ? String(t.raw) : '' });
    }
  }
  return mergeRuns(runs);
}

function sameStyle(a: Run, b: Run): boolean {
  return !!a.bold === !!b.bold && !!a.italic === !!b.italic && !!a.code === !!b.code && a.href === b.href && !b.breakBefore;
}

function mergeRuns(runs: Run[]): Run[] {
  const out: Run[] = [];
  for (const r of runs) {
    const last = out[out.length - 1];
    if (last && sameStyle(last, r)) last.text += r.text;
    else out.push({ ...r });
  }
  return out;
}

export function runsText(runs: Run[]): string {
  return runs.map((r) => (r.breakBefore ? `\n${r.text}` : r.text)).join('');
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
function alpha(n: number): string {
  let s = '';
  let k = n;
  while (k > 0) {
    k -= 1;
    s = LETTERS[k % 26] + s;
    k = Math.floor(k / 26);
  }
  return s;
}
function roman(n: number): string {
  const table: [number, string][] = [
    [1000, 'm'],
    [900, 'cm'],
    [500, 'd'],
    [400, 'cd'],
    [100, 'c'],
    [90, 'xc'],
    [50, 'l'],
    [40, 'xl'],
    [10, 'x'],
    [9, 'ix'],
    [5, 'v'],
    [4, 'iv'],
    [1, 'i'],
  ];
  let s = '';
  let k = n;
  for (const [v, r] of table)
    while (k >= v) {
      s += r;
      k -= v;
    }
  return s;
}

/** Label of the n-th item (1-based) of a non-clause ordered list at a nesting depth. */
export function orderedLabel(depth: number, n: number): string {
  switch (depth % 4) {
    case 0:
      return `${n}.`;
    case 1:
      return `(${alpha(n)})`;
    case 2:
      return `(${roman(n)})`;
    default:
      return `(${alpha(n).toUpperCase()})`;
  }
}

export function bulletLabel(depth: number): string {
  return depth % 2 === 0 ? '\u2022' : '\u2013';
}

function slug(text: string, used: Set<string>): string {
  const base =
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'section';
  let s = base;
  let i = 2;
  while (used.has(s)) s = `${base}-${i++}`;
  used.add(s);
  return s;
}

function parseSignature(text: string): SignatureBlock {
  const block: SignatureBlock = { kind: 'signature', party: '', fields: [] };
  const fieldOrder = ['Signature', 'Name', 'Capacity', 'Date'];
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Za-z ]+?)\s*:\s*(.*)$/.exec(line);
    if (!m) continue;
    const key = m[1].toLowerCase();
    const value = typographic(unescapeMarkdown(m[2].trim()));
    if (key === 'party') block.party = value;
    else if (key === 'detail') block.detail = value;
    else if (key === 'fields')
      fieldOrder.splice(
        0,
        fieldOrder.length,
        ...value
          .split(',')
          .map((f) => f.trim())
          .filter(Boolean),
      );
    else values.set(key, value);
  }
  block.fields = fieldOrder.map((label) => ({ label, value: values.get(label.toLowerCase()) || undefined }));
  return block;
}

/** Parses Markdown (the output of a template) into the numbered document model. */
export function buildDocumentModel(markdown: string): DocumentModel {
  const tokens = marked.lexer(markdown, { gfm: true });
  const counters = [0, 0, 0];
  // 0: no numbered heading yet; 1: inside a numbered section; 2: inside a numbered subsection
  let headingDepth = 0;
  let listInstance = 0;
  const anchors = new Set<string>();
  let title = '';
  const contents: HeadingBlock[] = [];

  const convertList = (list: Tokens.List, depth: number): ListBlock => {
    const clause = list.ordered && depth === 0 && headingDepth > 0;
    const style: ListStyle = clause ? 'clause' : list.ordered ? 'ordered' : 'bullet';
    const block: ListBlock = { kind: 'list', style, level: clause ? headingDepth : depth, instance: list.ordered && !clause ? ++listInstance : 0, items: [] };
    const start = typeof list.start === 'number' ? list.start : 1;
    list.items.forEach((item, i) => {
      let label: string;
      if (clause) {
        counters[headingDepth] += 1;
        if (headingDepth === 1) counters[2] = 0;
        label = counters.slice(0, headingDepth + 1).join('.');
      } else if (list.ordered) {
        label = orderedLabel(depth, start + i);
      } else {
        label = bulletLabel(depth);
      }
      block.items.push({ label, blocks: convertBlocks(item.tokens, depth + 1) });
    });
    return block;
  };

  const convertBlocks = (toks: Token[], listDepth: number): Block[] => {
    const out: Block[] = [];
    for (const t of toks) {
      switch (t.type) {
        case 'heading': {
          const h = t as Tokens.Heading;
          let runs = inlineRuns(h.tokens);
          let numbered = h.depth === 2 || h.depth === 3;
          const lastRun = runs[runs.length - 1];
          if (lastRun && /\s*\{-\}\s*$/.test(lastRun.text)) {
            lastRun.text = lastRun.text.replace(/\s*\{-\}\s*$/, '');
            numbered = false;
          }
          runs = runs.filter((r) => r.text !== '' || r.breakBefore);
          const text = runsText(runs);
          let label: string | null = null;
          if (numbered && h.depth === 2) {
            counters[0] += 1;
            counters[1] = 0;
            counters[2] = 0;
            headingDepth = 1;
            label = String(counters[0]);
          } else if (numbered && h.depth === 3 && counters[0] > 0) {
            counters[1] += 1;
            counters[2] = 0;
            headingDepth = 2;
            label = `${counters[0]}.${counters[1]}`;
          } else if (h.depth === 2) {
            headingDepth = 0;
          }
          const heading: HeadingBlock = { kind: 'heading', level: h.depth, label, runs, text, anchor: slug(label ? `${label} ${text}` : text, anchors) };
          if (h.depth === 1 && !title) title = text;
          if (h.depth === 2) contents.push(heading);
          out.push(heading);
          break;
        }
        case 'paragraph':
          out.push({ kind: 'paragraph', runs: inlineRuns((t as Tokens.Paragraph).tokens) });
          break;
        case 'text': {
          // tight list items hold their text as a bare text token
          const tt = t as Tokens.Text;
          out.push({ kind: 'paragraph', runs: tt.tokens ? inlineRuns(tt.tokens) : [{ text: typographic(tt.text) }] });
          break;
        }
        case 'list':
          out.push(convertList(t as Tokens.List, listDepth));
          break;
        case 'table': {
          const tb = t as Tokens.Table;
          out.push({
            kind: 'table',
            header: tb.header.map((c) => inlineRuns(c.tokens)),
            rows: tb.rows.map((r) => r.map((c) => inlineRuns(c.tokens))),
            align: tb.align.map((a) => a ?? null),
          });
          break;
        }
        case 'blockquote':
          out.push({ kind: 'quote', blocks: convertBlocks((t as Tokens.Blockquote).tokens, listDepth) });
          break;
        case 'code': {
          const c = t as Tokens.Code;
          if (c.lang === 'signature') out.push(parseSignature(c.text));
          else out.push({ kind: 'paragraph', runs: [{ text: c.text, code: true }] });
          break;
        }
        case 'hr':
          out.push({ kind: 'rule' });
          break;
        case 'html': {
          const raw = (t as Tokens.HTML).raw.trim();
          if (/^<!--\s*pagebreak\s*-->$/i.test(raw)) out.push({ kind: 'pagebreak' });
          else if (!/^<!--[\s\S]*-->$/.test(raw)) out.push({ kind: 'paragraph', runs: [{ text: raw }] });
          break;
        }
        case 'space':
          break;
        default:
          if ('raw' in t && String(t.raw).trim()) out.push({ kind: 'paragraph', runs: [{ text: String(t.raw).trim() }] });
      }
    }
    return out;
  };

  const blocks = convertBlocks(tokens, 0);
  return { title, blocks, contents: contents.filter((h) => h.label !== null) };
}
