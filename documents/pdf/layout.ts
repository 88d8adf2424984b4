/**
 * Page layout for the PDF renderer: turns the document model into positioned drawing operations on
 * A4 pages. Kept apart from pdf-lib so the pagination rules (no heading stranded at a page foot,
 * table headers repeated, signature blocks kept whole, at least two lines of a paragraph together)
 * can be read and tested in one place.
 *
 * Coordinates here run from the top-left of the page, in points; the renderer flips them.
 */
import type { Block, DocumentModel, HeadingBlock, ListBlock, Run, SignatureBlock } from '../document-model';
import { FontKey, fontFor, textWidth } from './fonts';
import { type Op, BODY_LEADING, BODY_SIZE, CONTENT_WIDTH, Flow, GREY, INK, ITEM_GAP, MARGIN_X, NAVY, PARA_GAP, QUOTE_BAR, RULE } from './page';
import { layoutTable } from './table';
import { type Line, type TextStyle, wrapRuns } from './wrap';

export type { Line } from './wrap';
export { CONTENT_WIDTH, GREY, MARGIN_X, NAVY, type Op, PAGE_HEIGHT, PAGE_WIDTH, type RGB } from './page';

export interface HeadingPosition {
  heading: HeadingBlock;
  page: number;
}

/**
 * Where a signature block's fields were drawn, so a sealed copy can write into them: the value area
 * of each field (right of its label, above its line), top-left coordinates like everything here.
 */
export interface SignaturePlacement {
  /** 1-based page number */
  page: number;
  party: string;
  fields: { label: string; x1: number; x2: number; top: number; line: number }[];
}

export interface LayoutResult {
  pages: Op[][];
  headings: HeadingPosition[];
  signatures: SignaturePlacement[];
}

const HEADING_STYLE: Record<number, { size: number; leading: number; before: number; after: number; family: 'serif' | 'sans' }> = {
  1: { size: 17, leading: 22, before: 0, after: 10, family: 'sans' },
  2: { size: 12.5, leading: 17, before: 16, after: 6, family: 'sans' },
  3: { size: 11, leading: 15, before: 10, after: 4, family: 'sans' },
  4: { size: 10, leading: 14.5, before: 8, after: 2, family: 'serif' },
};

const LABEL_BOX = { clause: 40, ordered: 26, bullet: 14 } as const;

interface Ctx {
  flow: Flow;
  headings: HeadingPosition[];
  signatures: SignaturePlacement[];
}

function layoutParagraph(
  ctx: Ctx,
  runs: Run[],
  x: number,
  width: number,
  opts: { style?: Partial<TextStyle>; label?: { text: string; x: number; font: FontKey }; bar?: boolean; after?: number } = {},
): void {
  const style: TextStyle = { size: BODY_SIZE, family: 'serif', color: INK, ...opts.style };
  const leading = style.size * 1.45;
  const lines = wrapRuns(runs, width, style);
  const { flow } = ctx;
  // Keep the first two lines of a paragraph together (no single orphan line at a page foot).
  flow.ensure(leading * Math.min(lines.length, 2));
  lines.forEach((line, i) => {
    if (!flow.fits(leading)) flow.newPage();
    if (i === 0 && opts.label) {
      const labelLine: Line = {
        frags: [
          {
            text: opts.label.text,
            font: opts.label.font,
            size: style.size,
            width: textWidth(opts.label.font, opts.label.text, style.size),
            color: style.color,
          },
        ],
        width: 0,
      };
      flow.drawLine(labelLine, opts.label.x, leading);
    }
    if (opts.bar) flow.page.push({ t: 'line', x1: x - 9, y1: flow.y, x2: x - 9, y2: flow.y + leading, width: 2, color: QUOTE_BAR });
    flow.drawLine(line, x, leading);
    flow.y += leading;
  });
  flow.y += opts.after ?? PARA_GAP;
}

function layoutHeading(ctx: Ctx, h: HeadingBlock, x: number, width: number): void {
  const { flow } = ctx;
  const st = HEADING_STYLE[Math.min(h.level, 4)];
  if (h.level === 1 && !flow.atTop) flow.newPage();
  const labelWidth = h.label ? LABEL_BOX.clause : 0;
  const style: TextStyle = { size: st.size, family: st.family, color: h.level <= 3 ? NAVY : INK, bold: true };
  const lines = wrapRuns(h.runs, width - labelWidth, style);
  const height = st.before + lines.length * st.leading + st.after;
  // Never strand a heading at the foot of a page: it must have room for three lines after it.
  flow.ensure(height + 3 * BODY_LEADING);
  flow.gap(st.before);
  ctx.headings.push({ heading: h, page: flow.pages.length });
  lines.forEach((line, i) => {
    if (i === 0 && h.label) {
      const font = fontFor({ bold: true }, st.family);
      flow.drawLine({ frags: [{ text: h.label, font, size: st.size, width: textWidth(font, h.label, st.size), color: style.color }], width: 0 }, x, st.leading);
    }
    flow.drawLine(line, x + labelWidth, st.leading);
    flow.y += st.leading;
  });
  if (h.level === 1) {
    flow.page.push({ t: 'line', x1: x, y1: flow.y + 2, x2: x + width, y2: flow.y + 2, width: 0.8, color: NAVY });
  }
  flow.y += st.after;
}

