/**
 * PDF renderer: lays the document model out on A4 pages and draws it with pdf-lib, embedding
 * subsets of the DejaVu TrueType fonts. Adds the running header (network, title, version), the
 * footer (page X of Y, document id, short content hash) and the contents page numbers.
 */
import { PDFDocument, PDFFont, PDFName, PDFString, rgb } from 'pdf-lib';
import type { DocumentModel } from '../document-model';
import type { RenderMeta } from '../types';
import { titleBlockLines } from '../format';
import { recordSignaturePlacements } from '../signature-blocks';
import { FontKey, loadFont, sharedFontkit, textWidth } from './fonts';
import './native-deflate';
import { CONTENT_WIDTH, GREY, MARGIN_X, NAVY, Op, PAGE_HEIGHT, PAGE_WIDTH, layoutDocument } from './layout';

export interface PdfOptions {
  meta: RenderMeta;
  title: string;
  /** short hash of the document's content, printed in every footer */
  contentHash: string;
  subject?: string;
}

function fitText(font: FontKey, text: string, size: number, width: number): string {
  if (textWidth(font, text, size) <= width) return text;
  let s = text;
  while (s.length > 1 && textWidth(font, `${s}\u2026`, size) > width) s = s.slice(0, -1);
  return `${s.trimEnd()}\u2026`;
}

export async function renderPdf(model: DocumentModel, options: PdfOptions): Promise<Buffer> {
  const { meta } = options;
  const layout = layoutDocument(model, {
    title: options.title,
    lines: titleBlockLines(options.title, meta),
  });
  const pages = layout.pages;
  const total = pages.length;

  // Contents page numbers, right-aligned at the end of their dotted leaders.
  for (const entry of layout.contents) {
    const found = layout.headings.find((h) => h.heading === entry.heading);
    const text = String(found?.page ?? '');
    pages[entry.page - 1].push({ t: 'text', x: entry.x - textWidth('serif', text, 10), y: entry.y, text, font: 'serif', size: 10, color: NAVY });
  }

  // Running header and footer.
  const half = CONTENT_WIDTH / 2 - 8;
  const headerRight = `${options.title} \u00b7 Version ${meta.version}`;
  // The network name takes what it needs (up to 40%); the title and version get the rest.
  const left = fitText('serif', meta.networkName, 7.5, CONTENT_WIDTH * 0.4);
  const right = fitText('serif', headerRight, 7.5, CONTENT_WIDTH - textWidth('serif', left, 7.5) - 16);
  pages.forEach((ops, i) => {
    ops.push({ t: 'text', x: MARGIN_X, y: 44, text: left, font: 'serif', size: 7.5, color: GREY });
    ops.push({ t: 'text', x: PAGE_WIDTH - MARGIN_X - textWidth('serif', right, 7.5), y: 44, text: right, font: 'serif', size: 7.5, color: GREY });
    ops.push({ t: 'line', x1: MARGIN_X, y1: 50, x2: PAGE_WIDTH - MARGIN_X, y2: 50, width: 0.5, color: GREY });
    const footY = PAGE_HEIGHT - 40;
    ops.push({ t: 'line', x1: MARGIN_X, y1: footY - 11, x2: PAGE_WIDTH - MARGIN_X, y2: footY - 11, width: 0.5, color: GREY });
    const footLeft = fitText('serif', `Document ${meta.documentId} \u00b7 content ${options.contentHash}`, 7.5, half);
    const pageText = `Page ${i + 1} of ${total}`;
    ops.push({ t: 'text', x: MARGIN_X, y: footY, text: footLeft, font: 'serif', size: 7.5, color: GREY });
    ops.push({ t: 'text', x: PAGE_WIDTH - MARGIN_X - textWidth('serif', pageText, 7.5), y: footY, text: pageText, font: 'serif', size: 7.5, color: GREY });
  });

  const doc = await PDFDocument.create();
  doc.registerFontkit(sharedFontkit as unknown as Parameters<PDFDocument['registerFontkit']>[0]);
  const issued = new Date(`${meta.issuedOn}T00:00:00Z`);
  doc.setTitle(options.title, { showInWindowTitleBar: true });
  doc.setAuthor(meta.networkName);
  doc.setSubject(options.subject ?? options.title);
  doc.setKeywords([`document:${meta.documentId}`, `version:${meta.version}`]);
  doc.setCreator('Formwork');
  doc.setProducer('Formwork');
  if (!Number.isNaN(issued.getTime())) {
    doc.setCreationDate(issued);
    doc.setModificationDate(issued);
  }
  doc.catalog.set(PDFName.of('Lang'), PDFString.of('en-GB'));

  const used = new Set<FontKey>();
  for (const ops of pages) for (const op of ops) if (op.t === 'text') used.add(op.font);
  const fonts = new Map<FontKey, PDFFont>();
  await Promise.all(
    [...used].map(async (key) => {
      fonts.set(key, await doc.embedFont(loadFont(key).bytes, { subset: true }));
    }),
  );

  const pdfPages = pages.map((ops) => {
    const page = doc.addPage([PAGE_WIDTH, PAGE_HEIGHT]);
    drawOps(page, ops, fonts);
    return page;
  });
  // where each signature block's fields are, so a sealed copy can fill them in
  recordSignaturePlacements(doc, pdfPages, layout.signatures, Number.isNaN(issued.getTime()) ? new Date(0) : issued);
  const bytes = await doc.save({ useObjectStreams: true });
  return Buffer.from(bytes);
}

function drawOps(page: ReturnType<PDFDocument['addPage']>, ops: Op[], fonts: Map<FontKey, PDFFont>): void {
  // Fills first so borders and text sit on top of shading.
  for (const op of ops) {
    if (op.t === 'rect' && op.fill) page.drawRectangle({ x: op.x, y: PAGE_HEIGHT - op.y - op.h, width: op.w, height: op.h, color: rgb(...op.fill) });
  }
  for (const op of ops) {
    switch (op.t) {
      case 'rect':
        if (op.stroke)
          page.drawRectangle({
            x: op.x,
            y: PAGE_HEIGHT - op.y - op.h,
            width: op.w,
            height: op.h,
            borderColor: rgb(...op.stroke),
            borderWidth: op.lineWidth ?? 0.5,
          });
        break;
      case 'line':
        page.drawLine({ start: { x: op.x1, y: PAGE_HEIGHT - op.y1 }, end: { x: op.x2, y: PAGE_HEIGHT - op.y2 }, thickness: op.width, color: rgb(...op.color) });
        break;
      case 'text':
        page.drawText(op.text, { x: op.x, y: PAGE_HEIGHT - op.y, size: op.size, font: fonts.get(op.font)!, color: rgb(...op.color) });
        break;
    }
  }
}
