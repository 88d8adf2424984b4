/**
 * Signature blocks that a sealed copy fills in. When a PDF is rendered, the position of every
 * signature block's fields is written into its page as private application data (the page's
 * /PieceInfo, PDF 32000-1 §14.5, under the key /Formwork); viewers ignore it. Sealing reads it back
 * and writes, into each practice's block, who actually signed (a delegate included), in what
 * capacity and when (UK time), marked as signed electronically. The agreed PDF itself is unchanged
 * (it is embedded in the sealed copy byte for byte); documents rendered before positions were
 * recorded are sealed without filled blocks.
 */
import { PDFArray, PDFDict, PDFDocument, PDFFont, PDFHexString, PDFName, PDFNumber, PDFPage, PDFString, rgb } from 'pdf-lib';
import { typographic } from './document-model';
import { formatDateTimeLondon, listAnd } from './format';
import { loadFont, sharedFontkit } from './pdf/fonts';
import { PAGE_HEIGHT, type SignaturePlacement } from './pdf/layout';
import './pdf/native-deflate';

const PIECE = 'Formwork';

/** Writes each page's signature-block positions into its /PieceInfo (PDF coordinates). */
export function recordSignaturePlacements(doc: PDFDocument, pages: PDFPage[], placements: SignaturePlacement[], modified: Date): void {
  const byPage = new Map<number, SignaturePlacement[]>();
  for (const p of placements) byPage.set(p.page, [...(byPage.get(p.page) ?? []), p]);
  for (const [pageNumber, blocks] of byPage) {
    const page = pages[pageNumber - 1];
    if (!page) continue;
    const ctx = doc.context;
    const list = blocks.map((b) =>
      ctx.obj({
        Party: PDFHexString.fromText(b.party),
        Fields: b.fields.map((f) =>
          ctx.obj({
            Label: PDFHexString.fromText(f.label),
            // the value area: from just above the field's line up to the top of its row
            Rect: [round(f.x1), round(PAGE_HEIGHT - f.line + 0.8), round(f.x2), round(PAGE_HEIGHT - f.top)],
          }),
        ),
      }),
    );
    page.node.set(
      PDFName.of('PieceInfo'),
      ctx.obj({ [PIECE]: ctx.obj({ LastModified: PDFString.fromDate(modified), Private: ctx.obj({ SignatureBlocks: list }) }) }),
    );
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

interface RecordedBlock {
  page: PDFPage;
  party: string;
  fields: { label: string; rect: [number, number, number, number] }[];
}

function text(value: unknown): string | null {
  return value instanceof PDFHexString || value instanceof PDFString ? value.decodeText() : null;
}

/** The signature blocks recorded in a PDF rendered by Formwork (none for other PDFs). */
export function readSignatureBlocks(doc: PDFDocument): RecordedBlock[] {
  const out: RecordedBlock[] = [];
  for (const page of doc.getPages()) {
    const piece = page.node.lookupMaybe(PDFName.of('PieceInfo'), PDFDict)?.lookupMaybe(PDFName.of(PIECE), PDFDict);
    const blocks = piece?.lookupMaybe(PDFName.of('Private'), PDFDict)?.lookupMaybe(PDFName.of('SignatureBlocks'), PDFArray);
    for (let i = 0; blocks && i < blocks.size(); i++) {
      const block = blocks.lookup(i);
      if (!(block instanceof PDFDict)) continue;
      const party = text(block.lookup(PDFName.of('Party')));
      const fields = block.lookupMaybe(PDFName.of('Fields'), PDFArray);
      if (party === null || !fields) continue;
      const recorded: RecordedBlock = { page, party, fields: [] };
      for (let j = 0; j < fields.size(); j++) {
        const field = fields.lookup(j);
        if (!(field instanceof PDFDict)) continue;
        const label = text(field.lookup(PDFName.of('Label')));
        const rect = field.lookupMaybe(PDFName.of('Rect'), PDFArray)?.asArray();
        if (label === null || rect?.length !== 4 || !rect.every((n) => n instanceof PDFNumber)) continue;
        recorded.fields.push({ label, rect: rect.map((n) => (n as PDFNumber).asNumber()) as RecordedBlock['fields'][number]['rect'] });
      }
      out.push(recorded);
    }
  }
  return out;
}

/** Who signed for a practice, as the sealed copy shows it. */
export interface BlockSigner {
  name: string;
  practice: string;
  capacity: string;
  signedAt: string;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function fieldValues(signers: BlockSigner[]): Record<string, { text: string; italic?: boolean }> {
  const names = signers.map((s) => s.name);
  return {
    signature: { text: `Signed electronically by ${listAnd(names)}`, italic: true },
    name: { text: names.join(', ') },
    capacity: { text: unique(signers.map((s) => s.capacity)).join(', ') },
    date: { text: unique(signers.map((s) => formatDateTimeLondon(s.signedAt))).join('; ') },
  };
}

/** Fits `value` into `width`: smaller type first, down to 6 pt, then cut with an ellipsis. */
function fit(font: PDFFont, value: string, width: number): { text: string; size: number } {
  for (let size = 9.5; size >= 6; size -= 0.5) {
    if (font.widthOfTextAtSize(value, size) <= width) return { text: value, size };
  }
  let cut = value;
  while (cut.length > 1 && font.widthOfTextAtSize(`${cut}\u2026`, 6) > width) cut = cut.slice(0, Math.max(1, Math.floor(cut.length * 0.9)));
  return { text: `${cut.trimEnd()}\u2026`, size: 6 };
}

/**
 * Writes who signed into every recorded signature block whose party is a practice that signed.
 * A field's earlier contents (say the lead partner's name printed before a delegate signed) are
 * covered first. Returns how many blocks were filled.
 */
export async function fillSignatureBlocks(doc: PDFDocument, signers: BlockSigner[]): Promise<number> {
  const blocks = readSignatureBlocks(doc);
  if (blocks.length === 0) return 0;
  const byPractice = new Map<string, BlockSigner[]>();
  for (const s of signers) {
    const key = typographic(s.practice);
    byPractice.set(key, [...(byPractice.get(key) ?? []), s]);
  }
  doc.registerFontkit(sharedFontkit as unknown as Parameters<PDFDocument['registerFontkit']>[0]);
  let fonts: { regular: PDFFont; italic: PDFFont } | null = null;
  let filled = 0;
  for (const block of blocks) {
    const who = byPractice.get(block.party);
    if (!who) continue;
    fonts ??= {
      regular: await doc.embedFont(loadFont('serif').bytes, { subset: true }),
      italic: await doc.embedFont(loadFont('serifItalic').bytes, { subset: true }),
    };
    const values = fieldValues(who);
    for (const field of block.fields) {
      const value = values[field.label.toLowerCase()];
      if (!value) continue;
      const [x1, y1, x2, y2] = field.rect;
      const font = value.italic ? fonts.italic : fonts.regular;
      block.page.drawRectangle({ x: x1, y: y1, width: x2 - x1, height: y2 - y1, color: rgb(1, 1, 1) });
      const { text: shown, size } = fit(font, value.text, x2 - x1 - 2);
      block.page.drawText(shown, { x: x1, y: y1 + 2.5, size, font, color: rgb(0.06, 0.19, 0.36) });
    }
    filled += 1;
  }
  return filled;
}