function layoutList(ctx: Ctx, list: ListBlock, x: number, width: number): void {
  const box = LABEL_BOX[list.style];
  for (const item of list.items) {
    const labelFont: FontKey = list.style === 'clause' ? 'serifBold' : 'serif';
    const [first, ...rest] = item.blocks;
    const contentX = x + box;
    const contentWidth = width - box;
    if (first && first.kind === 'paragraph') {
      layoutParagraph(ctx, first.runs, contentX, contentWidth, { label: { text: item.label, x, font: labelFont }, after: rest.length ? PARA_GAP : ITEM_GAP });
      layoutBlocks(ctx, rest, contentX, contentWidth);
    } else {
      ctx.flow.ensure(BODY_LEADING * 2);
      layoutParagraph(ctx, [{ text: '' }], contentX, contentWidth, { label: { text: item.label, x, font: labelFont }, after: 0 });
      ctx.flow.y -= BODY_SIZE * 1.45;
      layoutBlocks(ctx, item.blocks, contentX, contentWidth);
    }
  }
  ctx.flow.y += PARA_GAP - ITEM_GAP;
}

const SIG_FIELD_HEIGHT = 24;

function signatureHeight(sig: SignatureBlock, width: number): number {
  const partyLines = wrapRuns([{ text: sig.party, bold: true }], width - 16, { size: 10, family: 'serif', color: INK }).length;
  return 10 + 13 + partyLines * 14 + (sig.detail ? 13 : 0) + 6 + sig.fields.length * SIG_FIELD_HEIGHT + 8;
}

function drawSignature(ctx: Ctx, sig: SignatureBlock, x: number, y: number, width: number, height: number): void {
  const page = ctx.flow.page;
  page.push({ t: 'rect', x, y, w: width, h: height, stroke: RULE, lineWidth: 0.6 });
  const saved = ctx.flow.y;
  const flow = ctx.flow;
  flow.y = y + 8;
  flow.drawLine({ frags: [{ text: 'Signed for and on behalf of', font: 'serif', size: 8, width: 0, color: GREY }], width: 0 }, x + 8, 13);
  flow.y += 13;
  for (const line of wrapRuns([{ text: sig.party, bold: true }], width - 16, { size: 10, family: 'serif', color: INK })) {
    flow.drawLine(line, x + 8, 14);
    flow.y += 14;
  }
  if (sig.detail) {
    flow.drawLine({ frags: [{ text: sig.detail, font: 'serif', size: 8, width: 0, color: GREY }], width: 0 }, x + 8, 13);
    flow.y += 13;
  }
  flow.y += 6;
  const placement: SignaturePlacement = { page: flow.pages.length, party: sig.party, fields: [] };
  ctx.signatures.push(placement);
  for (const field of sig.fields) {
    const labelWidth = 58;
    placement.fields.push({ label: field.label, x1: x + 8 + labelWidth, x2: x + width - 8, top: flow.y, line: flow.y + SIG_FIELD_HEIGHT - 6 });
    flow.drawLine({ frags: [{ text: field.label, font: 'serif', size: 8, width: 0, color: GREY }], width: 0 }, x + 8, SIG_FIELD_HEIGHT - 6);
    if (field.value) {
      const lines = wrapRuns([{ text: field.value }], width - 16 - labelWidth, { size: 9.5, family: 'serif', color: INK });
      flow.drawLine(lines[0], x + 8 + labelWidth, SIG_FIELD_HEIGHT - 6);
    }
    page.push({
      t: 'line',
      x1: x + 8 + labelWidth,
      y1: flow.y + SIG_FIELD_HEIGHT - 6,
      x2: x + width - 8,
      y2: flow.y + SIG_FIELD_HEIGHT - 6,
      width: 0.5,
      color: GREY,
    });
    flow.y += SIG_FIELD_HEIGHT;
  }
  flow.y = saved;
}

/** Signature blocks are laid out two to a row, and a block is never split across pages. */
function layoutSignatures(ctx: Ctx, sigs: SignatureBlock[], x: number, width: number): void {
  const gutter = 14;
  const colWidth = (width - gutter) / 2;
  for (let i = 0; i < sigs.length; i += 2) {
    const pair = sigs.slice(i, i + 2);
    const height = Math.max(...pair.map((s) => signatureHeight(s, colWidth)));
    ctx.flow.ensure(height);
    pair.forEach((s, j) => drawSignature(ctx, s, x + j * (colWidth + gutter), ctx.flow.y, colWidth, height));
    ctx.flow.y += height + 12;
  }
}

function layoutBlocks(ctx: Ctx, blocks: Block[], x: number, width: number): void {
  for (let i = 0; i < blocks.length; i++) {
    const block = blocks[i];
    switch (block.kind) {
      case 'heading':
        layoutHeading(ctx, block, x, width);
        break;
      case 'paragraph':
        layoutParagraph(ctx, block.runs, x, width);
        break;
      case 'list':
        layoutList(ctx, block, x, width);
        break;
      case 'table':
        layoutTable(ctx.flow, block, x, width);
        break;
      case 'quote':
        for (const inner of block.blocks) {
          if (inner.kind === 'paragraph') layoutParagraph(ctx, inner.runs, x + 14, width - 14, { style: { italic: true, color: GREY }, bar: true });
          else layoutBlocks(ctx, [inner], x + 14, width - 14);
        }
        break;
      case 'signature': {
        const group: SignatureBlock[] = [block];
        while (blocks[i + 1]?.kind === 'signature') group.push(blocks[++i] as SignatureBlock);
        layoutSignatures(ctx, group, x, width);
        break;
      }
      case 'pagebreak':
        if (!ctx.flow.atTop) ctx.flow.newPage();
        break;
      case 'rule':
        ctx.flow.ensure(12);
        ctx.flow.page.push({ t: 'line', x1: x, y1: ctx.flow.y + 5, x2: x + width, y2: ctx.flow.y + 5, width: 0.5, color: RULE });
        ctx.flow.y += 12;
        break;
    }
  }
}

export interface TitleInfo {
  title: string;
  lines: string[];
}

export interface ContentsEntry {
  page: number;
  x: number;
  y: number;
  heading: HeadingBlock;
}

/** How many numbered sections make a document long enough to deserve a contents page. */
export const CONTENTS_THRESHOLD = 6;

/**
 * Lays out a whole document: a title block, a contents page when the document is long, then the
 * body. Page numbers of the contents are filled in by the caller from `headings` and `contents`.
 */
export function layoutDocument(model: DocumentModel, titleInfo: TitleInfo): LayoutResult & { contents: ContentsEntry[] } {
  const flow = new Flow();
  const ctx: Ctx = { flow, headings: [], signatures: [] };
  const x = MARGIN_X;
  const width = CONTENT_WIDTH;

  // Title block
  for (const line of wrapRuns([{ text: titleInfo.title }], width, { size: 20, family: 'sans', color: NAVY, bold: true })) {
    flow.drawLine(line, x, 26);
    flow.y += 26;
  }
  flow.y += 4;
  for (const text of titleInfo.lines) {
    for (const line of wrapRuns([{ text }], width, { size: 9.5, family: 'serif', color: GREY })) {
      flow.drawLine(line, x, 13.5);
      flow.y += 13.5;
    }
  }
  flow.y += 6;
  flow.page.push({ t: 'line', x1: x, y1: flow.y, x2: x + width, y2: flow.y, width: 1.2, color: NAVY });
  flow.y += 16;

  // The title heading is drawn as the title block; the preamble (anything before the first
  // section) stays on the first page, above the contents.
  const titleIndex = model.blocks.findIndex((k) => k.kind === 'heading' && k.level === 1);
  const body = model.blocks.filter((_, i) => i !== titleIndex);
  const firstSection = body.findIndex((b) => b.kind === 'heading' && b.level <= 2);
  const preamble = firstSection < 0 ? [] : body.slice(0, firstSection);
  const rest = firstSection < 0 ? body : body.slice(firstSection);
  layoutBlocks(ctx, preamble, x, width);

  const contents: ContentsEntry[] = [];
  if (model.contents.length >= CONTENTS_THRESHOLD) {
    flow.gap(8);
    layoutParagraph(ctx, [{ text: 'Contents', bold: true }], x, width, { style: { family: 'sans', size: 12.5, color: NAVY }, after: 8 });
    for (const h of model.contents) {
      const lines = wrapRuns(h.runs, width - LABEL_BOX.clause - 40, { size: BODY_SIZE, family: 'serif', color: INK });
      flow.ensure(lines.length * 16);
      flow.drawLine({ frags: [{ text: h.label ?? '', font: 'serif', size: BODY_SIZE, width: 0, color: INK }], width: 0 }, x, 16);
      lines.forEach((line, i) => {
        flow.drawLine(line, x + LABEL_BOX.clause, 16);
        if (i === lines.length - 1) {
          const end = x + LABEL_BOX.clause + line.width + 4;
          // dotted leader to the page number, filled in once pages are known
          flow.page.push({ t: 'line', x1: end, y1: flow.y + 12, x2: x + width - 26, y2: flow.y + 12, width: 0.4, color: RULE });
          contents.push({ page: flow.pages.length, x: x + width, y: flow.y + 16 * 0.72, heading: h });
        }
        flow.y += 16;
      });
    }
    flow.newPage();
  }

  layoutBlocks(ctx, rest, x, width);
  // A last page holding nothing but whitespace is never wanted.
  if (flow.pages.length > 1 && flow.page.length === 0) flow.pages.pop();
  return { pages: flow.pages, headings: ctx.headings, signatures: ctx.signatures, contents };
}
